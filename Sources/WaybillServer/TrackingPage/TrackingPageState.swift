import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import WaybillCore

/// What one instance keeps in memory for the tracking page: recently read orders and their rendered pages (a
/// few seconds, so a customer reloading or a crowd after a mass e-mail costs the database once and the
/// renderer once), shop settings, the lookup limits, and the page's facts waiting to be written in a batch.
final class TrackingPageState: Sendable {
    /// How long a read order is shown without reading it again. Actions on this instance forget it at once;
    /// another instance's change shows within this time.
    static let freshFor: TimeInterval = 5
    static let maxOrders = 50_000
    /// Rendered pages are ~8 KB: at most ~40 MB of them.
    static let maxPages = 5_000

    private struct Kept {
        var data: TrackingPageData
        var at: Date
        /// Which read this is: a page rendered from an older read of the order is not shown.
        var serial: UInt64
    }

    /// A page as sent, for one link and language switch, valid while its order's read is the one kept.
    struct RenderedPage: Sendable {
        var body: ByteBuffer
        var orderID: UUID
        var shopID: UUID
        var language: String
        var linkExpires: Date
        var serial: UInt64
    }

    private struct Loading {
        var serial: UInt64
        var task: Task<Kept?, any Error>
    }

    private let orders = NIOLockedValueBox<[UUID: Kept]>([:])
    private let loading = NIOLockedValueBox<(next: UInt64, tasks: [UUID: Loading])>((1, [:]))
    private let pages = NIOLockedValueBox<[String: RenderedPage]>([:])
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

    /// How many times an order was read from the database (tests count them; the benchmark counts scans instead).
    let reads = NIOLockedValueBox<Int>(0)

    /// The order and which read of it this is, for keeping a page rendered from it (`keep`).
    func read(_ id: UUID, application: Application, now: Date) async throws -> (data: TrackingPageData, serial: UInt64)? {
        try await kept(id, application: application, now: now).map { ($0.data, $0.serial) }
    }

    /// The order as last read, or read now. Views that miss at the same time share one read: when a kept
    /// order goes stale under a crowd, the database sees one query set, not one per view in flight.
    private func kept(_ id: UUID, application: Application, now: Date) async throws -> Kept? {
        if let hit = orders.withLockedValue({ $0[id] }), abs(now.timeIntervalSince(hit.at)) < Self.freshFor { return hit }
        let task = loading.withLockedValue { loading -> Task<Kept?, any Error> in
            if let running = loading.tasks[id] { return running.task }
            let serial = loading.next
            loading.next += 1
            let task = Task<Kept?, any Error> {
                defer { self.loading.withLockedValue { if $0.tasks[id]?.serial == serial { $0.tasks[id] = nil } } }
                self.reads.withLockedValue { $0 += 1 }
                guard let data = try await TrackingPageData.load(orderID: id, application: application, sql: application.db as! any SQLDatabase) else { return nil }
                let kept = Kept(data: data, at: now, serial: serial)
                // Kept only if nothing forgot the order while it was being read (a change on this instance).
                if self.loading.withLockedValue({ $0.tasks[id]?.serial == serial }) {
                    self.orders.withLockedValue { cache in
                        if cache.count >= Self.maxOrders { cache.removeAll(keepingCapacity: true) }
                        cache[id] = kept
                    }
                }
                return kept
            }
            loading.tasks[id] = Loading(serial: serial, task: task)
            return task
        }
        return try await task.value
    }

    /// The key of a rendered page: the link as given and the language asked for in it (none: the order's).
    static func pageKey(token: String, language: String?) -> String { token + "|" + (language ?? "") }

    /// A page rendered within the last few seconds from the order's current read, if its link still works.
    func page(_ key: String, now: Date) -> RenderedPage? {
        guard let page = pages.withLockedValue({ $0[key] }), now < page.linkExpires,
              let kept = orders.withLockedValue({ $0[page.orderID] }), kept.serial == page.serial,
              abs(now.timeIntervalSince(kept.at)) < Self.freshFor else { return nil }
        return page
    }

    /// Keeps a page rendered from read `serial` of the order (only while that read is the one kept).
    func keep(_ body: ByteBuffer, key: String, data: TrackingPageData, serial: UInt64, language: String, linkExpires: Date) {
        guard orders.withLockedValue({ $0[data.orderID]?.serial }) == serial else { return }
        let page = RenderedPage(body: body, orderID: data.orderID, shopID: data.shopID, language: language, linkExpires: linkExpires, serial: serial)
        pages.withLockedValue { pages in
            if pages.count >= Self.maxPages {
                let current = orders.withLockedValue { orders in Set(orders.values.map(\.serial)) }
                pages = pages.filter { current.contains($0.value.serial) }
                if pages.count >= Self.maxPages { pages.removeAll(keepingCapacity: true) }
            }
            pages[key] = page
        }
    }

    /// Forgets the order's kept read (and so its pages), and any read of it in flight.
    func forget(order id: UUID) {
        loading.withLockedValue { _ = $0.tasks.removeValue(forKey: id) }
        orders.withLockedValue { _ = $0.removeValue(forKey: id) }
    }

    func settings(shopID: UUID, application: Application, now: Date) async throws -> TrackingPageSettings {
        if let hit = settings.withLockedValue({ $0[shopID] }), abs(now.timeIntervalSince(hit.at)) < 30 { return hit.settings }
        let loaded = try await TrackingPageSettings.load(shopID: shopID, sql: application.db as! any SQLDatabase)
        settings.withLockedValue { $0[shopID] = (loaded, now) }
        return loaded
    }

    /// Forgets the shop's settings and its kept orders, so a change to the page shows at once on this instance.
    func forget(shop id: UUID) {
        settings.withLockedValue { _ = $0.removeValue(forKey: id) }
        orders.withLockedValue { orders in orders = orders.filter { $0.value.data.shopID != id } }
    }

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

    var trackingPage: TrackingPageState { shared(TrackingPageStateKey.self) { TrackingPageState() } }
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
