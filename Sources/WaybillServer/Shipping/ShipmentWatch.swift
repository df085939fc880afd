import Foundation
import SQLKit
import Vapor
import WaybillCore

/// Silence is an event (F5): a shipment with no scan for its carrier's number of business days (its working
/// days, public holidays and the shop's days off) becomes
/// `stalled` (one in an exception already needs attention, one at a pick-up point waits for its customer), and an order not handed to a carrier by its handling deadline gets a `fulfillment_late` fact.
/// Neither needs anyone to say anything; each is written once (under the order's lock, re-checked).
struct ShipmentWatch {
    let application: Application

    var sql: any SQLDatabase { application.db as! any SQLDatabase }
    /// Business days from the order's day to its hand-over deadline for an order without a promise (held for
    /// stock, no warehouse yet); a promised order's deadline is its warehouse's own (cut-off, handling days,
    /// pick-up days, holidays and the shop's days off).
    static let handlingBusinessDays = 2

    struct Report: Sendable, Equatable {
        var stalled: [String] = []
        var late: [Int64] = []
    }

    @discardableResult
    func pass() async throws -> Report {
        let now = application.dependencies.clock.now()
        var report = Report()
        report.stalled = try await markStalled(now: now)
        report.late = try await markLate(now: now)
        return report
    }

    private func markStalled(now: Date) async throws -> [String] {
        let candidates = try await sql.raw("""
            SELECT shop_id, number, carrier, tracking_status, COALESCE(last_scan_at, handed_over_at) AS since FROM shipments
            WHERE state = 'handed_over' AND tracking_status NOT IN ('delivered', 'stalled', 'exception', 'available_for_pickup')
            AND (tracking_substatus IS NULL OR tracking_substatus NOT IN ('returned_to_sender', 'lost', 'cancelled', 'disposed'))
            """).all()
        var stalled: [String] = []
        var registries: [UUID: CarrierRegistry] = [:]
        var calendars: [UUID: ShopCalendars] = [:]
        for row in candidates {
            let carrier = CarrierCode(try row.decode(column: "carrier", as: String.self))
            let shop = try row.decode(column: "shop_id", as: UUID.self)
            if registries[shop] == nil {
                registries[shop] = try await ShopCarriers.registry(shopID: shop, sql: sql, logger: application.logger)
                calendars[shop] = try await PromiseService(application: application, now: now).calendars(shopID: shop)
            }
            guard let definition = registries[shop]?.carrier(carrier), let since = try row.decode(column: "since", as: Date?.self) else { continue }
            // The carrier's working days in its country, with public holidays and the shop's days off.
            let zone = TimeZone(identifier: definition.timeZone) ?? .gmt
            let rule = (try? calendars[shop]?.delivery(country: definition.country, carrier: carrier.rawValue))
                .map { StallRule(businessDays: definition.stalledAfterBusinessDays, timeZone: zone, calendar: $0) }
                ?? StallRule(carrier: definition)
            guard rule.isStalled(lastScan: since, now: now) else { continue }
            let shopID = try row.decode(column: "shop_id", as: UUID.self), number = try row.decode(column: "number", as: String.self)
            let marked = try await application.write { db -> Bool in
                let service = ShipmentService(application: application, db: db)
                let shipment = try await service.lockedRow(shopID: shopID, number: number)
                guard shipment.trackingStatus != TrackingStatus.stalled.rawValue, shipment.trackingStatus != TrackingStatus.delivered.rawValue else { return false }
                try await (db as! any SQLDatabase).raw("""
                    UPDATE shipments SET tracking_status = 'stalled', tracking_substatus = NULL, updated_at = \(bind: now) WHERE id = \(bind: shipment.id)
                    """).run()
                try await Timeline(db: db, newID: application.dependencies.ids.next).append(shopID: shopID, orderID: shipment.orderID, [
                    (.trackingUpdated, ShipmentService.StatusFact(
                        number: number, from: shipment.trackingStatus, to: TrackingStatus.stalled.rawValue, substatus: nil, rawCode: nil,
                        rawText: "no scan for \(definition.stalledAfterBusinessDays) business days since \(ISO8601DateFormatter().string(from: since))",
                        location: nil, occurredAt: now)),
                ], actor: .system, at: now)
                return true
            }
            if marked { stalled.append(number) }
        }
        return stalled
    }

    private func markLate(now: Date) async throws -> [Int64] {
        // A cheap superset first (placed more than six hours ago: a same-day warehouse's deadline is that
        // day's end, so it is noticed at most six hours late), then each order's own deadline.
        let candidates = try await sql.raw("""
            SELECT o.id, o.shop_id, o.number, o.placed_at, s.timezone, p.warehouse FROM orders o JOIN shops s ON s.id = o.shop_id
            LEFT JOIN order_promises p ON p.order_id = o.id
            WHERE o.status IN ('ready', 'partially_fulfilled') AND o.placed_at <= \(bind: now.addingTimeInterval(-6 * 3_600))
            AND NOT EXISTS (SELECT 1 FROM timeline_facts f WHERE f.order_id = o.id AND f.kind = 'fulfillment_late')
            ORDER BY o.placed_at LIMIT 1000
            """).all()
        var late: [Int64] = []
        var sitesByShop: [UUID: [String: WarehouseSite]] = [:]
        for row in candidates {
            let placed = try row.decode(column: "placed_at", as: Date.self)
            let shop = try row.decode(column: "shop_id", as: UUID.self)
            let deadline: Date, handlingDays: Int
            let code = try row.decode(column: "warehouse", as: String?.self)
            if code != nil {
                if sitesByShop[shop] == nil {
                    let sites = try await PromiseService(application: application, now: now).sites(shopID: shop)
                    sitesByShop[shop] = Dictionary(sites.values.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
                }
            }
            if let code, let site = sitesByShop[shop]?[code] {
                // The end of the last pick-up day handling may take.
                let schedule = site.schedule
                let due = schedule.pickup.adding(schedule.handlingDays, after: schedule.handlingStart(for: placed).day)
                deadline = due.adding(days: 1).start(in: schedule.timeZone)
                handlingDays = schedule.handlingDays
            } else {
                let zone = TimeZone(identifier: try row.decode(column: "timezone", as: String.self)) ?? .gmt
                guard let fallback = StallRule(businessDays: Self.handlingBusinessDays, timeZone: zone).stalledAt(lastScan: placed) else { continue }
                deadline = fallback
                handlingDays = Self.handlingBusinessDays
            }
            guard now >= deadline else { continue }
            let orderID = try row.decode(column: "id", as: UUID.self), shopID = shop
            let marked = try await application.write { db -> Bool in
                let sql = db as! any SQLDatabase
                try await OrderService.lock(orderID, on: sql)
                let open = try await sql.raw("""
                    SELECT 1 AS open FROM orders o WHERE o.id = \(bind: orderID) AND o.status IN ('ready', 'partially_fulfilled')
                    AND NOT EXISTS (SELECT 1 FROM timeline_facts f WHERE f.order_id = o.id AND f.kind = 'fulfillment_late')
                    """).first()
                guard open != nil else { return false }
                try await Timeline(db: db, newID: application.dependencies.ids.next).append(shopID: shopID, orderID: orderID, [
                    (.fulfillmentLate, LateFact(deadline: deadline, handlingBusinessDays: handlingDays, warehouse: code)),
                ], actor: .system, at: now)
                return true
            }
            if marked { late.append(try row.decode(column: "number", as: Int64.self)) }
        }
        return late
    }

    struct LateFact: Codable, Sendable {
        var deadline: Date
        var handlingBusinessDays: Int
        var warehouse: String?
    }
}
