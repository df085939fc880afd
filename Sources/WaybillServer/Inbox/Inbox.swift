import Foundation
import SQLKit
import Vapor
import WaybillCore

/// The inbox (DESIGN mechanism 2): an inbound message is stored raw with the sender's event id before it is
/// acknowledged, then processed idempotently. A repeat of an event id is acknowledged and ignored; a payload
/// that cannot be read is kept as `failed` with the reason; one about a tracking number no shipment has yet
/// is kept as `orphan` and applied when a shipment gets that number. A message left `received` (a crash or a
/// database error between storing and processing) is retried by the background job.
struct Inbox {
    let application: Application

    var sql: any SQLDatabase { application.db as! any SQLDatabase }
    var now: Date { application.dependencies.clock.now() }

    /// After this many tries a message that keeps failing on our side is parked as `failed` for an operator.
    static let maximumAttempts = 10

    enum Receipt: Sendable, Equatable {
        case stored(UUID)
        case duplicate
    }

    struct MessageDTO: Codable, Sendable {
        var id: UUID
        var source: String
        var eventId: String
        var status: String
        var attempts: Int
        var error: String?
        var trackingNumber: String?
        var receivedAt: Date
        var processedAt: Date?
        var body: String?
    }

    /// Stores the message, durably, and nothing else. The same event id from the same source is a duplicate.
    /// Concurrent stores share a statement (`InboxIntake`).
    func store(shopID: UUID, source: WebhookSignature.Scheme, eventID: String, body: String) async throws -> Receipt {
        try await application.inboxIntake.store(.init(id: application.dependencies.ids.next(), shopID: shopID, source: source.rawValue,
                                                      eventID: eventID, body: body, receivedAt: now))
    }

    /// Processes one message and records the outcome: `processed`, `orphan` or `failed`; a database error
    /// leaves it `received` for the next try.
    @discardableResult
    func process(id: UUID) async throws -> String {
        guard let item = try await load([id]).first else { throw APIError.notFound("inbox message") }
        guard let updates = item.updates else {
            return try await finish(id, status: "failed", attempts: item.attempts, error: item.error, trackingNumber: nil)
        }
        do {
            let service = ShipmentService(application: application, db: application.db)
            var matched = true
            for update in updates {
                let outcome = try await service.apply(update, shopID: item.shopID, actor: Actor(name: "webhook:\(item.source)", source: "webhook"))
                if outcome.shipments.isEmpty { matched = false }
            }
            return try await finish(id, status: matched ? "processed" : "orphan", attempts: item.attempts, error: nil,
                                    trackingNumber: updates.first?.trackingNumber)
        } catch {
            // Our side failed (the database, a lock): keep it for the job, park it after too many tries.
            let parked = item.attempts >= Self.maximumAttempts
            application.logger.warning("inbox message \(id) not processed (try \(item.attempts)): \(String(reflecting: error))")
            return try await finish(id, status: parked ? "failed" : "received", attempts: item.attempts,
                                    error: String(String(reflecting: error).prefix(1_000)), trackingNumber: updates.first?.trackingNumber)
        }
    }

    /// The messages, in the order of `ids`, each read into its updates or the reason it cannot be.
    private func load(_ ids: [UUID]) async throws -> [Work] {
        let rank = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var work: [Work] = []
        for row in try await sql.raw("SELECT id, shop_id, source, body, attempts FROM inbox_messages WHERE id IN (\(binds: ids))").all() {
            var item = Work(id: try row.decode(column: "id", as: UUID.self), shopID: try row.decode(column: "shop_id", as: UUID.self),
                            source: try row.decode(column: "source", as: String.self), attempts: try row.decode(column: "attempts", as: Int.self) + 1)
            if let scheme = WebhookSignature.Scheme(rawValue: item.source) {
                do {
                    item.updates = try TrackingWebhooks.updates(scheme, body: Data(try row.decode(column: "body", as: String.self).utf8))
                } catch let unreadable as TrackingWebhooks.Unreadable {
                    item.error = unreadable.reason
                }
            } else {
                item.error = "unknown source \(item.source)"
            }
            work.append(item)
        }
        return work.sorted { rank[$0.id, default: 0] < rank[$1.id, default: 0] }
    }

    /// Processes messages in one write transaction — each applied as `process(id:)` would, and every outcome
    /// recorded in the same transaction, so a message is marked done exactly when its events are stored. If the
    /// batch fails as a whole (a database error, a deadlock, one message our side cannot handle), it is rolled
    /// back and each message is processed on its own, so one bad message never holds the others up.
    func process(ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        let work = try await load(ids)
        let time = now
        let application = application
        do {
            let applied = try await application.write { db in
                let service = ShipmentService(application: application, db: db, clock: WaybillClock { time })
                let batch = work.flatMap { item in
                    (item.updates ?? []).map { ShipmentService.BatchUpdate(shopID: item.shopID, actor: Actor(name: "webhook:\(item.source)", source: "webhook"), update: $0) }
                }
                var results = try await service.applyInTransaction(batch: batch, at: time)[...]
                var outcomes: [Outcome] = []
                var applied: [(shopID: UUID, source: String, applied: ShipmentService.Applied)] = []
                for item in work {
                    guard let updates = item.updates else {
                        outcomes.append(Outcome(id: item.id, status: "failed", attempts: item.attempts, error: item.error, trackingNumber: nil))
                        continue
                    }
                    var matched = true
                    for update in updates {
                        let result = results.removeFirst()
                        if result.outcome.shipments.isEmpty { matched = false }
                        applied.append((item.shopID, update.source, result))
                    }
                    outcomes.append(Outcome(id: item.id, status: matched ? "processed" : "orphan", attempts: item.attempts, error: nil,
                                            trackingNumber: updates.first?.trackingNumber))
                }
                try await Self.record(outcomes, at: time, sql: db as! any SQLDatabase)
                return applied
            }
            await ShipmentService(application: application, db: application.db).settle(applied, at: time)
        } catch {
            application.logger.warning("inbox batch of \(ids.count) rolled back, processing one by one: \(String(reflecting: error))")
            for id in ids {
                do { try await process(id: id) } catch {
                    application.logger.warning("inbox message \(id) left for retry: \(String(reflecting: error))")
                }
            }
        }
    }

    private struct Work: Sendable {
        var id: UUID
        var shopID: UUID
        var source: String
        var attempts: Int
        var updates: [TrackingUpdate]?
        var error: String?
    }

    private struct Outcome: Sendable {
        var id: UUID
        var status: String
        var attempts: Int
        var error: String?
        var trackingNumber: String?
    }

    /// Every outcome of a batch in one statement per 250 messages.
    private static func record(_ outcomes: [Outcome], at time: Date, sql: any SQLDatabase) async throws {
        for start in stride(from: 0, to: outcomes.count, by: 250) {
            let values = outcomes[start..<min(start + 250, outcomes.count)].map { o -> SQLQueryString in
                "(\(bind: o.id), \(bind: o.status), \(bind: o.attempts), \(bind: o.error), \(bind: o.trackingNumber))"
            }.joined(separator: ", ")
            try await sql.raw("""
                UPDATE inbox_messages SET status = v.column2, attempts = v.column3, error = v.column4, processed_at = \(bind: time),
                tracking_number = v.column5
                FROM (VALUES \(values)) AS v WHERE inbox_messages.id = v.column1
                """).run()
        }
    }

    private func finish(_ id: UUID, status: String, attempts: Int, error: String?, trackingNumber: String?) async throws -> String {
        let time = now
        try await application.writeGate.singleStatement(on: application.db) { db in
            try await (db as! any SQLDatabase).raw("""
                UPDATE inbox_messages SET status = \(bind: status), attempts = \(bind: attempts), error = \(bind: error),
                processed_at = \(bind: status == "received" ? nil : time), tracking_number = \(bind: trackingNumber)
                WHERE id = \(bind: id)
                """).run()
        }
        return status
    }

    /// Messages still `received` some time after arriving: their first processing did not finish (a crash, a
    /// database error). Handed to this instance's worker, which skips any it already has queued, so a burst
    /// that is merely waiting its turn is not processed twice; `wait` returns once they are done.
    @discardableResult
    func retryPending(olderThan seconds: TimeInterval = 120, limit: Int = 500, wait: Bool = true) async throws -> Int {
        let ids = try await sql.raw("""
            SELECT id FROM inbox_messages WHERE status = 'received' AND received_at <= \(bind: now.addingTimeInterval(-seconds))
            ORDER BY received_at LIMIT \(literal: limit)
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
        let worker = application.inboxWorker
        var handed = 0
        for id in ids where await !worker.isPending(id) {
            await worker.enqueue(id)
            handed += 1
        }
        if wait { await worker.waitUntilIdle() }
        return handed
    }

    /// An operator's replay of a failed or orphaned message (after mapping a carrier, creating the shipment…).
    func replay(shopID: UUID, id: UUID) async throws -> MessageDTO {
        guard try await sql.raw("SELECT 1 AS found FROM inbox_messages WHERE id = \(bind: id) AND shop_id = \(bind: shopID)").first() != nil else {
            throw APIError.notFound("inbox message")
        }
        try await process(id: id)
        return try await find(shopID: shopID, id: id)
    }

    /// Applies the orphans that carried `trackingNumber`, now that a shipment has it.
    func rematch(shopID: UUID, trackingNumber: String) async throws {
        let ids = try await sql.raw("""
            SELECT id FROM inbox_messages WHERE shop_id = \(bind: shopID) AND tracking_number = \(bind: trackingNumber) AND status = 'orphan'
            ORDER BY received_at
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
        for id in ids { try await process(id: id) }
    }

    func find(shopID: UUID, id: UUID) async throws -> MessageDTO {
        guard let message = try await messages(shopID: shopID, where: "id = \(bind: id)", limit: 1, withBody: true).first else {
            throw APIError.notFound("inbox message")
        }
        return message
    }

    func list(shopID: UUID, status: String?, limit: Int) async throws -> [MessageDTO] {
        try await messages(shopID: shopID, where: status.map { "status = \(bind: $0)" } ?? "1 = 1", limit: limit, withBody: false)
    }

    private func messages(shopID: UUID, where condition: SQLQueryString, limit: Int, withBody: Bool) async throws -> [MessageDTO] {
        try await sql.raw("""
            SELECT id, source, event_id, status, attempts, error, tracking_number, received_at, processed_at
            """ + (withBody ? ", body" : ", NULL AS body") + """
             FROM inbox_messages WHERE shop_id = \(bind: shopID) AND
            """ + " " + condition + " ORDER BY received_at DESC LIMIT \(literal: limit)")
            .all(decoding: MessageDTO.self, keyDecodingStrategy: .convertFromSnakeCase)
    }
}
