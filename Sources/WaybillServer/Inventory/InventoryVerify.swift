import Foundation
import SQLKit

/// Re-sums the stock ledger and compares it with the materialised levels (`waybill inventory verify`).
/// Any difference is a bug: levels and ledger rows are always written in the same transaction.
struct InventoryVerify {
    let sql: any SQLDatabase

    struct Drift: Sendable, CustomStringConvertible {
        var sku: String
        var location: String
        var level: (onHand: Int64, reserved: Int64, damaged: Int64)
        var ledger: (onHand: Int64, reserved: Int64, damaged: Int64)

        var description: String {
            "\(sku) at \(location): level on hand \(level.onHand), reserved \(level.reserved), damaged \(level.damaged); "
                + "ledger says \(ledger.onHand), \(ledger.reserved), \(ledger.damaged)"
        }
    }

    struct Report: Sendable {
        var levels: Int
        var movements: Int64
        var drifts: [Drift]
        var seconds: Double
    }

    func run(shopID: UUID? = nil) async throws -> Report {
        let started = ContinuousClock.now
        let shopFilter: SQLQueryString = shopID.map { "WHERE shop_id = \(bind: $0)" } ?? ""
        // Sum the ledger once per level (one pass over the movements), then compare row by row.
        let rows = try await sql.raw("""
            SELECT s.sku, l.code AS location, s.on_hand, s.reserved, s.damaged,
                   COALESCE(m.on_hand, 0) AS ledger_on_hand, COALESCE(m.reserved, 0) AS ledger_reserved,
                   COALESCE(m.damaged, 0) AS ledger_damaged, COALESCE(m.n, 0) AS movements
            FROM (SELECT * FROM stock_levels \(shopFilter)) s
            JOIN stock_locations l ON l.id = s.location_id
            LEFT JOIN (SELECT location_id, variant_id, CAST(SUM(on_hand_delta) AS BIGINT) AS on_hand,
                              CAST(SUM(reserved_delta) AS BIGINT) AS reserved, CAST(SUM(damaged_delta) AS BIGINT) AS damaged,
                              COUNT(*) AS n
                       FROM stock_movements \(shopFilter) GROUP BY location_id, variant_id) m
              ON m.location_id = s.location_id AND m.variant_id = s.variant_id
            """).all()
        var drifts: [Drift] = []
        var movements: Int64 = 0
        for row in rows {
            let level = (try row.decode(column: "on_hand", as: Int64.self), try row.decode(column: "reserved", as: Int64.self),
                         try row.decode(column: "damaged", as: Int64.self))
            let ledger = (try row.decode(column: "ledger_on_hand", as: Int64.self), try row.decode(column: "ledger_reserved", as: Int64.self),
                          try row.decode(column: "ledger_damaged", as: Int64.self))
            movements += try row.decode(column: "movements", as: Int64.self)
            if level != ledger {
                drifts.append(Drift(sku: try row.decode(column: "sku", as: String.self),
                                    location: try row.decode(column: "location", as: String.self), level: level, ledger: ledger))
            }
        }
        let orphans = try await sql.raw("""
            SELECT COUNT(*) AS n FROM stock_movements m
            WHERE NOT EXISTS (SELECT 1 FROM stock_levels s WHERE s.location_id = m.location_id AND s.variant_id = m.variant_id)
            """).first()?.decode(column: "n", as: Int64.self) ?? 0
        if orphans > 0 {
            drifts.append(Drift(sku: "*", location: "*", level: (0, 0, 0), ledger: (orphans, 0, 0)))
        }
        let elapsed = ContinuousClock.now - started
        return Report(levels: rows.count, movements: movements, drifts: drifts,
                      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
