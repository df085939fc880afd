import Fluent
import SQLKit
import Foundation
import Vapor
import WaybillCore

/// A shop: the owner of every other record. One deployment serves many.
// Fluent models are reference types mutated only by the request that loaded them.
final class Shop: Model, @unchecked Sendable {
    static let schema = "shops"

    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "currency") var currency: String
    @Field(key: "timezone") var timezone: String
    @Field(key: "locale") var locale: String
    @Field(key: "hold_policy") var holdPolicy: HoldPolicy
    @Field(key: "next_order_number") var nextOrderNumber: Int64
    @OptionalField(key: "inventory_policy") var inventoryPolicy: InventoryPolicy?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID, slug: String, name: String, currency: String, timezone: String, locale: String, createdAt: Date) {
        self.id = id
        self.slug = slug
        self.name = name
        self.currency = currency
        self.timezone = timezone
        self.locale = locale
        self.holdPolicy = HoldPolicy()
        self.nextOrderNumber = 1001
        self.createdAt = createdAt
    }
}

/// What order intake needs to know about a shop, read without hydrating the whole model.
struct ShopRules: Sendable {
    var id: UUID
    var currency: String
    var holdPolicy: HoldPolicy
    var inventoryPolicy: InventoryPolicy

    /// The rules as this instance last read them, for at most five seconds: intake asks on every order.
    /// A change saved through this instance (any save of a `Shop`) drops its entry at once; another
    /// instance sees it within the five seconds. Order numbers are not part of the rules.
    static func cached(_ shopID: UUID, application: Application) async throws -> ShopRules? {
        if let rules = application.shopRules.lookup(shopID) { return rules }
        guard let rules = try await load(shopID, on: application.db as! any SQLDatabase) else { return nil }
        application.shopRules.store(shopID, rules)
        return rules
    }

    static func load(_ shopID: UUID, on sql: any SQLDatabase) async throws -> ShopRules? {
        guard let row = try await sql.raw("SELECT currency, hold_policy, inventory_policy FROM shops WHERE id = \(bind: shopID)").first() else {
            return nil
        }
        return ShopRules(id: shopID, currency: try row.decode(column: "currency", as: String.self),
                         holdPolicy: try row.decode(column: "hold_policy", as: HoldPolicy.self),
                         inventoryPolicy: try row.decode(column: "inventory_policy", as: InventoryPolicy?.self) ?? InventoryPolicy())
    }
}

extension Application {
    private struct ShopRulesKey: StorageKey { typealias Value = ExpiringCache<UUID, ShopRules> }

    var shopRules: ExpiringCache<UUID, ShopRules> { shared(ShopRulesKey.self) { ExpiringCache(ttl: .seconds(5), capacity: 1_000) } }
}

/// Drops a shop's cached rules whenever this instance saves or deletes the shop, whoever saves it.
struct ShopRulesInvalidation: AsyncModelMiddleware {
    let cache: ExpiringCache<UUID, ShopRules>

    func create(model: Shop, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.create(model, on: db)
        model.id.map(cache.remove)
    }

    func update(model: Shop, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        model.id.map(cache.remove)
        try await next.update(model, on: db)
        model.id.map(cache.remove)
    }

    func delete(model: Shop, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        model.id.map(cache.remove)
        try await next.delete(model, force: force, on: db)
        model.id.map(cache.remove)
    }
}

extension Shop {
    var rules: ShopRules {
        get throws {
            ShopRules(id: try requireID(), currency: currency, holdPolicy: holdPolicy, inventoryPolicy: inventoryPolicy ?? InventoryPolicy())
        }
    }
}

struct M001CreateShops: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Shop.schema)
            .id()
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("currency", .string, .required)
            .field("timezone", .string, .required)
            .field("locale", .string, .required)
            .field("hold_policy", .json, .required)
            .field("next_order_number", .int64, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "slug")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Shop.schema).delete()
    }
}
