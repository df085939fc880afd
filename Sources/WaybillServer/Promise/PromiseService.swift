import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import WaybillCore

/// Country calendars, built once per process: each is two arrays over 31 years, too costly per quote.
enum PromiseCalendars {
    private static let cache = NIOLockedValueBox<[String: BusinessCalendar]>([:])

    /// `version` names the `extra` days (a shop's settings as of a moment); "" when there are none.
    static func country(_ country: String, closed: Set<Int>, extra: [LocalDay: Holiday] = [:], version: String = "") throws -> BusinessCalendar {
        let key = country + "|" + closed.sorted().map(String.init).joined(separator: ",") + "|" + version
        if let found = cache.withLockedValue({ $0[key] }) { return found }
        let calendar = try BusinessCalendar.country(country, closedWeekdays: closed, extra: extra)
        cache.withLockedValue { cache in
            // Old versions of a shop's days off are not needed again; a bounded cache stays small.
            if cache.count > 500 { cache = cache.filter { $0.key.hasSuffix("|") } }
            cache[key] = calendar
        }
        return calendar
    }
}

/// A warehouse's shipping schedule and the stock location it ships from.
struct WarehouseSite: Sendable {
    var locationID: UUID
    var code: String
    var country: String
    /// As the warehouse names it (allocation compares it with the destination's region).
    var region: String
    var schedule: WarehouseSchedule
}

/// Learns each shop's transit model from its delivered shipments, keeps the fitted model in
/// `promise_models`, and quotes promises from it (F2).
struct PromiseService {
    let application: Application
    let sql: any SQLDatabase
    let now: Date

    /// `db` is the caller's transaction when it has one: reading through another connection from inside a
    /// SQLite write transaction can wait on the very connection the transaction holds.
    init(application: Application, now: Date? = nil, db: (any Database)? = nil) {
        self.application = application
        sql = (db ?? application.db) as! any SQLDatabase
        self.now = now ?? application.dependencies.clock.now()
    }

    // MARK: Warehouses

    /// The shop's warehouses by stock location (cached with the model; a warehouse or schedule change on
    /// this instance clears the cache, other instances see it within a minute).
    func sites(shopID: UUID) async throws -> [UUID: WarehouseSite] {
        try await loaded(shopID: shopID).sites
    }

    private func loadSites(shopID: UUID, calendars: ShopCalendars) async throws -> [UUID: WarehouseSite] {
        let rows = try await sql.raw("""
            SELECT l.id AS location_id, w.code, w.country, w.region, w.timezone, w.cutoff_minutes, w.handling_days,
                   w.no_pickup_weekdays
            FROM warehouses w JOIN stock_locations l ON l.warehouse_id = w.id WHERE w.shop_id = \(bind: shopID)
            """).all()
        var sites: [UUID: WarehouseSite] = [:]
        for row in rows {
            let code = try row.decode(column: "code", as: String.self)
            let country = try row.decode(column: "country", as: String.self)
            let closed = Set(try row.decode(column: "no_pickup_weekdays", as: String.self)
                .split(separator: ",").compactMap { Int($0) }).union([0, 6])
            let pickup: BusinessCalendar
            do { pickup = try calendars.country(country, closed: closed) } catch {
                throw APIError(.conflict, "warehouse_calendar", "warehouse \(code) has no day with a carrier pick-up")
            }
            let zone = TimeZone(identifier: try row.decode(column: "timezone", as: String.self)) ?? .gmt
            let id = try row.decode(column: "location_id", as: UUID.self)
            let region = try row.decode(column: "region", as: String.self)
            sites[id] = WarehouseSite(locationID: id, code: code, country: country, region: region, schedule: WarehouseSchedule(
                id: code, region: PromiseRegion.of(country: country, region: region, postalCode: nil),
                timeZone: zone, cutoffMinutes: try row.decode(column: "cutoff_minutes", as: Int.self),
                handlingDays: try row.decode(column: "handling_days", as: Int.self), pickup: pickup))
        }
        return sites
    }

    // MARK: Fitting

    struct FitOutcome: Sendable {
        var report: TransitModel.FitReport
        var fittedOn: LocalDay
    }

    private struct StoredAddress: Decodable {
        var country: String
        var region: String?
        var postalCode: String?
    }

    /// Refits the shop's model from every delivered shipment, and the parcels still on their way (packed or
    /// with the carrier, from the last 45 days) as trips at least that long, and stores it.
    @discardableResult
    func fit(shopID: UUID) async throws -> FitOutcome {
        let started = Date()
        let shop = try await loaded(shopID: shopID)
        let sites = shop.sites
        let calendars = ShopCalendars(settings: shop.settings, version: shop.version)
        // Rows stream in (a shop may have millions of deliveries); only the counted record is kept.
        struct Collected { var records: [DeliveryRecord] = []; var inFlight: [ParcelInFlight] = []; var unusable = 0 }
        let collected = NIOLockedValueBox(Collected())
        let today = LocalDay(now, in: .gmt)
        let recent = now.addingTimeInterval(-45 * 86_400)
        try await sql.raw("""
            SELECT s.location_id, s.carrier, s.service, s.state, s.handed_over_at, s.delivered_at, o.placed_at, o.shipping_address
            FROM shipments s JOIN orders o ON o.id = s.order_id
            WHERE s.shop_id = \(bind: shopID) AND ((s.delivered_at IS NOT NULL AND s.handed_over_at IS NOT NULL)
                  OR (s.delivered_at IS NULL AND s.state IN ('packed', 'handed_over') AND o.placed_at >= \(bind: recent)))
            """).run { row in
            guard let site = try? sites[row.decode(column: "location_id", as: UUID.self)],
                  let carrier = try? row.decode(column: "carrier", as: String.self),
                  let placed = try? row.decode(column: "placed_at", as: Date.self),
                  let addressText = try? row.decode(column: "shipping_address", as: String.self),
                  let address = try? JSONCoding.decoder.decode(StoredAddress.self, from: Data(addressText.utf8)),
                  let calendar = try? calendars.delivery(country: address.country, carrier: carrier) else {
                collected.withLockedValue { $0.unusable += 1 }
                return
            }
            let zone = site.schedule.timeZone
            let lane = LaneKey(
                carrier: carrier, service: ((try? row.decode(column: "service", as: String?.self)) ?? nil) ?? "standard",
                destination: PromiseRegion.of(country: address.country, region: address.region, postalCode: address.postalCode),
                origin: site.schedule.region)
            let handed = try? row.decode(column: "handed_over_at", as: Date?.self)
            let delivered = try? row.decode(column: "delivered_at", as: Date?.self)
            if let handed, let delivered {
                let record = DeliveryRecord(warehouse: site.schedule, lane: lane, orderedAt: placed,
                                            handedOver: LocalDay(handed, in: zone), delivered: LocalDay(delivered, in: zone), delivery: calendar)
                collected.withLockedValue { $0.records.append(record) }
            } else if let handed {
                let since = LocalDay(handed, in: zone)
                let parcel = ParcelInFlight(warehouse: site.schedule.id, lane: lane, since: since,
                                            transitElapsed: calendar.openDays(after: since, through: today))
                collected.withLockedValue { $0.inFlight.append(parcel) }
            } else {
                let start = site.schedule.handlingStart(for: placed).day
                let parcel = ParcelInFlight(warehouse: site.schedule.id, lane: lane, since: start,
                                            handlingElapsed: site.schedule.pickup.openDays(after: start, through: today))
                collected.withLockedValue { $0.inFlight.append(parcel) }
            }
        }
        let (records, inFlight, unusable) = collected.withLockedValue { ($0.records, $0.inFlight, $0.unusable) }
        var model = TransitModel.fit(records, on: today, peakWindows: shop.settings.peakWindows, inFlight: inFlight)
        model.report.records += unusable
        model.report.seconds = Date().timeIntervalSince(started)
        let text = String(decoding: try JSONEncoder().encode(model), as: UTF8.self)
        let fittedAt = now
        try await application.write { db in
            let sql = db as! any SQLDatabase
            try await sql.raw("DELETE FROM promise_models WHERE shop_id = \(bind: shopID)").run()
            try await sql.raw("INSERT INTO promise_models (shop_id, fitted_at, model) VALUES (\(bind: shopID), \(bind: fittedAt), \(bind: text))").run()
        }
        application.promiseModels.forget(shopID)
        return FitOutcome(report: model.report, fittedOn: today)
    }

    /// The shop's fitted model and promise settings (cached for a minute per instance); without a fit, an
    /// empty model that promises from the configured handling days and two transit days until deliveries
    /// have been recorded.
    func loaded(shopID: UUID) async throws -> LoadedPromises {
        if let cached = application.promiseModels.get(shopID, now: now) { return cached }
        let row = try await sql.raw("SELECT fitted_at, model FROM promise_models WHERE shop_id = \(bind: shopID)").first()
        var engine = PromiseEngine(model: TransitModel.fit([], on: LocalDay(now, in: .gmt)))
        var fittedAt: Date?
        if let row {
            engine = PromiseEngine(model: try JSONDecoder().decode(TransitModel.self, from: Data(try row.decode(column: "model", as: String.self).utf8)))
            fittedAt = try row.decode(column: "fitted_at", as: Date.self)
        }
        let (settings, version) = try await PromiseSettings.load(shopID: shopID, sql: sql)
        let sites = try await loadSites(shopID: shopID, calendars: ShopCalendars(settings: settings, version: version))
        let loaded = LoadedPromises(engine: engine, fittedAt: fittedAt, settings: settings, version: version, sites: sites)
        application.promiseModels.put(shopID, loaded, now: now)
        return loaded
    }

    func calendars(shopID: UUID) async throws -> ShopCalendars {
        let loaded = try await loaded(shopID: shopID)
        return ShopCalendars(settings: loaded.settings, version: loaded.version)
    }

    /// Shops whose model is missing or older than `age` and that have delivered shipments.
    func stale(olderThan age: TimeInterval) async throws -> [UUID] {
        let cutoff = now.addingTimeInterval(-age)
        return try await sql.raw("""
            SELECT DISTINCT s.shop_id FROM shipments s LEFT JOIN promise_models m ON m.shop_id = s.shop_id
            WHERE s.delivered_at IS NOT NULL AND (m.shop_id IS NULL OR m.fitted_at < \(bind: cutoff))
            """).all().map { try $0.decode(column: "shop_id", as: UUID.self) }
    }
}

/// A shop's decoded model and promise settings.
struct LoadedPromises: Sendable {
    var engine: PromiseEngine
    var fittedAt: Date?
    var settings: PromiseSettings
    var version: String
    var sites: [UUID: WarehouseSite]
}

/// Per-instance cache of decoded models and settings; a fit or a settings change on this instance replaces
/// its entry at once, other instances pick the new one up within a minute.
final class PromiseModels: Sendable {
    private let entries = NIOLockedValueBox<[UUID: (loadedAt: Date, value: LoadedPromises)]>([:])

    func get(_ shop: UUID, now: Date) -> LoadedPromises? {
        entries.withLockedValue { entries in
            guard let entry = entries[shop], now.timeIntervalSince(entry.loadedAt) < 60, entry.loadedAt <= now else { return nil }
            return entry.value
        }
    }

    func put(_ shop: UUID, _ value: LoadedPromises, now: Date) {
        entries.withLockedValue { $0[shop] = (now, value) }
    }

    func forget(_ shop: UUID) {
        _ = entries.withLockedValue { $0.removeValue(forKey: shop) }
    }
}

extension Application {
    private struct PromiseModelsKey: StorageKey { typealias Value = PromiseModels }

    /// Set once in `configure`, before the server or any command runs.
    var promiseModels: PromiseModels {
        get { storage[PromiseModelsKey.self] ?? PromiseModels() }
        set { storage[PromiseModelsKey.self] = newValue }
    }
}
