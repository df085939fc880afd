import Foundation
import SQLKit
import Vapor
import WaybillCore

/// Keeps `stock_alerts` equal to what the alert rules say now, and records each change as a shop fact
/// (`stock_alert_raised`, `stock_alert_cleared`) that notification rules can send (F1).
///
/// Raising and clearing are conditional writes (`… WHERE active = false` / `… WHERE active = true`), so
/// when two instances evaluate the same position at once only one of them records the fact.
struct StockAlerts {
    let application: Application
    let now: Date

    var sql: any SQLDatabase { application.db as! any SQLDatabase }

    struct Outcome: Sendable, Equatable {
        var evaluated = 0
        var raised: [String] = []
        var cleared: [String] = []
    }

    /// An alert as the API and console show it.
    struct AlertDTO: Codable, Sendable {
        var sku: String
        var location: String
        var warehouse: String
        var kind: String
        var active: Bool
        var raisedAt: Date
        var clearedAt: Date?
        var evaluatedAt: Date
        var detail: JSONValue
    }

    /// What a raised or cleared fact carries.
    struct FactPayload: Codable, Sendable {
        var sku: String
        var location: String
        var warehouse: String
        var kind: String
        var detail: StockAlert.Detail
    }

    /// Evaluates the shop's positions of `skus` (every tracked position when nil) and records what changed.
    @discardableResult
    func evaluate(shopID: UUID, skus: [String]? = nil) async throws -> Outcome {
        let suggestions = try await Replenishment(application: application, now: now).suggestions(shopID: shopID, skus: skus)
        var active: [String: (id: UUID, location: String)] = [:]
        var query: SQLQueryString = """
            SELECT a.id, a.sku, l.code AS location, a.kind FROM stock_alerts a JOIN stock_locations l ON l.id = a.location_id
            WHERE a.shop_id = \(bind: shopID) AND a.active = \(bind: true)
            """
        if let skus { query += skus.isEmpty ? " AND 1 = 0" : " AND a.sku IN (\(binds: skus))" }
        for row in try await sql.raw(query).all() {
            let location = try row.decode(column: "location", as: String.self)
            active["\(try row.decode(column: "sku", as: String.self))@\(location)/\(try row.decode(column: "kind", as: String.self))"] =
                (try row.decode(column: "id", as: UUID.self), location)
        }
        let holding = suggestions.flatMap { suggestion in suggestion.alerts.map { (suggestion, $0) } }
        let holdingKeys = Set(holding.map { "\($0.0.sku)@\($0.0.location)/\($0.1.kind.rawValue)" })
        let toClear = active.filter { !holdingKeys.contains($0.key) }
        let time = now
        let ids = application.dependencies.ids
        let outcome = try await application.write { db -> Outcome in
            let sql = db as! any SQLDatabase
            let facts = ShopFacts(sql: sql, newID: ids.next)
            var outcome = Outcome(evaluated: suggestions.count)
            for (suggestion, alert) in holding {
                let name = "\(suggestion.sku)@\(suggestion.location)/\(alert.kind.rawValue)"
                let detail = String(decoding: try JSONCoding.encoder.encode(alert.detail), as: UTF8.self)
                // Inserted, or re-activated from cleared: either way a raise. An alert already active only
                // has its figures refreshed.
                let raised = try await sql.raw("""
                    INSERT INTO stock_alerts (id, shop_id, location_id, sku, kind, active, raised_at, cleared_at, evaluated_at, detail)
                    VALUES (\(bind: ids.next()), \(bind: shopID), \(bind: alert.key.locationID), \(bind: suggestion.sku),
                            \(bind: alert.kind.rawValue), \(bind: true), \(bind: time), NULL, \(bind: time), \(bind: detail))
                    ON CONFLICT (location_id, sku, kind) DO UPDATE SET active = excluded.active, raised_at = excluded.raised_at,
                        cleared_at = NULL, evaluated_at = excluded.evaluated_at, detail = excluded.detail
                    WHERE stock_alerts.active = \(bind: false)
                    RETURNING id
                    """).first() != nil
                if raised {
                    try await facts.append(shopID: shopID, .stockAlertRaised, subject: "stock:\(suggestion.sku)@\(suggestion.location)",
                                           payload: FactPayload(sku: suggestion.sku, location: suggestion.location,
                                                                warehouse: suggestion.warehouse, kind: alert.kind.rawValue, detail: alert.detail),
                                           actor: .system, at: time)
                    outcome.raised.append(name)
                } else {
                    try await sql.raw("""
                        UPDATE stock_alerts SET evaluated_at = \(bind: time), detail = \(bind: detail)
                        WHERE location_id = \(bind: alert.key.locationID) AND sku = \(bind: suggestion.sku) AND kind = \(bind: alert.kind.rawValue)
                        """).run()
                }
            }
            for (name, alert) in toClear.sorted(by: { $0.key < $1.key }) {
                guard let row = try await sql.raw("""
                    UPDATE stock_alerts SET active = \(bind: false), cleared_at = \(bind: time), evaluated_at = \(bind: time)
                    WHERE id = \(bind: alert.id) AND active = \(bind: true)
                    RETURNING sku, kind, detail
                    """).first() else { continue }
                let sku = try row.decode(column: "sku", as: String.self)
                let location = alert.location
                try await facts.append(shopID: shopID, .stockAlertCleared, subject: "stock:\(sku)@\(location)",
                                       payload: ClearedPayload(sku: sku, location: location, kind: try row.decode(column: "kind", as: String.self),
                                                               lastDetail: JSONValue.parse(try row.decode(column: "detail", as: String.self))),
                                       actor: .system, at: time)
                outcome.cleared.append(name)
            }
            return outcome
        }
        return outcome
    }

    /// Re-evaluates the SKUs an operator just moved, so the console is right at once. The movement has
    /// committed: a failure here is logged and left to the job's next pass, never turned into an error.
    static func afterMovement(_ req: Request, shopID: UUID, skus: [String]) async {
        do {
            try await StockAlerts(application: req.application, now: req.now).evaluate(shopID: shopID, skus: Array(Set(skus)).sorted())
        } catch {
            req.logger.warning("stock alerts not evaluated after a movement: \(String(reflecting: error)); the job will retry")
        }
    }

    struct ClearedPayload: Codable, Sendable {
        var sku: String
        var location: String
        var kind: String
        var lastDetail: JSONValue
    }

    /// SKUs whose stock moved since `since` (the alert job's work list between full runs).
    func movedSKUs(shopID: UUID, since: Date) async throws -> [String] {
        try await sql.raw("""
            SELECT DISTINCT sku FROM stock_movements WHERE shop_id = \(bind: shopID) AND occurred_at >= \(bind: since)
            """).all().map { try $0.decode(column: "sku", as: String.self) }
    }

    /// SKUs with an active alert: re-checked every pass, since a purchase order can clear one without any
    /// stock moving.
    func alertedSKUs(shopID: UUID) async throws -> [String] {
        try await sql.raw("""
            SELECT DISTINCT sku FROM stock_alerts WHERE shop_id = \(bind: shopID) AND active = \(bind: true)
            """).all().map { try $0.decode(column: "sku", as: String.self) }
    }

    func list(shopID: UUID, state: String, kind: String?) async throws -> [AlertDTO] {
        var query: SQLQueryString = """
            SELECT a.sku, l.code AS location, w.code AS warehouse, a.kind, a.active, a.raised_at, a.cleared_at, a.evaluated_at, a.detail
            FROM stock_alerts a JOIN stock_locations l ON l.id = a.location_id JOIN warehouses w ON w.id = l.warehouse_id
            WHERE a.shop_id = \(bind: shopID)
            """
        switch state {
        case "active": query += " AND a.active = \(bind: true)"
        case "cleared": query += " AND a.active = \(bind: false)"
        default: break
        }
        if let kind { query += " AND a.kind = \(bind: kind)" }
        return try await sql.raw(query + " ORDER BY a.raised_at DESC, a.sku, l.code LIMIT 1000").all().map { row in
            AlertDTO(sku: try row.decode(column: "sku", as: String.self), location: try row.decode(column: "location", as: String.self),
                     warehouse: try row.decode(column: "warehouse", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                     active: try row.decode(column: "active", as: Bool.self), raisedAt: try row.decode(column: "raised_at", as: Date.self),
                     clearedAt: try row.decode(column: "cleared_at", as: Date?.self),
                     evaluatedAt: try row.decode(column: "evaluated_at", as: Date.self),
                     detail: JSONValue.parse(try row.decode(column: "detail", as: String.self)))
        }
    }
}
