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
    func store(shopID: UUID, source: WebhookSignature.Scheme, eventID: String, body: String) async throws -> Receipt {
        let id = application.dependencies.ids.next()
        let time = now
        let inserted = try await application.writeGate.singleStatement(on: application.db) { db in
            try await (db as! any SQLDatabase).raw("""
                INSERT INTO inbox_messages (id, shop_id, source, event_id, received_at, body, status, attempts)
                VALUES (\(bind: id), \(bind: shopID), \(bind: source.rawValue), \(bind: eventID), \(bind: time), \(bind: body), 'received', 0)
                ON CONFLICT (shop_id, source, event_id) DO NOTHING RETURNING id
                """).first() != nil
        }
        return inserted ? .stored(id) : .duplicate
    }

    /// Processes one message and records the outcome: `processed`, `orphan` or `failed`; a database error
    /// leaves it `received` for the next try.
    @discardableResult
    func process(id: UUID) async throws -> String {
        guard let row = try await sql.raw("SELECT shop_id, source, body, attempts FROM inbox_messages WHERE id = \(bind: id)").first() else {
            throw APIError.notFound("inbox message")
        }
        let shopID = try row.decode(column: "shop_id", as: UUID.self)
        let sourceName = try row.decode(column: "source", as: String.self)
        let attempts = try row.decode(column: "attempts", as: Int.self) + 1
        guard let source = WebhookSignature.Scheme(rawValue: sourceName) else {
            return try await finish(id, status: "failed", attempts: attempts, error: "unknown source \(sourceName)", trackingNumber: nil)
        }
        let updates: [TrackingUpdate]
        do {
            updates = try TrackingWebhooks.updates(source, body: Data(try row.decode(column: "body", as: String.self).utf8))
        } catch let unreadable as TrackingWebhooks.Unreadable {
            return try await finish(id, status: "failed", attempts: attempts, error: unreadable.reason, trackingNumber: nil)
        }
        do {
            let service = ShipmentService(application: application, db: application.db)
            var matched = true
            for update in updates {
                let outcome = try await service.apply(update, shopID: shopID, actor: Actor(name: "webhook:\(sourceName)", source: "webhook"))
                if outcome.shipments.isEmpty { matched = false }
            }
            return try await finish(id, status: matched ? "processed" : "orphan", attempts: attempts, error: nil,
                                    trackingNumber: updates.first?.trackingNumber)
        } catch {
            // Our side failed (the database, a lock): keep it for the job, park it after too many tries.
            let parked = attempts >= Self.maximumAttempts
            application.logger.warning("inbox message \(id) not processed (try \(attempts)): \(String(reflecting: error))")
            return try await finish(id, status: parked ? "failed" : "received", attempts: attempts,
                                    error: String(String(reflecting: error).prefix(1_000)), trackingNumber: updates.first?.trackingNumber)
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
