import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import WaybillCore

/// What one instance keeps in memory for the tracking page: recently read orders (a few seconds, so a
/// customer reloading or a crowd after a mass e-mail costs the database once), shop settings, the lookup
/// limits, and the page's facts waiting to be written in a batch.
final class TrackingPageState: Sendable {
    /// How long a read order is shown without reading it again. Actions on this instance forget it at once;
    /// another instance's change shows within this time.
    static let freshFor: TimeInterval = 5
    static let maxOrders = 50_000

    private let orders = NIOLockedValueBox<[UUID: (data: TrackingPageData, at: Date)]>([:])
    private let settings = NIOLockedValueBox<[UUID: (settings: TrackingPageSettings, at: Date)]>([:])
    private let carriers = NIOLockedValueBox<[UUID: (registry: CarrierRegistry, at: Date)]>([:])
    /// Per client address: 10 lookups at once, then one every 6 s.
    let clients = NIOLockedValueBox(AttemptLimiter(capacity: 10, refillSeconds: 6))
    /// Per order number: 5 failed lookups at once, then one every 3 minutes (whoever tries).
    let orderNumbers = NIOLockedValueBox(AttemptLimiter(capacity: 5, refillSeconds: 180))
    /// Tracking-number lookups per client address: 30 at once, then one every 2 s.
    let parcelClients = NIOLockedValueBox(AttemptLimiter(capacity: 30, refillSeconds: 2))
    /// Messages to the shop per order: 5 at once, then one every 2 minutes.
    let contacts = NIOLockedValueBox(AttemptLimiter(capacity: 5, refillSeconds: 120))
    let facts = PageFactBuffer()

    func order(_ id: UUID, application: Application, now: Date) async throws -> TrackingPageData? {
        if let hit = orders.withLockedValue({ $0[id] }), abs(now.timeIntervalSince(hit.at)) < Self.freshFor { return hit.data }
        guard let data = try await TrackingPageData.load(orderID: id, application: application, sql: application.db as! any SQLDatabase) else { return nil }
        orders.withLockedValue { cache in
            if cache.count >= Self.maxOrders { cache.removeAll(keepingCapacity: true) }
            cache[id] = (data, now)
        }
        return data
    }

    func forget(order id: UUID) { orders.withLockedValue { _ = $0.removeValue(forKey: id) } }

    func settings(shopID: UUID, application: Application, now: Date) async throws -> TrackingPageSettings {
        if let hit = settings.withLockedValue({ $0[shopID] }), abs(now.timeIntervalSince(hit.at)) < 30 { return hit.settings }
        let loaded = try await TrackingPageSettings.load(shopID: shopID, sql: application.db as! any SQLDatabase)
        settings.withLockedValue { $0[shopID] = (loaded, now) }
        return loaded
    }

    func forget(shop id: UUID) { settings.withLockedValue { _ = $0.removeValue(forKey: id) } }

    /// The shop's carriers (names, tracking links), kept 30 seconds like its settings.
    func carriers(shopID: UUID, application: Application, now: Date) async throws -> CarrierRegistry {
        if let hit = carriers.withLockedValue({ $0[shopID] }), abs(now.timeIntervalSince(hit.at)) < 30 { return hit.registry }
        let loaded = try await ShopCarriers.registry(shopID: shopID, sql: application.db as! any SQLDatabase, logger: application.logger)
        carriers.withLockedValue { $0[shopID] = (loaded, now) }
        return loaded
    }
}

/// Page views and lookups are facts (W1 measures deflection from them) but too many to write one by one:
/// they are kept here and written as shop facts in one statement per second (and at shutdown). A crash
/// loses at most the last second of views — never an order change, which goes through the timeline.
final class PageFactBuffer: Sendable {
    private let pending = NIOLockedValueBox<[[any Encodable & Sendable]]>([])

    func add(_ row: [any Encodable & Sendable]) -> Int {
        pending.withLockedValue { $0.append(row); return $0.count }
    }

    var count: Int { pending.withLockedValue { $0.count } }

    /// Writes what is waiting, 500 facts per statement.
    func flush(application: Application) async throws {
        let rows = pending.withLockedValue { rows -> [[any Encodable & Sendable]] in defer { rows.removeAll() }; return rows }
        guard !rows.isEmpty else { return }
        for start in stride(from: 0, to: rows.count, by: 500) {
            let chunk = Array(rows[start..<min(rows.count, start + 500)])
            do {
                try await application.write { db in
                    try await (db as! any SQLDatabase).raw(SQLRows.insert(into: "shop_facts", ShopFacts.columns, chunk)).run()
                }
            } catch {
                // Kept for the next try (up to 100,000 waiting), so a database restart loses nothing.
                let unwritten = Array(rows[start...])
                pending.withLockedValue { $0 = Array((unwritten + $0).suffix(100_000)) }
                throw error
            }
        }
    }
}

extension Application {
    private struct TrackingPageStateKey: StorageKey { typealias Value = TrackingPageState }
    private static let trackingPageStateLock = NIOLock()

    var trackingPage: TrackingPageState {
        Self.trackingPageStateLock.withLock {
            if let state = storage[TrackingPageStateKey.self] { return state }
            let state = TrackingPageState()
            storage[TrackingPageStateKey.self] = state
            return state
        }
    }
}

/// Writes the page's facts every second while the server runs, and what is left when it stops.
struct PageFactWriter: LifecycleHandler {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func didBootAsync(_ application: Application) async throws {
        let state = application.trackingPage
        task.withLockedValue {
            $0 = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    do { try await state.facts.flush(application: application) } catch {
                        application.logger.warning("tracking page facts not written yet: \(error)")
                    }
                }
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        task.withLockedValue { $0?.cancel() }
        try? await application.trackingPage.facts.flush(application: application)
    }
}
