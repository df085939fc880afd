import Fluent
import SQLKit

/// Warehouse shipping schedules (cut-off, handling days, days without pick-up) and the fitted
/// transit model, one per shop, and each order's promise.
struct M022CreatePromises: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Warehouse.schema)
            .field("cutoff_minutes", .int, .required, .sql(.default(14 * 60)))
            .update()
        try await database.schema(Warehouse.schema)
            .field("handling_days", .int, .required, .sql(.default(1)))
            .update()
        try await database.schema(Warehouse.schema)
            .field("no_pickup_weekdays", .string, .required, .sql(.default("")))
            .update()
        try await database.schema("promise_models")
            .field("shop_id", .uuid, .identifier(auto: false), .references(Shop.schema, .id))
            .field("fitted_at", .datetime, .required)
            .field("model", .string, .required)
            .create()
        try await database.schema("promise_settings")
            .field("shop_id", .uuid, .identifier(auto: false), .references(Shop.schema, .id))
            .field("settings", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()
        // The promise made at order time (never changed) and the latest re-prediction beside it.
        try await database.schema("order_promises")
            .field("order_id", .uuid, .identifier(auto: false), .references(Order.schema, .id))
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("made_at", .datetime, .required)
            .field("carrier", .string, .required)
            .field("service", .string, .required)
            .field("warehouse", .string, .required)
            .field("earliest", .string, .required)
            .field("most_likely", .string, .required)
            .field("latest", .string, .required)
            .field("handling_starts", .string, .required)
            .field("target", .double, .required)
            .field("confidence", .double, .required)
            .field("reasons", .string, .required)
            .field("expected", .string)
            .field("probability_on_time", .double)
            .field("predicted_at", .datetime)
            .field("at_risk", .bool, .required, .sql(.default(false)))
            .field("at_risk_at", .datetime)
            .field("delivered_on", .string)
            .create()
        try await (database as! any SQLDatabase).raw("CREATE INDEX order_promises_open ON order_promises (shop_id, delivered_on, latest)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("order_promises").delete()
        try await database.schema("promise_models").delete()
        try await database.schema("promise_settings").delete()
        for field in ["cutoff_minutes", "handling_days", "no_pickup_weekdays"] {
            try await database.schema(Warehouse.schema).deleteField(.string(field)).update()
        }
    }
}
