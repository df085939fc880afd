import Fluent
import Foundation

/// A place stock is kept and shipped from. Locations, bins and capacity come with the inventory capability.
// Fluent models are reference types mutated only by the request that loaded them.
final class Warehouse: Model, @unchecked Sendable {
    static let schema = "warehouses"

    @ID(key: .id) var id: UUID?
    @Parent(key: "shop_id") var shop: Shop
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "country") var country: String
    @Field(key: "region") var region: String
    @Field(key: "timezone") var timezone: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID, shopID: UUID, code: String, name: String, country: String, region: String, timezone: String, createdAt: Date) {
        self.id = id
        self.$shop.id = shopID
        self.code = code
        self.name = name
        self.country = country
        self.region = region
        self.timezone = timezone
        self.createdAt = createdAt
    }
}

struct M011CreateWarehouses: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Warehouse.schema)
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("country", .string, .required)
            .field("region", .string, .required)
            .field("timezone", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "shop_id", "code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Warehouse.schema).delete()
    }
}
