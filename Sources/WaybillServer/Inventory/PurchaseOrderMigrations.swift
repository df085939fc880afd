import Fluent
import SQLKit

/// Stock the shop has ordered from a supplier: what arrives when, and what has arrived (partial receipts).
struct M017CreatePurchaseOrders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("purchase_orders")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("number", .string, .required)
            .field("supplier", .string, .required)
            .field("location_id", .uuid, .required, .references("stock_locations", .id))
            .field("status", .string, .required)
            .field("ordered_at", .datetime, .required)
            .field("expected_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "shop_id", "number")
            .create()
        try await database.schema("purchase_order_lines")
            .id()
            .field("purchase_order_id", .uuid, .required, .references("purchase_orders", .id))
            .field("variant_id", .uuid, .required, .references(Variant.schema, .id))
            .field("sku", .string, .required)
            .field("ordered", .int64, .required)
            .field("received", .int64, .required)
            .unique(on: "purchase_order_id", "variant_id")
            .create()
        // One row per receipt: the observed supplier lead time that replenishment learns from.
        try await database.schema("purchase_order_receipts")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("purchase_order_id", .uuid, .required, .references("purchase_orders", .id))
            .field("supplier", .string, .required)
            .field("received_at", .datetime, .required)
            .field("lead_time_days", .double, .required)
            .field("units", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX purchase_orders_open ON purchase_orders (shop_id, status)").run()
        try await sql.raw("CREATE INDEX purchase_order_receipts_supplier ON purchase_order_receipts (shop_id, supplier, received_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("purchase_order_receipts").delete()
        try await database.schema("purchase_order_lines").delete()
        try await database.schema("purchase_orders").delete()
    }
}
