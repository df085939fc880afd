import Foundation
import SQLKit
import WaybillCore

/// The stock tables in SQL: levels, the ledger and order allocations. The only writer of all three.
///
/// Every change writes its ledger row and updates the level in the caller's transaction. Reservations use
/// one conditional UPDATE (`… WHERE on_hand − reserved − safety_buffer ≥ q`), so two buyers can never take
/// the same unit, on SQLite or PostgreSQL (DESIGN mechanism 1). Other movements lock the level row
/// (`FOR UPDATE` on PostgreSQL; the write gate serialises SQLite) and are judged by `StockLevel.applying`.
struct InventoryStore {
    let sql: any SQLDatabase
    let now: Date
    let newID: @Sendable () -> UUID

    /// A level row with its ids.
    struct LevelRow: Decodable, Sendable {
        var id: UUID
        var locationId: UUID
        var variantId: UUID
        var sku: String
        var onHand: Int64
        var reserved: Int64
        var damaged: Int64
        var safetyBuffer: Int64

        var level: StockLevel {
            StockLevel(sku: sku, locationID: locationId, onHand: onHand, reserved: reserved, damaged: damaged, safetyBuffer: safetyBuffer)
        }
    }

    /// One ledger row to write.
    struct Entry: Sendable {
        var shopID: UUID
        var locationID: UUID
        var variantID: UUID
        var sku: String
        var reason: StockMovement.Reason
        var quantity: Int64
        var before: StockLevel
        var after: StockLevel
        var reference: StockMovement.Reference
        var actor: String
        var note: String?
    }

    static let ledgerColumns = ["id", "shop_id", "location_id", "variant_id", "sku", "reason", "quantity", "on_hand_delta",
                                "reserved_delta", "damaged_delta", "reference_kind", "reference_id", "actor", "note", "occurred_at"]

    func ledgerRow(_ e: Entry) -> [any Encodable & Sendable] {
        [newID(), e.shopID, e.locationID, e.variantID, e.sku, e.reason.rawValue, e.quantity,
         e.after.onHand - e.before.onHand, e.after.reserved - e.before.reserved, e.after.damaged - e.before.damaged,
         e.reference.kind.rawValue, e.reference.id, e.actor, e.note, now]
    }

    func writeLedger(_ entries: [Entry]) async throws {
        guard !entries.isEmpty else { return }
        try await sql.raw(SQLRows.insert(into: "stock_movements", Self.ledgerColumns, entries.map(ledgerRow))).run()
    }

    /// The level row, created empty if the variant was never stocked there, and locked for this transaction.
    func lockLevel(shopID: UUID, locationID: UUID, variantID: UUID, sku: String) async throws -> LevelRow {
        try await sql.raw("""
            INSERT INTO stock_levels (id, shop_id, location_id, variant_id, sku, on_hand, reserved, damaged, safety_buffer, updated_at)
            VALUES (\(bind: newID()), \(bind: shopID), \(bind: locationID), \(bind: variantID), \(bind: sku), 0, 0, 0, 0, \(bind: now))
            ON CONFLICT (location_id, variant_id) DO NOTHING
            """).run()
        let row = try await sql.select()
            .columns("id", "location_id", "variant_id", "sku", "on_hand", "reserved", "damaged", "safety_buffer")
            .from("stock_levels")
            .where("location_id", .equal, SQLBind(locationID)).where("variant_id", .equal, SQLBind(variantID))
            .for(.update)
            .first(decoding: LevelRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        guard let row else { throw APIError.notFound("stock level") }
        return row
    }

    func store(_ level: StockLevel, id: UUID) async throws {
        try await sql.update("stock_levels")
            .set("on_hand", to: SQLBind(level.onHand)).set("reserved", to: SQLBind(level.reserved))
            .set("damaged", to: SQLBind(level.damaged)).set("safety_buffer", to: SQLBind(level.safetyBuffer))
            .set("updated_at", to: SQLBind(now))
            .where("id", .equal, SQLBind(id))
            .run()
    }

    /// Takes `quantity` into reserved if that much is available (or backorders are allowed), returning the
    /// level after; nil when another buyer got there first (the caller rolls back and plans again).
    func reserve(locationID: UUID, variantID: UUID, quantity: Int64, allowBackorder: Bool) async throws -> LevelRow? {
        try await sql.raw("""
            UPDATE stock_levels SET reserved = reserved + \(bind: quantity), updated_at = \(bind: now)
            WHERE location_id = \(bind: locationID) AND variant_id = \(bind: variantID)
            AND (on_hand - reserved - safety_buffer >= \(bind: quantity) OR \(bind: allowBackorder))
            RETURNING id, location_id, variant_id, sku, on_hand, reserved, damaged, safety_buffer
            """).first(decoding: LevelRow.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// Units still to arrive on open purchase orders, per SKU and location (`sku`, `location_id`, `incoming`):
    /// joined as a subquery wherever levels are shown with what is incoming.
    static func incomingByPosition(shopID: UUID) -> SQLQueryString {
        """
        (SELECT pl.sku, po.location_id, CAST(SUM(pl.ordered - pl.received) AS BIGINT) AS incoming
         FROM purchase_order_lines pl JOIN purchase_orders po ON po.id = pl.purchase_order_id
         WHERE po.shop_id = \(bind: shopID) AND po.status <> 'received' AND pl.received < pl.ordered
         GROUP BY pl.sku, po.location_id)
        """
    }

    /// Every location's available stock of `skus`, with where the location is, for allocation.
    func stock(shopID: UUID, skus: [String]) async throws -> [LocationStock] {
        // One round trip: every location, with its levels of these SKUs where it has any (intake's hot path).
        let skuFilter: SQLQueryString = skus.isEmpty ? "1 = 0" : "s.sku IN (\(binds: skus))"
        let rows = try await sql.raw("""
            SELECT l.id, w.code, w.country, w.region, s.sku, s.on_hand - s.reserved - s.safety_buffer AS available
            FROM stock_locations l JOIN warehouses w ON w.id = l.warehouse_id
            LEFT JOIN stock_levels s ON s.location_id = l.id AND
            """ + " " + skuFilter + " WHERE l.shop_id = \(bind: shopID)").all()
        var byLocation: [UUID: LocationStock] = [:]
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self)
            if byLocation[id] == nil {
                byLocation[id] = LocationStock(locationID: id, warehouseCode: try row.decode(column: "code", as: String.self),
                                               country: try row.decode(column: "country", as: String.self),
                                               region: try row.decode(column: "region", as: String.self), available: [:])
            }
            if let sku = try row.decode(column: "sku", as: String?.self) {
                byLocation[id]?.available[sku] = try row.decode(column: "available", as: Int64.self)
            }
        }
        return Array(byLocation.values)
    }
}
