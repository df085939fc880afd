import Foundation
import SQLKit
import Vapor
import WaybillCore

/// The promise as the order page shows it.
struct PromiseView: Encodable {
    var latest: String
    var mostLikely: String
    var earliest: String
    var confidence: String
    var via: String
    var reasons: [String]
    var prediction: String?
    var atRisk: Bool
    var delivered: String?

    init(_ p: OrderPromiseDTO, timezone: String) {
        latest = p.latest
        mostLikely = p.mostLikely
        earliest = p.earliest
        confidence = String(format: "%.0f%%", p.confidence * 100)
        via = "\(p.carrier) \(p.service) from \(p.warehouse)"
        reasons = p.reasons.map(\.text)
        if let prediction = p.prediction {
            self.prediction = "now expected \(prediction.expected ?? "— (will not arrive)"), "
                + String(format: "%.0f%% chance of arriving by %@", prediction.probabilityOnTime * 100, p.latest)
                + " (checked \(ConsoleFormat.dateTime(prediction.predictedAt, timezone: timezone)))"
            atRisk = prediction.atRisk
        } else {
            atRisk = false
        }
        delivered = p.deliveredOn.map { $0 <= p.latest ? "Delivered \($0), on time" : "Delivered \($0), late" }
    }
}

/// `/console/promises`: how well promises are kept — on-time rate and calibration by week, carrier and
/// warehouse (as bars), the orders at risk now, and the lanes the model knows too little about.
struct ConsolePromisesController {
    struct Bar: Encodable {
        var label: String
        var promised: Int
        var settled: Int
        var onTime: String
        var width: Int
        var belowTarget: Bool
    }

    struct RiskRow: Encodable {
        var order: Int64
        var latest: String
        var expected: String
        var probability: String
        var since: String
    }

    struct Lane: Encodable {
        var lane: String
        var deliveries: String
    }

    struct Context: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title = "Promises"
        var target: String
        var overall: Bar?
        var weeks: [Bar]
        var carriers: [Bar]
        var warehouses: [Bar]
        var calibration: [Bar]
        var atRisk: [RiskRow]
        var thinLanes: [Lane]
        var model: String
    }

    func page(req: Request) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let shopID = try shop.requireID()
        let sql = req.db as! any SQLDatabase
        let now = req.now
        let since = now.addingTimeInterval(-26 * 7 * 86_400)
        let today = LocalDay(now, in: .gmt)
        // A promise is settled once delivered, or once its day has passed undelivered (late either way).
        struct Settled { var made: Date; var carrier: String; var warehouse: String; var target: Double; var onTime: Bool }
        var settled: [Settled] = []
        for row in try await sql.raw("""
            SELECT p.made_at, p.carrier, p.warehouse, p.target, p.latest, p.delivered_on FROM order_promises p
            JOIN orders o ON o.id = p.order_id
            WHERE p.shop_id = \(bind: shopID) AND p.made_at >= \(bind: since) AND o.status <> 'cancelled'
            """).all() {
            let latest = try row.decode(column: "latest", as: String.self)
            let delivered = try row.decode(column: "delivered_on", as: String?.self)
            guard delivered != nil || latest < today.iso else { continue }
            settled.append(Settled(made: try row.decode(column: "made_at", as: Date.self), carrier: try row.decode(column: "carrier", as: String.self),
                                   warehouse: try row.decode(column: "warehouse", as: String.self), target: try row.decode(column: "target", as: Double.self),
                                   onTime: delivered.map { $0 <= latest } ?? false))
        }
        let target = settled.map(\.target).max() ?? 0.95
        func bars(_ key: (Settled) -> String) -> [Bar] {
            Dictionary(grouping: settled, by: key).map { label, group in
                let hits = group.filter(\.onTime).count
                let rate = Double(hits) / Double(group.count)
                return Bar(label: label, promised: group.count, settled: group.count, onTime: String(format: "%.1f%%", rate * 100),
                           width: Int((rate * 300).rounded()), belowTarget: rate < group.map(\.target).min()! - 0.02)
            }.sorted { $0.label < $1.label }
        }
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = .gmt
        let weeks = bars { s in
            let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: s.made)
            return String(format: "%04d-W%02d", c.yearForWeekOfYear ?? 0, c.weekOfYear ?? 0)
        }
        let overall = bars { _ in "all" }.first
        let calibration = bars { String(format: "promised at %.0f%%", $0.target * 100) }
        let atRisk = try await sql.raw("""
            SELECT o.number, p.latest, p.expected, p.probability_on_time, p.at_risk_at FROM order_promises p JOIN orders o ON o.id = p.order_id
            WHERE p.shop_id = \(bind: shopID) AND p.at_risk = \(bind: true) AND p.delivered_on IS NULL AND o.status <> 'cancelled'
            ORDER BY p.latest, o.number LIMIT 200
            """).all().map { row in
            RiskRow(order: try row.decode(column: "number", as: Int64.self), latest: try row.decode(column: "latest", as: String.self),
                    expected: try row.decode(column: "expected", as: String?.self) ?? "—",
                    probability: String(format: "%.0f%%", (try row.decode(column: "probability_on_time", as: Double?.self) ?? 0) * 100),
                    since: ConsoleFormat.dateTime(try row.decode(column: "at_risk_at", as: Date.self), timezone: shop.timezone))
        }
        let loaded = try await PromiseService(application: req.application, now: now).loaded(shopID: shopID)
        let (engine, fittedAt) = (loaded.engine, loaded.fittedAt)
        let report = engine.model.report
        let thin = engine.model.lanes().filter { $0.deliveries < engine.model.options.thinBelow }.prefix(50)
        return try await req.view.render("promises", Context(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), target: String(format: "%.0f%%", target * 100),
            overall: overall, weeks: weeks, carriers: bars(\.carrier), warehouses: bars(\.warehouse), calibration: calibration,
            atRisk: atRisk, thinLanes: thin.map { Lane(lane: $0.lane.description, deliveries: String(format: "%.1f", $0.deliveries)) },
            model: fittedAt.map { "Fitted \(ConsoleFormat.dateTime($0, timezone: shop.timezone)) from \(report.used) deliveries and \(report.inFlight) parcels in flight on \(report.lanes) lanes (\(report.thinLanes) with too little data); \(report.deliveredBeforeHandover + report.absurd) records left out as impossible." }
                ?? "Not fitted yet: promises use each warehouse's handling days and two transit days until deliveries are recorded (the nightly job or `waybill promise fit`)."))
    }
}
