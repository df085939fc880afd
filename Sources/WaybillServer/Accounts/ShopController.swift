import Fluent
import Vapor
import WaybillCore

/// `/api/v1/shop`: the calling key's shop and its rules (the hold policy that decides which orders wait).
struct ShopController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let shop = routes.grouped("shop")
        shop.get(use: show)
        shop.patch(use: update)
    }

    struct ShopDTO: Codable, Sendable {
        var id: UUID
        var slug: String
        var name: String
        var currency: String
        var timezone: String
        var locale: String
        var holdPolicy: HoldPolicy
        var inventoryPolicy: InventoryPolicy

        init(_ shop: Shop) throws {
            id = try shop.requireID()
            slug = shop.slug
            name = shop.name
            currency = shop.currency
            timezone = shop.timezone
            locale = shop.locale
            holdPolicy = shop.holdPolicy
            inventoryPolicy = shop.inventoryPolicy ?? InventoryPolicy()
        }
    }

    struct UpdateShop: Decodable, Sendable {
        var name: String?
        var timezone: String?
        var locale: String?
        var holdPolicy: HoldPolicy?
        var inventoryPolicy: InventoryPolicy?
    }

    func show(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsRead)
        return try .json(ShopDTO(try await req.shop(principal)))
    }

    func update(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsWrite)
        let patch = try req.decodeJSON(UpdateShop.self)
        var issues = IssueList()
        if let name = patch.name, name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 200 {
            issues.add("name", "invalid_length", "name must be 1–200 characters")
        }
        if let zone = patch.timezone, TimeZone(identifier: zone) == nil {
            issues.add("timezone", "invalid_timezone", "timezone must be an IANA zone such as Asia/Seoul")
        }
        if let locale = patch.locale, !CatalogRules.supportedLocales.contains(locale) {
            issues.add("locale", "unsupported_locale", "locale must be ko or en")
        }
        if let policy = patch.holdPolicy { issues.append(contentsOf: policy.issues()) }
        guard issues.isEmpty else { throw ValidationFailure(issues.issues) }
        let shop = try await req.write { db in
            guard let shop = try await Shop.find(principal.shopID, on: db) else { throw APIError.notFound("shop") }
            if let name = patch.name { shop.name = name }
            if let zone = patch.timezone { shop.timezone = zone }
            if let locale = patch.locale { shop.locale = locale }
            if let inventory = patch.inventoryPolicy { shop.inventoryPolicy = inventory }
            if let policy = patch.holdPolicy {
                var normalised = policy
                normalised.shipsTo = Array(Set(policy.shipsTo)).sorted()
                shop.holdPolicy = normalised
            }
            try await shop.save(on: db)
            return shop
        }
        return try .json(ShopDTO(shop))
    }
}
