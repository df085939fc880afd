import Fluent
import SQLKit

/// The inbox (DESIGN mechanism 2): every inbound request stored raw with the sender's event id before it is
/// acknowledged; and the shared secret each inbound source signs with, per shop.
struct M020CreateInbox: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("inbox_messages")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("source", .string, .required)
            .field("event_id", .string, .required)
            .field("received_at", .datetime, .required)
            .field("body", .string, .required)
            // received → processed | orphan | failed; received rows are retried by the job.
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("error", .string)
            .field("processed_at", .datetime)
            // What the payload was about, for matching orphans when the shipment appears.
            .field("tracking_number", .string)
            .unique(on: "shop_id", "source", "event_id")
            .create()
        try await database.schema("inbound_webhooks")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("source", .string, .required)
            .field("secret", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "shop_id", "source")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX inbox_messages_status ON inbox_messages (status, received_at)").run()
        try await sql.raw("CREATE INDEX inbox_messages_tracking ON inbox_messages (shop_id, tracking_number)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["inbound_webhooks", "inbox_messages"] { try await database.schema(table).delete() }
    }
}
