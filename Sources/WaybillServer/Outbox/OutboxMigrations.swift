import Fluent
import SQLKit

/// The outbox (DESIGN mechanism 3) and what it needs: webhook endpoints, per-shop notification rules and
/// templates, customers' preferences, coupon pools for compensation, and the deployment's signing secret.
struct M024CreateOutbox: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One row per thing that leaves Waybill, or per batch of facts still to be turned into messages
        // (`kind = dispatch`). Written in the transaction of the fact that causes it.
        try await database.schema("outbox")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("order_id", .uuid, .references(Order.schema, .id))
            .field("kind", .string, .required)
            .field("trigger", .string)
            .field("shipment_id", .uuid)
            .field("endpoint_id", .uuid)
            .field("idempotency_key", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required, .sql(.default(0)))
            .field("next_attempt_at", .datetime, .required)
            .field("claimed_by", .string)
            .field("claimed_until", .datetime)
            .field("first_seq", .int)
            .field("last_seq", .int)
            .field("recipient", .string)
            .field("locale", .string)
            .field("subject", .string)
            .field("body_text", .string)
            .field("body_html", .string)
            .field("message_id", .string)
            .field("transport", .string)
            .field("last_error", .string)
            .field("provider_reply", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("sent_at", .datetime)
            .unique(on: "idempotency_key")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX outbox_due ON outbox (status, next_attempt_at)").run()
        try await sql.raw("CREATE INDEX outbox_shop ON outbox (shop_id, created_at)").run()
        try await sql.raw("CREATE INDEX outbox_order ON outbox (order_id)").run()

        try await database.schema("webhook_endpoints")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("url", .string, .required)
            .field("secret", .string, .required)
            .field("events", .string, .required)
            .field("description", .string, .required)
            .field("created_at", .datetime, .required)
            .field("consecutive_failures", .int, .required, .sql(.default(0)))
            .field("failing_since", .datetime)
            .field("last_success_at", .datetime)
            .field("last_error", .string)
            .field("disabled_at", .datetime)
            .create()

        try await database.schema("notification_settings")
            .field("shop_id", .uuid, .identifier(auto: false), .references(Shop.schema, .id))
            .field("settings", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema("notification_templates")
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("trigger", .string, .required)
            .field("channel", .string, .required)
            .field("locale", .string, .required)
            .field("subject", .string)
            .field("body_text", .string, .required)
            .field("body_html", .string)
            .field("updated_at", .datetime, .required)
            .unique(on: "shop_id", "trigger", "channel", "locale")
            .create()
        // Keyed by what the preference is about: `customer:<email>` or `order:<id>` (an order's own choice wins).
        try await database.schema("notification_preferences")
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("subject", .string, .required)
            .field("email", .bool)
            .field("sms", .bool)
            .field("locale", .string)
            .field("updated_at", .datetime, .required)
            .unique(on: "shop_id", "subject")
            .create()
        try await database.schema("coupon_codes")
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("pool", .string, .required)
            .field("code", .string, .required)
            .field("order_id", .uuid)
            .field("assigned_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "shop_id", "code")
            .create()
        try await sql.raw("CREATE INDEX coupon_codes_free ON coupon_codes (shop_id, pool, order_id)").run()
        try await database.schema("deployment_secrets")
            .field("name", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["deployment_secrets", "coupon_codes", "notification_preferences", "notification_templates",
                      "notification_settings", "webhook_endpoints", "outbox"] {
            try await database.schema(table).delete()
        }
    }
}
