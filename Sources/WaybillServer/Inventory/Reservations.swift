import Foundation
import FluentPostgresDriver
import SQLKit
import WaybillCore

/// An order lost a race for its last units between planning and reserving; intake plans again.
struct ReservationLost: Error {}

/// One planned reservation with the variant it is for.
struct PlannedReservation: Sendable {
    var allocation: Allocation
    var variantID: UUID
}

extension InventoryStore {
    /// Rows that record an order's reservations: its ledger entries and its allocations, to be inserted by the
    /// caller in the same transaction (intake folds them into its one insert statement).
    struct ReservationRows: Sendable {
        var ledger: [[any Encodable & Sendable]]
        var allocations: [[any Encodable & Sendable]]
        static let allocationColumns = ["id", "shop_id", "order_id", "location_id", "variant_id", "sku", "quantity", "state"]
    }

    /// Reserves every planned line or none: any line that lost its race throws `ReservationLost`, and the
    /// caller's transaction rolls the others back. Returns the ledger and allocation rows to insert.
    func reserveAll(_ plan: [PlannedReservation], shopID: UUID, orderID: UUID, actor: String, allowBackorder: Bool) async throws -> ReservationRows {
        guard !plan.isEmpty else { return ReservationRows(ledger: [], allocations: []) }
        // A fixed order of row locks, so two orders reserving the same SKUs cannot deadlock.
        let ordered = plan.sorted { ($0.allocation.locationID.uuidString, $0.variantID.uuidString) < ($1.allocation.locationID.uuidString, $1.variantID.uuidString) }
        var entries: [Entry] = []
        // Several lines without backorders: one statement takes them all (one round trip instead of one per line).
        let positions = Set(ordered.map { PositionKey(locationID: $0.allocation.locationID, variantID: $0.variantID) })
        let together = !allowBackorder && ordered.count > 1 && positions.count == ordered.count
            ? try await reserveTogether(ordered) : nil
        for item in ordered {
            let a = item.allocation
            let after: LevelRow
            if let together {
                guard let row = together[PositionKey(locationID: a.locationID, variantID: item.variantID)] else { throw ReservationLost() }
                after = row
            } else {
                if allowBackorder {
                    _ = try await lockLevel(shopID: shopID, locationID: a.locationID, variantID: item.variantID, sku: a.sku)
                }
                guard let row = try await reserve(locationID: a.locationID, variantID: item.variantID, quantity: a.quantity,
                                                  allowBackorder: allowBackorder) else {
                    throw ReservationLost()
                }
                after = row
            }
            var before = after.level
            before.reserved -= a.quantity
            entries.append(reservationEntry(item, before: before, after: after.level, shopID: shopID, orderID: orderID, actor: actor))
        }
        return ReservationRows(ledger: entries.map(ledgerRow), allocations: allocationRows(ordered, shopID: shopID, orderID: orderID))
    }

    /// Whether PostgreSQL's one-statement order write can take this plan's reservations: no backorders (that
    /// path creates missing level rows) and each position once.
    static func reservesInOrderStatement(_ plan: [PlannedReservation], allowBackorder: Bool, on sql: any SQLDatabase) -> Bool {
        sql.dialect.name == "postgresql" && !plan.isEmpty && !allowBackorder
            && Set(plan.map { PositionKey(locationID: $0.allocation.locationID, variantID: $0.variantID) }).count == plan.count
    }

    /// PostgreSQL's one-statement order write (see `reservesInOrderStatement`): common table expressions
    /// that lock the planned levels in `(location_id, variant_id)` order (as every reserving path does, so
    /// two orders cannot deadlock), take each line's quantity where that much is available, and `guard`,
    /// which calls `waybill_reservation_lost()` — an error that aborts the whole statement, inserts included —
    /// unless every line got its units. The statement must select from `guard`. Returns the fragment and the
    /// ledger and allocation rows, which are known before the statement runs.
    func reservingInOrderStatement(_ plan: [PlannedReservation], shopID: UUID, orderID: UUID, actor: String) -> (SQLQueryString, ReservationRows) {
        let fragment = Self.wanted(plan) + ", " + Self.locked + ", reserved AS (" + reservingUpdate(returning: "stock_levels.id", locked: true)
            + "), guard AS (SELECT CASE WHEN (SELECT COUNT(*) FROM reserved) = \(unsafeRaw: String(plan.count)) THEN 0 "
            + "ELSE waybill_reservation_lost() END AS lost)"
        // The ledger records deltas, so its rows are known before the statement runs.
        let entries = plan.map { item in
            let before = StockLevel(sku: item.allocation.sku, locationID: item.allocation.locationID)
            var after = before
            after.reserved = item.allocation.quantity
            return reservationEntry(item, before: before, after: after, shopID: shopID, orderID: orderID, actor: actor)
        }
        return (fragment, ReservationRows(ledger: entries.map(ledgerRow), allocations: allocationRows(plan, shopID: shopID, orderID: orderID)))
    }

    private func reservationEntry(_ item: PlannedReservation, before: StockLevel, after: StockLevel, shopID: UUID, orderID: UUID,
                                  actor: String) -> Entry {
        Entry(shopID: shopID, locationID: item.allocation.locationID, variantID: item.variantID, sku: item.allocation.sku,
              reason: .reservation, quantity: item.allocation.quantity, before: before, after: after,
              reference: .init(.order, orderID.uuidString), actor: actor, note: nil)
    }

    /// PostgreSQL's answer when the guard of `reservingInOrderStatement` fired.
    static func isReservationLost(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == lostState
    }

    static let lostState = "WB409"

    private func allocationRows(_ plan: [PlannedReservation], shopID: UUID, orderID: UUID) -> [[any Encodable & Sendable]] {
        plan.map { [newID(), shopID, orderID, $0.allocation.locationID, $0.variantID, $0.allocation.sku, $0.allocation.quantity, "reserved"] }
    }

    struct PositionKey: Hashable {
        var locationID: UUID
        var variantID: UUID
    }

    /// Takes every line's quantity into reserved where that much is available, in one statement; returns the
    /// levels it changed by position. A line that is missing from the answer lost its race, and the caller's
    /// transaction must roll the others back. Each position appears once in `plan` (the caller checks).
    ///
    /// On PostgreSQL the rows are first locked in `(location_id, variant_id)` order, the order the
    /// line-by-line path takes them in, so two orders for the same SKUs cannot deadlock. On SQLite the write
    /// gate already lets one writer in at a time.
    private func reserveTogether(_ plan: [PlannedReservation]) async throws -> [PositionKey: LevelRow] {
        let postgres = sql.dialect.name == "postgresql"
        let rows = try await sql.raw("WITH " + Self.wanted(plan) + (postgres ? ", " + Self.locked : "") + " "
                                     + reservingUpdate(returning: Self.levelColumns, locked: postgres))
            .all(decoding: LevelRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return Dictionary(rows.map { (PositionKey(locationID: $0.locationId, variantID: $0.variantId), $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The lines to reserve, as a common table expression `wanted (location_id, variant_id, quantity)`.
    private static func wanted(_ plan: [PlannedReservation]) -> SQLQueryString {
        "wanted (location_id, variant_id, quantity) AS (VALUES "
            + SQLRows.values(plan.map { [$0.allocation.locationID, $0.variantID, $0.allocation.quantity] }) + ")"
    }

    /// PostgreSQL: the wanted levels locked in `(location_id, variant_id)` order, the order the line-by-line
    /// path takes them in, so two orders for the same SKUs cannot deadlock.
    private static let locked: SQLQueryString = """
        locked AS (SELECT s.id FROM stock_levels s JOIN wanted w ON s.location_id = w.location_id AND s.variant_id = w.variant_id
            ORDER BY s.location_id, s.variant_id FOR UPDATE OF s)
        """

    /// Takes each wanted line's quantity into reserved where that much is available (only among the `locked`
    /// rows when `locked`), returning `returning`.
    private func reservingUpdate(returning: String, locked: Bool) -> SQLQueryString {
        """
        UPDATE stock_levels SET reserved = stock_levels.reserved + w.quantity, updated_at = \(bind: now)
        FROM wanted w WHERE stock_levels.location_id = w.location_id AND stock_levels.variant_id = w.variant_id
        AND stock_levels.on_hand - stock_levels.reserved - stock_levels.safety_buffer >= w.quantity
        """ + (locked ? " AND stock_levels.id IN (SELECT id FROM locked)" : "") + " RETURNING \(unsafeRaw: returning)"
    }

    private static let levelColumns = """
        stock_levels.id AS id, stock_levels.location_id AS location_id, stock_levels.variant_id AS variant_id,
        stock_levels.sku AS sku, stock_levels.on_hand AS on_hand, stock_levels.reserved AS reserved,
        stock_levels.damaged AS damaged, stock_levels.safety_buffer AS safety_buffer
        """

    /// Releases `quantity` units of one allocation (the whole allocation when it is all of it): the level, the
    /// allocation row, and the ledger entry to write.
    func release(allocationID: UUID, allocated: Int64, quantity: Int64, locationID: UUID, variantID: UUID, sku: String,
                 shopID: UUID, orderID: UUID, actor: String, note: String?) async throws -> Entry {
        let level = try await lockLevel(shopID: shopID, locationID: locationID, variantID: variantID, sku: sku)
        let movement = StockMovement(sku: sku, locationID: locationID, reason: .release, quantity: quantity,
                                     reference: .init(.order, orderID.uuidString), actor: actor, occurredAt: now)
        let after = try level.level.applying(movement, allowBackorder: true)
        try await store(after, id: level.id)
        if quantity >= allocated {
            try await sql.raw("UPDATE order_allocations SET state = 'released' WHERE id = \(bind: allocationID)").run()
        } else {
            try await sql.raw("UPDATE order_allocations SET quantity = quantity - \(bind: quantity) WHERE id = \(bind: allocationID)").run()
        }
        return Entry(shopID: shopID, locationID: locationID, variantID: variantID, sku: sku, reason: .release, quantity: quantity,
                     before: level.level, after: after, reference: movement.reference, actor: actor, note: note)
    }

    /// Gives back what an order still holds reserved (on cancellation). Returns the units released per SKU.
    @discardableResult
    func releaseAll(orderID: UUID, shopID: UUID, actor: String) async throws -> [String: Int64] {
        let held = try await sql.raw("""
            SELECT id, location_id, variant_id, sku, quantity FROM order_allocations
            WHERE order_id = \(bind: orderID) AND state = 'reserved'
            """).all()
        var entries: [Entry] = []
        var released: [String: Int64] = [:]
        for row in held {
            let sku = try row.decode(column: "sku", as: String.self)
            let quantity = try row.decode(column: "quantity", as: Int64.self)
            entries.append(try await release(
                allocationID: try row.decode(column: "id", as: UUID.self), allocated: quantity, quantity: quantity,
                locationID: try row.decode(column: "location_id", as: UUID.self), variantID: try row.decode(column: "variant_id", as: UUID.self),
                sku: sku, shopID: shopID, orderID: orderID, actor: actor, note: nil))
            released[sku, default: 0] += quantity
        }
        try await writeLedger(entries)
        return released
    }
}
