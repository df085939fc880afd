import Foundation
import SQLKit
import Vapor
import WaybillCore

/// Asks carriers about the shipments that are due (F5): every shipment with a tracking number is tracked
/// until it reaches an end, more often when something is about to happen (out for delivery, a failed
/// attempt) and less as it ages, with jitter so that a day's parcels do not all come due in the same
/// second, and never faster than the carrier's rate limit.
struct TrackingPoller {
    let application: Application

    var sql: any SQLDatabase { application.db as! any SQLDatabase }

    struct Report: Sendable, Equatable {
        var asked = 0
        var newEvents = 0
        var failures = 0
    }

    /// When to ask again about a shipment in `status`, `age` seconds after it was handed over.
    static func interval(status: TrackingStatus, age: TimeInterval) -> TimeInterval {
        let hour = 3_600.0
        switch status {
        case .outForDelivery, .failedAttempt, .availableForPickup: return 0.5 * hour
        case .exception, .stalled: return 2 * hour
        case .pending, .infoReceived: return hour
        default:
            if age < 7 * 86_400 { return 2 * hour }
            if age < 30 * 86_400 { return 8 * hour }
            return 24 * hour
        }
    }

    /// One pass: for each carrier with a tracker, the shipments due now, as many as its rate allows in
    /// `window` seconds.
    @discardableResult
    func pass(window: TimeInterval = 60) async throws -> Report {
        let now = application.dependencies.clock.now()
        var report = Report()
        for (code, tracker) in application.carrierTrackers.sorted(by: { $0.key < $1.key }) {
            let budget = max(1, Int(Double(tracker.requestsPerMinute) * window / 60)) * tracker.batchSize
            let due = try await sql.raw("""
                SELECT id, shop_id, tracking_number, tracking_status, COALESCE(handed_over_at, created_at) AS since FROM shipments
                WHERE carrier = \(bind: code.rawValue) AND tracking_number IS NOT NULL AND tracking_status <> 'delivered'
                AND (tracking_substatus IS NULL OR tracking_substatus NOT IN ('returned_to_sender', 'lost', 'cancelled', 'disposed'))
                AND next_check_at <= \(bind: now)
                ORDER BY next_check_at LIMIT \(literal: budget)
                """).all()
            var rows: [(id: UUID, shopID: UUID, number: String, since: Date)] = []
            for row in due {
                rows.append((try row.decode(column: "id", as: UUID.self), try row.decode(column: "shop_id", as: UUID.self),
                             try row.decode(column: "tracking_number", as: String.self), try row.decode(column: "since", as: Date.self)))
            }
            for batch in rows.chunked(tracker.batchSize) {
                report.asked += batch.count
                let shops = Dictionary(batch.map { ($0.number, $0.shopID) }, uniquingKeysWith: { a, _ in a })
                do {
                    for update in try await tracker.track(batch.map(\.number), now: now) {
                        guard let shopID = shops[update.trackingNumber] else { continue }
                        let outcome = try await ShipmentService(application: application, db: application.db)
                            .apply(update, shopID: shopID, actor: Actor(name: "poller:\(code.rawValue)", source: "system"))
                        report.newEvents += outcome.newEvents
                    }
                    try await schedule(batch.map { ($0.id, $0.since) }, now: now, scale: tracker.timeScale)
                } catch {
                    report.failures += batch.count
                    application.logger.warning("tracking \(code.rawValue) failed for \(batch.count) shipments: \(String(reflecting: error))")
                    try await backOff(batch.map(\.id), now: now)
                }
            }
        }
        return report
    }

    /// Next check from each shipment's status now, ±10 % so that load spreads out.
    private func schedule(_ shipments: [(id: UUID, since: Date)], now: Date, scale: Double) async throws {
        var random = SystemRandomNumberGenerator()
        for (id, since) in shipments {
            guard let row = try await sql.raw("SELECT tracking_status FROM shipments WHERE id = \(bind: id)").first() else { continue }
            let status = TrackingStatus(rawValue: try row.decode(column: "tracking_status", as: String.self)) ?? .unknown
            let base = Self.interval(status: status, age: now.timeIntervalSince(since) * scale) / max(scale, 1)
            let next = now.addingTimeInterval(base * Double.random(in: 0.9...1.1, using: &random))
            try await application.writeGate.singleStatement(on: application.db) { db in
                try await (db as! any SQLDatabase).raw("""
                    UPDATE shipments SET next_check_at = \(bind: next), last_checked_at = \(bind: now) WHERE id = \(bind: id)
                    """).run()
            }
        }
    }

    /// A carrier that failed is asked again in five minutes, not at once.
    private func backOff(_ ids: [UUID], now: Date) async throws {
        try await application.writeGate.singleStatement(on: application.db) { db in
            try await (db as! any SQLDatabase).raw("""
                UPDATE shipments SET next_check_at = \(bind: now.addingTimeInterval(300)) WHERE id IN (\(binds: ids))
                """).run()
        }
    }
}
