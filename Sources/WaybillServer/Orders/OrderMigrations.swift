import Fluent
import SQLKit

struct M006CreateOrders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Order.schema)
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("number", .int64, .required)
            .field("source", .string, .required)
            .field("external_id", .string)
            .field("status", .string, .required)
            .field("currency", .string, .required)
            .field("locale", .string, .required)
            .field("customer_name", .string, .required)
            .field("customer_email", .string, .required)
            .field("customer_phone", .string)
            .field("shipping_address", .json, .required)
            .field("billing_address", .json)
            .field("ship_country", .string, .required)
            .field("subtotal", .int64, .required)
            .field("discount_total", .int64, .required)
            .field("shipping_total", .int64, .required)
            .field("tax_total", .int64, .required)
            .field("total", .int64, .required)
            .field("note", .string)
            .field("items_signature", .string, .required)
            .field("placed_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "shop_id", "number")
            .unique(on: "shop_id", "source", "external_id")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX orders_shop_email ON orders (shop_id, customer_email, placed_at)").run()
        try await sql.raw("CREATE INDEX orders_shop_status ON orders (shop_id, status, number)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Order.schema).delete()
    }
}

struct M007CreateOrderLines: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OrderLine.schema)
            .id()
            .field("order_id", .uuid, .required, .references(Order.schema, .id))
            .field("position", .int, .required)
            .field("variant_id", .uuid, .required)
            .field("sku", .string, .required)
            .field("name", .string, .required)
            .field("quantity", .int64, .required)
            .field("unit_price", .int64, .required)
            .field("discount", .int64, .required)
            .field("total", .int64, .required)
            .unique(on: "order_id", "position")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OrderLine.schema).delete()
    }
}

struct M008CreateOrderHolds: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OrderHold.schema)
            .id()
            .field("order_id", .uuid, .required, .references(Order.schema, .id))
            .field("shop_id", .uuid, .required)
            .field("reason", .string, .required)
            .field("detail", .string, .required)
            .field("created_at", .datetime, .required)
            .field("released_at", .datetime)
            .field("released_by", .string)
            .create()
        try await (database as! any SQLDatabase)
            .raw("CREATE INDEX order_holds_order ON order_holds (order_id, released_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OrderHold.schema).delete()
    }
}
