import Fluent
import Vapor

/// The shop and key a request to the API acts for.
struct APIPrincipal: Authenticatable, Sendable {
    let shopID: UUID
    let keyID: UUID
    let keyName: String
    let scopes: Set<APIKey.Scope>

    /// How the key appears as the actor of timeline facts.
    var actor: String { "api_key:\(keyName)" }
}

/// Authenticates `Authorization: Bearer wb_…` against stored key hashes.
struct APIKeyAuthenticator: AsyncBearerAuthenticator {
    let cache: APIKeyCache

    func authenticate(bearer: BearerAuthorization, for request: Request) async throws {
        let parts = bearer.token.split(separator: "_")
        guard parts.count == 3, parts[0] == "wb", bearer.token.count < 100 else { return }
        let digest = APIKey.hash(bearer.token)
        if let principal = cache.lookup(digest) {
            request.auth.login(principal)
            return
        }
        guard let key = try await APIKey.query(on: request.db)
            .filter(\.$prefix == String(parts[1]))
            .filter(\.$revokedAt == nil)
            .first()
        else { return }
        // Compare digests, not keys: equal-length hex strings, compared without early exit.
        let presented = Array(digest.utf8)
        let stored = Array(key.secretHash.utf8)
        guard presented.count == stored.count,
              zip(presented, stored).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return }
        let principal = APIPrincipal(shopID: key.$shop.id, keyID: try key.requireID(), keyName: key.name, scopes: key.scopeSet)
        cache.store(digest, principal)
        request.auth.login(principal)
    }
}

/// Verified keys for a few seconds, so a busy client does not cost a database read per request.
/// A revoked key keeps working on an instance for at most the cache's `ttl`; unknown keys are never cached.
typealias APIKeyCache = ExpiringCache<String, APIPrincipal>

extension Request {
    /// The caller, if it holds `scope`; otherwise a 401 or 403 in the API's error shape.
    func principal(_ scope: APIKey.Scope) throws -> APIPrincipal {
        guard let principal = auth.get(APIPrincipal.self) else {
            throw APIError(.unauthorized, "unauthorized", "send a valid API key as 'Authorization: Bearer wb_…'")
        }
        guard principal.scopes.contains(scope) else {
            throw APIError(.forbidden, "missing_scope", "this API key lacks the '\(scope.rawValue)' scope")
        }
        return principal
    }
}
