import Fluent
import Vapor
import WaybillCore

/// Creates shops, users and API keys — for the CLI, the demo and tests alike.
struct AccountService {
    let db: any Database
    let application: Application

    private var now: Date { application.dependencies.clock.now() }
    private func newID() -> UUID { application.dependencies.ids.next() }

    func createShop(slug: String, name: String, currency: String, timezone: String, locale: String) async throws -> Shop {
        var issues = IssueList()
        if slug.range(of: "^[a-z0-9][a-z0-9-]{1,62}$", options: .regularExpression) == nil {
            issues.add("slug", "invalid_format", "slug must be 2–63 lowercase letters, digits or hyphens")
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { issues.add("name", "required", "name is required") }
        if CurrencyCode(currency.uppercased()) == nil { issues.add("currency", "unknown_currency", "currency must be an ISO 4217 code") }
        if TimeZone(identifier: timezone) == nil { issues.add("timezone", "invalid_timezone", "timezone must be an IANA zone such as Asia/Seoul") }
        guard issues.isEmpty else { throw ValidationFailure(issues.issues) }
        if try await Shop.query(on: db).filter(\.$slug == slug).first() != nil {
            throw APIError(.conflict, "slug_taken", "a shop with slug '\(slug)' already exists")
        }
        let shop = Shop(id: newID(), slug: slug, name: name, currency: currency.uppercased(),
                        timezone: timezone, locale: locale.hasPrefix("ko") ? "ko" : "en", createdAt: now)
        try await shop.create(on: db)
        try await OrderNumbers.prepare(shopID: try shop.requireID(), startingAt: shop.nextOrderNumber, on: db)
        return shop
    }

    func createUser(shop: Shop, email: String, name: String, password: String, role: String = "owner") async throws -> User {
        guard let normalized = EmailRule.normalize(email) else {
            throw ValidationFailure([FieldIssue(field: "email", code: "invalid_email", message: "e-mail address is not valid")])
        }
        guard password.count >= 8 else {
            throw ValidationFailure([FieldIssue(field: "password", code: "too_short", message: "password must be at least 8 characters")])
        }
        if try await User.query(on: db).filter(\.$email == normalized).first() != nil {
            throw APIError(.conflict, "email_taken", "a user with e-mail \(normalized) already exists")
        }
        let hash = try await application.password.async.hash(password)
        let user = User(id: newID(), shopID: try shop.requireID(), email: normalized, name: name,
                        passwordHash: hash, role: role, createdAt: now)
        try await user.create(on: db)
        return user
    }

    /// Returns the stored key and its full text, which is never recoverable afterwards.
    func createKey(shop: Shop, name: String, scopes: [APIKey.Scope]) async throws -> (APIKey, String) {
        let (key, prefix, hash) = APIKey.generate()
        let record = APIKey(id: newID(), shopID: try shop.requireID(), name: name, prefix: prefix,
                            secretHash: hash, scopes: scopes, createdAt: now)
        try await record.create(on: db)
        return (record, key)
    }

    func shop(slug: String) async throws -> Shop {
        guard let shop = try await Shop.query(on: db).filter(\.$slug == slug).first() else {
            throw APIError.notFound("shop '\(slug)'")
        }
        return shop
    }
}
