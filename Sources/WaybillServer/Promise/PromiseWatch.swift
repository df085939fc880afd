import Foundation
import SQLKit
import Vapor
import WaybillCore

/// Keeps every open promise's prediction current (F2, W2): after tracking events and on each background
/// pass it re-predicts from where the order's parcels are, records the day a promised order was
/// delivered (for the on-time figures), and appends one `delivery_at_risk` fact when the promised day
/// has become unlikely — before it passes, so the customer can be told first.
struct PromiseWatch {
    let application: Application
    let now: Date
    init(application: Application, now: Date? = nil) {
        self.application = application
        self.now = now ?? application.dependencies.clock.now()
    }

    struct Report: Sendable {
        var checked = 0
        var delivered = 0
        var atRisk: [UUID] = []
    }

    private var sql: any SQLDatabase { application.db as! any SQLDatabase }

    /// Every open promise of every shop (or of `orders` only).
    func pass(orders: [UUID]? = nil) async throws -> Report {
        var query: SQLQueryString = """
            SELECT p.order_id, p.shop_id, p.warehouse, p.carrier, p.service, p.latest, p.handling_starts, p.target,
                   p.at_risk_at, o.shipping_address, o.status
            FROM order_promises p JOIN orders o ON o.id = p.order_id
            WHERE p.delivered_on IS NULL AND o.status <> 'cancelled'
            """
        if let orders {
            guard !orders.isEmpty else { return Report() }
            query += " AND p.order_id IN (\(binds: orders))"
        } else {
            // Tracking events re-predict their orders at once; the pass catches time passing (and silence),
            // so a promise checked within the hour waits, the least recently checked go first (none starves),
            // and a promise whose day passed two months ago undelivered is left as it stands (lost, late).
            let horizon = LocalDay(now, in: .gmt).adding(days: -60).iso
            query += """
                 AND p.latest >= \(bind: horizon) AND (p.predicted_at IS NULL OR p.predicted_at < \(bind: now.addingTimeInterval(-3_600)))
                 ORDER BY COALESCE(p.predicted_at, p.made_at), p.order_id LIMIT 2000
                """
        }
        var report = Report()
        var servicesByShop: [UUID: (LoadedPromises, [String: WarehouseSite])] = [:]
        for row in try await sql.raw(query).all() {
            let orderID = try row.decode(column: "order_id", as: UUID.self)
            let shopID = try row.decode(column: "shop_id", as: UUID.self)
            if servicesByShop[shopID] == nil {
                let loaded = try await PromiseService(application: application, now: now).loaded(shopID: shopID)
                servicesByShop[shopID] = (loaded, Dictionary(loaded.sites.values.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a }))
            }
            guard let (shop, sites) = servicesByShop[shopID],
                  let site = sites[try row.decode(column: "warehouse", as: String.self)],
                  let handlingStarts = LocalDay(iso: try row.decode(column: "handling_starts", as: String.self)),
                  let latest = LocalDay(iso: try row.decode(column: "latest", as: String.self)) else { continue }
            report.checked += 1
            let address = try JSONCoding.decoder.decode(Address.self, from: Data(try row.decode(column: "shipping_address", as: String.self).utf8))
            let carrier = try row.decode(column: "carrier", as: String.self)
            let zone = site.schedule.timeZone
            let promise = PromisedDelivery(
                lane: LaneKey(carrier: carrier, service: try row.decode(column: "service", as: String.self),
                              destination: PromiseRegion.of(country: address.country, region: address.region, postalCode: address.postalCode),
                              origin: site.schedule.region),
                handlingStarts: handlingStarts, latest: latest, target: try row.decode(column: "target", as: Double.self))
            let shipments = try await sql.raw("""
                SELECT carrier, service, tracking_status, tracking_substatus, handed_over_at, delivered_at, last_scan_at
                FROM shipments WHERE order_id = \(bind: orderID)
                """).all()
            let status = try row.decode(column: "status", as: String.self)
            let today = LocalDay(now, in: zone)
            // Delivered: every shipment of a fully shipped order arrived.
            if status == OrderStatus.delivered.rawValue {
                let last = try shipments.compactMap { try $0.decode(column: "delivered_at", as: Date?.self) }.max() ?? now
                let (day, time) = (LocalDay(last, in: zone).iso, now)
                try await application.write { db in
                    try await (db as! any SQLDatabase).raw("""
                        UPDATE order_promises SET delivered_on = \(bind: day), at_risk = \(bind: false), predicted_at = \(bind: time)
                        WHERE order_id = \(bind: orderID)
                        """).run()
                }
                report.delivered += 1
                continue
            }
            // Each parcel still on its way, on the lane and delivery days of the carrier it actually went with.
            let calendars = ShopCalendars(settings: shop.settings, version: shop.version)
            var parcels: [(PromisedDelivery, ParcelProgress)] = try shipments.compactMap { shipment in
                guard try shipment.decode(column: "delivered_at", as: Date?.self) == nil else { return nil }
                let handed = try shipment.decode(column: "handed_over_at", as: Date?.self)
                let statusText = try shipment.decode(column: "tracking_status", as: String.self)
                var parcel = promise
                parcel.lane.carrier = try shipment.decode(column: "carrier", as: String.self)
                parcel.lane.service = try shipment.decode(column: "service", as: String?.self) ?? promise.lane.service
                return (parcel, ParcelProgress(
                    status: handed == nil ? .pending : TrackingStatus(rawValue: statusText) ?? .unknown,
                    substatus: try shipment.decode(column: "tracking_substatus", as: String?.self).flatMap(TrackingSubstatus.init(rawValue:)),
                    handedOver: handed.map { LocalDay($0, in: zone) },
                    lastEvent: try shipment.decode(column: "last_scan_at", as: Date?.self).map { LocalDay($0, in: zone) }, today: today))
            }
            if parcels.isEmpty { parcels = [(promise, ParcelProgress(status: .pending, handedOver: nil, lastEvent: nil, today: today))] }
            var worst: DeliveryPrediction?
            for (parcel, progress) in parcels {
                let delivery = try calendars.delivery(country: address.country.uppercased(), carrier: parcel.lane.carrier)
                let prediction = shop.engine.predict(parcel, progress: progress, warehouse: site.schedule, delivery: delivery,
                                                     peakWindows: shop.settings.peakWindows, atRiskBelow: shop.settings.atRiskBelow)
                if worst.map({ prediction.probabilityOnTime < $0.probabilityOnTime }) ?? true { worst = prediction }
            }
            guard let worst else { continue }
            let alreadyAtRisk = try row.decode(column: "at_risk_at", as: Date?.self) != nil
            let probability = (worst.probabilityOnTime * 1000).rounded() / 1000
            if worst.atRisk && !alreadyAtRisk {
                let time = now
                let ids = application.dependencies.ids
                // Conditional: of several instances checking at once, one records the fact.
                let raised = try await application.write { db -> Bool in
                    let sql = db as! any SQLDatabase
                    try await OrderService.lock(orderID, on: sql)
                    let claimed = try await sql.raw("""
                        UPDATE order_promises SET at_risk_at = \(bind: time), at_risk = \(bind: true), expected = \(bind: worst.expected?.iso),
                        probability_on_time = \(bind: probability), predicted_at = \(bind: time)
                        WHERE order_id = \(bind: orderID) AND at_risk_at IS NULL RETURNING order_id
                        """).all()
                    guard !claimed.isEmpty else { return false }
                    try await Timeline(db: db, newID: ids.next).append(
                        shopID: shopID, orderID: orderID,
                        [(.deliveryAtRisk, AtRiskFact(latest: latest.iso, expected: worst.expected?.iso, probabilityOnTime: probability,
                                                     status: worst.status.rawValue, confidenceLowered: worst.confidenceLowered))],
                        actor: .system, at: time)
                    return true
                }
                if raised { report.atRisk.append(orderID) }
            } else {
                let time = now
                try await application.write { db in
                    try await (db as! any SQLDatabase).raw("""
                        UPDATE order_promises SET expected = \(bind: worst.expected?.iso), probability_on_time = \(bind: probability),
                        at_risk = \(bind: worst.atRisk), predicted_at = \(bind: time) WHERE order_id = \(bind: orderID)
                        """).run()
                }
            }
        }
        return report
    }

    struct AtRiskFact: Codable, Sendable {
        var latest: String
        var expected: String?
        var probabilityOnTime: Double
        var status: String
        var confidenceLowered: Bool
    }
}
