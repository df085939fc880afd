import Fluent
import SQLKit

/// Stored replenishment plans, the current state of stock alerts, the shop-level fact stream and the leases
/// that keep one instance at a time on a scheduled job.
struct M018CreateStockPlansAndAlerts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One row per SKU and location, rewritten by the planning job: forecasting every series on every
        // request does not scale to 150,000 positions, and alerts between runs only need the stored plan.
        try await database.schema("stock_plans")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("location_id", .uuid, .required, .references("stock_locations", .id))
            .field("sku", .string, .required)
            .field("computed_at", .datetime, .required)
            .field("forecast_method", .string, .required)
            .field("supplier", .string)
            .field("plan", .string, .required)
            // Also inside `plan`; a column so that "below the reorder point" is a WHERE clause.
            .field("reorder_point", .double, .required)
            .field("forecast", .string, .required)
            .field("last_sale_at", .datetime)
            .field("first_movement_at", .datetime)
            .unique(on: "location_id", "sku")
            .create()
        // The alerts that hold now (and the ones that held before, with when they cleared). A raise or a
        // clear is a conditional write, so two instances evaluating the same position produce one fact.
        try await database.schema("stock_alerts")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("location_id", .uuid, .required, .references("stock_locations", .id))
            .field("sku", .string, .required)
            .field("kind", .string, .required)
            .field("active", .bool, .required)
            .field("raised_at", .datetime, .required)
            .field("cleared_at", .datetime)
            .field("evaluated_at", .datetime, .required)
            .field("detail", .string, .required)
            .unique(on: "location_id", "sku", "kind")
            .create()
        try await database.schema("shop_facts")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("kind", .string, .required)
            .field("subject", .string, .required)
            .field("occurred_at", .datetime, .required)
            .field("actor", .string, .required)
            .field("source", .string, .required)
            .field("payload", .string, .required)
            .create()
        try await database.schema("replenishment_settings")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("sku", .string, .required)
            .field("settings", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "shop_id", "sku")
            .create()
        try await database.schema("job_leases")
            .field("name", .string, .identifier(auto: false))
            .field("holder", .string, .required)
            .field("lease_until", .datetime, .required)
            .field("last_run_at", .datetime)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX shop_facts_shop_time ON shop_facts (shop_id, occurred_at)").run()
        try await sql.raw("CREATE INDEX stock_alerts_active ON stock_alerts (shop_id, active)").run()
        // The alert job finds the positions that moved since its last pass.
        try await sql.raw("CREATE INDEX stock_movements_shop_time ON stock_movements (shop_id, occurred_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP INDEX stock_movements_shop_time").run()
        for table in ["job_leases", "replenishment_settings", "shop_facts", "stock_alerts", "stock_plans"] { try await database.schema(table).delete() }
    }
}
