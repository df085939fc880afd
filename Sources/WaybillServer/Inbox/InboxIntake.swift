import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Stores inbound messages for the requests that are waiting on it, many per statement: while one batch is
/// being written the next one gathers, so under load a single `INSERT … ON CONFLICT DO NOTHING` (one commit,
/// one fsync, one turn at SQLite's writer) answers dozens of senders, and a lone request waits for nothing.
/// Each request is answered only once its row is durable. A batch that fails as a whole (one body the database
/// refuses) is retried one message at a time, so one bad message never costs the others theirs.
actor InboxIntake {
    struct Pending: Sendable {
        var id: UUID
        var shopID: UUID
        var source: String
        var eventID: String
        var body: String
        var receivedAt: Date
    }

    private let application: Application
    private let maximumRows: Int
    private let maximumBytes: Int
    private var waiting: [(Pending, CheckedContinuation<Inbox.Receipt, any Error>)] = []
    private var writing = false

    init(application: Application, maximumRows: Int = 200, maximumBytes: Int = 4 << 20) {
        self.application = application
        self.maximumRows = maximumRows
        self.maximumBytes = maximumBytes
    }

    func store(_ message: Pending) async throws -> Inbox.Receipt {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((message, continuation))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            var bytes = 0
            var count = 0
            for (message, _) in waiting {
                if count == maximumRows || (count > 0 && bytes + message.body.utf8.count > maximumBytes) { break }
                bytes += message.body.utf8.count
                count += 1
            }
            let batch = Array(waiting.prefix(count))
            waiting.removeFirst(count)
            await write(batch)
        }
        writing = false
    }

    private func write(_ batch: [(Pending, CheckedContinuation<Inbox.Receipt, any Error>)]) async {
        do {
            let stored = try await insert(batch.map(\.0))
            for (message, continuation) in batch {
                continuation.resume(returning: stored.contains(message.id) ? .stored(message.id) : .duplicate)
            }
        } catch {
            guard batch.count > 1 else {
                batch[0].1.resume(throwing: error)
                return
            }
            for item in batch { await write([item]) }
        }
    }

    /// The ids that were inserted; the others repeat an event id already held (or earlier in the batch).
    private func insert(_ messages: [Pending]) async throws -> Set<UUID> {
        let rows: [[any Encodable & Sendable]] = messages.map {
            [$0.id, $0.shopID, $0.source, $0.eventID, $0.receivedAt, $0.body, "received", 0]
        }
        let statement = SQLRows.insert(into: "inbox_messages", ["id", "shop_id", "source", "event_id", "received_at", "body", "status", "attempts"], rows)
            + " ON CONFLICT (shop_id, source, event_id) DO NOTHING RETURNING id"
        return try await application.writeGate.singleStatement(on: application.db) { db in
            Set(try await (db as! any SQLDatabase).raw(statement).all().map { try $0.decode(column: "id", as: UUID.self) })
        }
    }
}

extension Application {
    private struct InboxIntakeKey: StorageKey { typealias Value = InboxIntake }
    private struct WebhookSecretsKey: StorageKey { typealias Value = ExpiringCache<String, WebhookController.Secret> }

    var inboxIntake: InboxIntake { shared(InboxIntakeKey.self) { InboxIntake(application: self) } }

    /// The secret each shop's webhook source signs with, for ten seconds per instance.
    var webhookSecrets: ExpiringCache<String, WebhookController.Secret> { shared(WebhookSecretsKey.self) { ExpiringCache() } }
}
