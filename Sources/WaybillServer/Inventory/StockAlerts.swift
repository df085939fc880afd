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

    /// Evaluates the shop's positions of `skus` (every tracked position when nil) and records what changed,
    /// in batches of a few hundred rows per statement (a nightly run touches every position).
    /// `planned`: the report of a planner run over the same positions just before, whose plans are used as
    /// they are instead of being read back.
    @discardableResult
    func evaluate(shopID: UUID, skus: [String]? = nil, planned: ReplenishmentPlanner.Report? = nil) async throws -> Outcome {
        let suggestions = try await Replenishment(application: application, now: now).suggestions(shopID: shopID, skus: skus, planned: planned)
        struct Key: Hashable, Sendable { var location: UUID; var sku: String; var kind: String }
        struct Stored: Sendable { var id: UUID; var active: Bool }
        var found: [Key: Stored] = [:]
        var query: SQLQueryString = "SELECT id, location_id, sku, kind, active FROM stock_alerts WHERE shop_id = \(bind: shopID)"
        if let skus { query += skus.isEmpty ? " AND 1 = 0" : " AND sku IN (\(binds: skus))" }
        for row in try await sql.raw(query).all() {
            found[Key(location: try row.decode(column: "location_id", as: UUID.self), sku: try row.decode(column: "sku", as: String.self),
                         kind: try row.decode(column: "kind", as: String.self))] =
                Stored(id: try row.decode(column: "id", as: UUID.self), active: try row.decode(column: "active", as: Bool.self))
        }
        let existing = found
        var places: [UUID: (code: String, warehouse: String)] = [:]
        for row in try await sql.raw("""
            SELECT l.id, l.code, w.code AS warehouse FROM stock_locations l JOIN warehouses w ON w.id = l.warehouse_id WHERE l.shop_id = \(bind: shopID)
            """).all() {
            places[try row.decode(column: "id", as: UUID.self)] = (try row.decode(column: "code", as: String.self), try row.decode(column: "warehouse", as: String.self))
        }
        let locations = places
        struct Holding: Sendable { var key: Key; var suggestion: Replenishment.Suggestion; var alert: StockAlert; var detail: String }
        var holding: [Holding] = []
        for suggestion in suggestions {
            for alert in suggestion.alerts {
                holding.append(Holding(key: Key(location: alert.key.locationID, sku: suggestion.sku, kind: alert.kind.rawValue),
                                       suggestion: suggestion, alert: alert,
                                       detail: String(decoding: try JSONCoding.encoder.encode(alert.detail), as: UTF8.self)))
            }
        }
        let holdingKeys = Set(holding.map(\.key))
        let fresh = holding.filter { existing[$0.key] == nil }
        let reactivate = holding.filter { existing[$0.key]?.active == false }
        let refresh = holding.filter { existing[$0.key]?.active == true }
        let toClear = existing.filter { $0.value.active && !holdingKeys.contains($0.key) }.map { ($0.key, $0.value.id) }
        let byKey = Dictionary(holding.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let time = now
        let ids = application.dependencies.ids
        @Sendable func name(_ key: Key) -> String { "\(key.sku)@\(locations[key.location]?.code ?? "?")/\(key.kind)" }
        @Sendable func raisedFact(_ h: Holding) -> [any Encodable & Sendable] {
            let location = locations[h.key.location]
            return ShopFacts.row(id: ids.next(), shopID: shopID, .stockAlertRaised, subject: "stock:\(h.key.sku)@\(location?.code ?? "?")",
                                 payload: FactPayload(sku: h.key.sku, location: location?.code ?? "?", warehouse: location?.warehouse ?? "?",
                                                      kind: h.key.kind, detail: h.alert.detail), actor: .system, at: time)
        }
        return try await application.write { db -> Outcome in
            let sql = db as! any SQLDatabase
            var outcome = Outcome(evaluated: suggestions.count)
            var facts: [[any Encodable & Sendable]] = []
            // New alerts. A row another instance inserted a moment ago is skipped here (and refreshed next pass):
            // only what this statement inserted is this evaluator's raise.
            for batch in fresh.chunked(400) {
                let rows: [[any Encodable & Sendable]] = batch.map { h in
                    [ids.next(), shopID, h.key.location, h.key.sku, h.key.kind, true, time, time, h.detail]
                }
                let inserted = try await sql.raw(SQLRows.insert(into: "stock_alerts",
                    ["id", "shop_id", "location_id", "sku", "kind", "active", "raised_at", "evaluated_at", "detail"], rows)
                    + " ON CONFLICT (location_id, sku, kind) DO NOTHING RETURNING location_id, sku, kind").all()
                for row in inserted {
                    let key = Key(location: try row.decode(column: "location_id", as: UUID.self), sku: try row.decode(column: "sku", as: String.self),
                                  kind: try row.decode(column: "kind", as: String.self))
                    guard let h = byKey[key] else { continue }
                    facts.append(raisedFact(h))
                    outcome.raised.append(name(key))
                }
            }
            // Cleared alerts that hold again: a raise, if this evaluator is the one that flips them.
            for batch in reactivate.chunked(400) {
                let values = SQLRows.values(batch.map { [existing[$0.key]!.id, $0.detail] })
                let flipped = try await sql.raw("""
                    UPDATE stock_alerts SET active = \(bind: true), raised_at = \(bind: time), cleared_at = NULL, evaluated_at = \(bind: time),
                    detail = v.column2 FROM (VALUES
                    """ + " " + values + """
                    ) AS v WHERE stock_alerts.id = v.column1 AND stock_alerts.active = \(bind: false) RETURNING stock_alerts.id
                    """).all()
                let ids = Set(try flipped.map { try $0.decode(column: "id", as: UUID.self) })
                for h in batch where ids.contains(existing[h.key]!.id) {
                    facts.append(raisedFact(h))
                    outcome.raised.append(name(h.key))
                }
            }
            // Alerts that still hold: fresh figures, no fact.
            for batch in refresh.chunked(400) {
                let values = SQLRows.values(batch.map { [existing[$0.key]!.id, $0.detail] })
                try await sql.raw("""
                    UPDATE stock_alerts SET evaluated_at = \(bind: time), detail = v.column2 FROM (VALUES
                    """ + " " + values + ") AS v WHERE stock_alerts.id = v.column1").run()
            }
            for batch in toClear.chunked(400) {
                let cleared = try await sql.raw("""
                    UPDATE stock_alerts SET active = \(bind: false), cleared_at = \(bind: time), evaluated_at = \(bind: time)
                    WHERE id IN (\(binds: batch.map(\.1))) AND active = \(bind: true)
                    RETURNING location_id, sku, kind, detail
                    """).all()
                for row in cleared {
                    let key = Key(location: try row.decode(column: "location_id", as: UUID.self), sku: try row.decode(column: "sku", as: String.self),
                                  kind: try row.decode(column: "kind", as: String.self))
                    let location = locations[key.location]?.code ?? "?"
                    facts.append(ShopFacts.row(id: ids.next(), shopID: shopID, .stockAlertCleared, subject: "stock:\(key.sku)@\(location)",
                                               payload: ClearedPayload(sku: key.sku, location: location, kind: key.kind,
                                                                       lastDetail: JSONValue.parse(try row.decode(column: "detail", as: String.self))),
                                               actor: .system, at: time))
                    outcome.cleared.append(name(key))
                }
            }
            for batch in facts.chunked(400) {
                try await sql.raw(SQLRows.insert(into: "shop_facts", ShopFacts.columns, batch)).run()
            }
            outcome.raised.sort()
            outcome.cleared.sort()
            return outcome
        }
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
