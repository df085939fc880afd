import Fluent
import SQLKit

/// Where stock sits inside a warehouse. Capacity and bins come with the warehouse-space capability.
struct M012CreateStockLocations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("stock_locations")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("warehouse_id", .uuid, .required, .references(Warehouse.schema, .id))
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "shop_id", "code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("stock_locations").delete()
    }
}

/// The materialised stock of one variant at one location; always the sum of its ledger rows.
struct M013CreateStockLevels: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("stock_levels")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("location_id", .uuid, .required, .references("stock_locations", .id))
            .field("variant_id", .uuid, .required, .references(Variant.schema, .id))
            .field("sku", .string, .required)
            .field("on_hand", .int64, .required)
            .field("reserved", .int64, .required)
            .field("damaged", .int64, .required)
            .field("safety_buffer", .int64, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "location_id", "variant_id")
            .create()
        try await (database as! any SQLDatabase).raw("CREATE INDEX stock_levels_shop_sku ON stock_levels (shop_id, sku)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("stock_levels").delete()
    }
}

/// The stock ledger: one row per change, never updated or deleted. The deltas make re-summing one GROUP BY.
struct M014CreateStockMovements: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("stock_movements")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("location_id", .uuid, .required, .references("stock_locations", .id))
            .field("variant_id", .uuid, .required, .references(Variant.schema, .id))
            .field("sku", .string, .required)
            .field("reason", .string, .required)
            .field("quantity", .int64, .required)
            .field("on_hand_delta", .int64, .required)
            .field("reserved_delta", .int64, .required)
            .field("damaged_delta", .int64, .required)
            .field("reference_kind", .string, .required)
            .field("reference_id", .string, .required)
            .field("actor", .string, .required)
            .field("note", .string)
            .field("occurred_at", .datetime, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX stock_movements_level ON stock_movements (location_id, variant_id, occurred_at)").run()
        try await sql.raw("CREATE INDEX stock_movements_shop_sku ON stock_movements (shop_id, sku, occurred_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("stock_movements").delete()
    }
}

/// Which location holds each order line's reservation, so a cancellation releases exactly that.
struct M015CreateOrderAllocations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("order_allocations")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("order_id", .uuid, .required, .references(Order.schema, .id))
            .field("location_id", .uuid, .required, .references("stock_locations", .id))
            .field("variant_id", .uuid, .required, .references(Variant.schema, .id))
            .field("sku", .string, .required)
            .field("quantity", .int64, .required)
            .field("state", .string, .required)
            .create()
        try await (database as! any SQLDatabase).raw("CREATE INDEX order_allocations_order ON order_allocations (order_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("order_allocations").delete()
    }
}

/// Whether a variant's stock is tracked (and so reserved by orders); the shop's allocation rules.
struct M016AddInventorySettings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Variant.schema)
            .field("track_inventory", .bool, .required, .sql(.default(false)))
            .update()
        try await database.schema(Shop.schema)
            .field("inventory_policy", .json)
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Variant.schema).deleteField("track_inventory").update()
        try await database.schema(Shop.schema).deleteField("inventory_policy").update()
    }
}

/// PostgreSQL: the error with which a one-statement order write gives up when a line's stock was taken
/// meanwhile (`InventoryStore.reservingInOrderStatement`). A function, because plain SQL cannot raise; volatile,
/// so it runs only when reached.
struct M026CreateReservationGuard: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("""
            CREATE OR REPLACE FUNCTION waybill_reservation_lost() RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
            BEGIN RAISE EXCEPTION 'stock for an order line was taken by another order' USING ERRCODE = '\(unsafeRaw: InventoryStore.lostState)'; END $$
            """).run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("DROP FUNCTION IF EXISTS waybill_reservation_lost()").run()
    }
}
