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
    func authenticate(bearer: BearerAuthorization, for request: Request) async throws {
        let parts = bearer.token.split(separator: "_")
        guard parts.count == 3, parts[0] == "wb", bearer.token.count < 100 else { return }
        guard let key = try await APIKey.query(on: request.db)
            .filter(\.$prefix == String(parts[1]))
            .filter(\.$revokedAt == nil)
            .first()
        else { return }
        // Compare digests, not keys: equal-length hex strings, compared without early exit.
        let presented = Array(APIKey.hash(bearer.token).utf8)
        let stored = Array(key.secretHash.utf8)
        guard presented.count == stored.count,
              zip(presented, stored).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return }
        request.auth.login(APIPrincipal(
            shopID: key.$shop.id, keyID: try key.requireID(), keyName: key.name, scopes: key.scopeSet
        ))
    }
}

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
