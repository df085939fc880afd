import Fluent
import SQLKit

/// Shipments (some lines of an order, from one location, with one carrier), their lines, and every
/// tracking event as it arrived, normalised, with the carrier's own code and text.
struct M019CreateShipments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("shipments")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("order_id", .uuid, .required, .references(Order.schema, .id))
            .field("number", .string, .required)
            .field("location_id", .uuid, .required, .references("stock_locations", .id))
            .field("carrier", .string, .required)
            .field("service", .string)
            .field("tracking_number", .string)
            // packed → handed_over; tracking_status is the carrier's story (pending until the first event).
            .field("state", .string, .required)
            .field("tracking_status", .string, .required)
            .field("tracking_substatus", .string)
            .field("packages", .string, .required)
            .field("created_at", .datetime, .required)
            .field("handed_over_at", .datetime)
            .field("delivered_at", .datetime)
            .field("last_scan_at", .datetime)
            .field("last_checked_at", .datetime)
            .field("next_check_at", .datetime)
            .field("updated_at", .datetime, .required)
            .unique(on: "shop_id", "number")
            .create()
        try await database.schema("shipment_lines")
            .id()
            .field("shipment_id", .uuid, .required, .references("shipments", .id))
            .field("variant_id", .uuid, .required, .references(Variant.schema, .id))
            .field("sku", .string, .required)
            .field("quantity", .int64, .required)
            .unique(on: "shipment_id", "variant_id")
            .create()
        try await database.schema("tracking_events")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("shipment_id", .uuid, .required, .references("shipments", .id))
            .field("status", .string, .required)
            .field("substatus", .string)
            .field("raw_code", .string)
            .field("raw_text", .string)
            .field("location", .string)
            .field("occurred_at", .datetime, .required)
            .field("utc_offset_seconds", .int)
            .field("arrival_seq", .int64, .required)
            .field("source", .string, .required)
            .field("dedupe_key", .string, .required)
            .field("received_at", .datetime, .required)
            .unique(on: "shipment_id", "dedupe_key")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX shipments_order ON shipments (order_id)").run()
        try await sql.raw("CREATE INDEX shipments_tracking ON shipments (shop_id, tracking_number)").run()
        try await sql.raw("CREATE INDEX shipments_status ON shipments (shop_id, tracking_status)").run()
        try await sql.raw("CREATE INDEX tracking_events_shipment ON tracking_events (shipment_id, occurred_at)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["tracking_events", "shipment_lines", "shipments"] { try await database.schema(table).delete() }
    }
}
