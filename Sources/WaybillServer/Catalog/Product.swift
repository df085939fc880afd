import Fluent
import Foundation

/// A product in a shop's catalog, named per locale (`["ko": …, "en": …]`).
// Fluent models are reference types mutated only by the request that loaded them.
final class Product: Model, @unchecked Sendable {
    static let schema = "products"

    @ID(key: .id) var id: UUID?
    @Parent(key: "shop_id") var shop: Shop
    @Field(key: "handle") var handle: String
    @Field(key: "names") var names: [String: String]
    @Field(key: "descriptions") var descriptions: [String: String]
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @Children(for: \.$product) var variants: [Variant]

    init() {}

    func name(locale: String) -> String {
        names[locale] ?? names["en"] ?? names["ko"] ?? names.values.sorted().first ?? handle
    }
}

/// A sellable variant of a product: the SKU an order names.
// Fluent models are reference types mutated only by the request that loaded them.
final class Variant: Model, @unchecked Sendable {
    static let schema = "variants"

    @ID(key: .id) var id: UUID?
    @Parent(key: "shop_id") var shop: Shop
    @Parent(key: "product_id") var product: Product
    @Field(key: "sku") var sku: String
    @Field(key: "titles") var titles: [String: String]
    @Field(key: "price") var price: Int64
    @Field(key: "currency") var currency: String
    @Field(key: "weight_grams") var weightGrams: Int
    @Field(key: "length_mm") var lengthMM: Int
    @Field(key: "width_mm") var widthMM: Int
    @Field(key: "height_mm") var heightMM: Int
    @Field(key: "active") var active: Bool
    @Field(key: "track_inventory") var trackInventory: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

struct M004CreateProducts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Product.schema)
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("handle", .string, .required)
            .field("names", .json, .required)
            .field("descriptions", .json, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "shop_id", "handle")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Product.schema).delete()
    }
}

struct M005CreateVariants: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Variant.schema)
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("product_id", .uuid, .required, .references(Product.schema, .id))
            .field("sku", .string, .required)
            .field("titles", .json, .required)
            .field("price", .int64, .required)
            .field("currency", .string, .required)
            .field("weight_grams", .int, .required)
            .field("length_mm", .int, .required)
            .field("width_mm", .int, .required)
            .field("height_mm", .int, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "shop_id", "sku")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Variant.schema).delete()
    }
}
