import Foundation
import SQLKit
import Vapor
import WaybillCore

/// The outbox (DESIGN mechanism 3): everything that leaves Waybill is first a row here, written in the
/// transaction of the fact that causes it, then claimed, sent, retried and — after its last try or a
/// permanent refusal — parked where an operator sees why and can replay it.
///
/// Facts do not know their messages: appending facts to an order writes one `dispatch` row naming the
/// facts (`first_seq…last_seq`), and the worker turns it into e-mails, SMS and webhook deliveries in one
/// transaction, each with its own idempotency key. So a crash at any point loses nothing and repeats nothing
/// that the keys can tell apart.
struct Outbox {
    let sql: any SQLDatabase

    enum Kind: String, Codable, Sendable, CaseIterable { case dispatch, email, sms, webhook }
    enum Status: String, Codable, Sendable, CaseIterable { case pending, sending, sent, parked, suppressed }

    /// Retries before a message is parked: about three days in all (30 s doubling to a 6 h cap, ±20% jitter).
    static let maxAttempts = 21
    static func backoff(afterAttempt attempt: Int, random: Double = Double.random(in: -0.2...0.2)) -> TimeInterval {
        let base = min(30 * pow(2, Double(max(attempt - 1, 0))), 6 * 3_600)
        return base * (1 + random)
    }

    /// A claim lasts this long; a worker that dies mid-batch lets its rows go after it.
    static let lease: TimeInterval = 120

    static let dispatchColumns = ["id", "shop_id", "order_id", "kind", "idempotency_key", "status", "attempts", "next_attempt_at",
                                  "first_seq", "last_seq", "created_at", "updated_at"]

    /// The dispatch row for facts `first…last` of an order, for callers that insert it in a larger statement.
    /// News about parcels waits this long before it is turned into messages, so the same news about several
    /// parcels of one order (handed over one after another) goes out as one digest.
    static let digestWindow: TimeInterval = 20

    static func dispatchRow(id: UUID, shopID: UUID, orderID: UUID, first: Int, last: Int, at time: Date,
                            due: Date? = nil) -> [any Encodable & Sendable] {
        [id, shopID, orderID, Kind.dispatch.rawValue, "dispatch:\(orderID.uuidString.lowercased()):\(first)", Status.pending.rawValue, 0,
         due ?? time, first, last, time, time]
    }

    /// Writes the dispatch row for facts just appended (inside the caller's transaction); facts about parcels
    /// are due after the digest window.
    func dispatch(id: UUID, shopID: UUID, orderID: UUID, first: Int, last: Int, kinds: [TimelineKind], at time: Date) async throws {
        let aboutParcels = kinds.contains { [.shipmentHandedOver, .trackingUpdated].contains($0) }
        let row = Self.dispatchRow(id: id, shopID: shopID, orderID: orderID, first: first, last: last, at: time,
                                   due: aboutParcels ? time.addingTimeInterval(Self.digestWindow) : nil)
        try await sql.raw(SQLRows.insert(into: "outbox", Self.dispatchColumns, [row]) + " ON CONFLICT (idempotency_key) DO NOTHING").run()
    }

    /// One claimed row.
    struct Claimed: Sendable {
        var id: UUID
        var shopID: UUID
        var orderID: UUID?
        var kind: Kind
        var trigger: String?
        var endpointID: UUID?
        var attempts: Int
        var firstSeq: Int?
        var lastSeq: Int?
        var recipient: String?
        var subject: String?
        var bodyText: String?
        var bodyHTML: String?
        var messageID: String?
        var createdAt: Date
    }

    /// Claims up to `limit` due rows for `worker`: pending rows whose time has come and rows whose claim ran
    /// out (their worker died). `FOR UPDATE SKIP LOCKED` on PostgreSQL lets any number of workers claim at
    /// once without waiting on each other; SQLite has one writer, so its single statement is the lock.
    func claim(worker: String, limit: Int, now: Date) async throws -> [Claimed] {
        let skipLocked: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        let rows = try await sql.raw("""
            UPDATE outbox SET status = 'sending', claimed_by = \(bind: worker), claimed_until = \(bind: now.addingTimeInterval(Self.lease)),
            attempts = attempts + 1, updated_at = \(bind: now)
            WHERE id IN (SELECT id FROM outbox WHERE (status = 'pending' AND next_attempt_at <= \(bind: now))
                         OR (status = 'sending' AND claimed_until < \(bind: now))
                         ORDER BY next_attempt_at LIMIT \(literal: limit)\(skipLocked))
            RETURNING id, shop_id, order_id, kind, trigger, endpoint_id, attempts, first_seq, last_seq, recipient, subject, body_text,
            body_html, message_id, created_at
            """).all()
        return try rows.map { row in
            Claimed(id: try row.decode(column: "id", as: UUID.self), shopID: try row.decode(column: "shop_id", as: UUID.self),
                    orderID: try row.decode(column: "order_id", as: UUID?.self),
                    kind: Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .email,
                    trigger: try row.decode(column: "trigger", as: String?.self), endpointID: try row.decode(column: "endpoint_id", as: UUID?.self),
                    attempts: try row.decode(column: "attempts", as: Int.self),
                    firstSeq: try row.decode(column: "first_seq", as: Int?.self), lastSeq: try row.decode(column: "last_seq", as: Int?.self),
                    recipient: try row.decode(column: "recipient", as: String?.self), subject: try row.decode(column: "subject", as: String?.self),
                    bodyText: try row.decode(column: "body_text", as: String?.self), bodyHTML: try row.decode(column: "body_html", as: String?.self),
                    messageID: try row.decode(column: "message_id", as: String?.self), createdAt: try row.decode(column: "created_at", as: Date.self))
        }
    }

    /// A message sent, to be recorded with the rest of its batch.
    struct Delivered: Sendable {
        var id: UUID
        var kind: String
        var transport: String
        var reply: String
        var at: Date
        var lag: TimeInterval
    }

    /// Marks claimed rows sent, a batch per statement. Fenced by the claim: a worker whose lease ran out and
    /// was taken over changes nothing.
    func markSent(_ delivered: [Delivered], worker: String) async throws {
        for start in stride(from: 0, to: delivered.count, by: 250) {
            let chunk = delivered[start..<min(start + 250, delivered.count)]
            let values = chunk.map { d -> SQLQueryString in
                "(\(bind: d.id), \(bind: d.transport), \(bind: String(d.reply.prefix(1_000))), \(bind: d.at))"
            }.joined(separator: ", ")
            try await sql.raw("""
                UPDATE outbox SET status = 'sent', transport = v.column2, provider_reply = v.column3, sent_at = v.column4, updated_at = v.column4,
                last_error = NULL, claimed_by = NULL, claimed_until = NULL
                FROM (VALUES \(values)) AS v WHERE outbox.id = v.column1 AND outbox.claimed_by = \(bind: worker)
                """).run()
        }
    }

    /// A failed try: back to pending after the back-off, or parked after the last try or a permanent refusal.
    func markFailed(_ id: UUID, worker: String, attempts: Int, error: String, permanent: Bool, at time: Date) async throws {
        let park = permanent || attempts >= Self.maxAttempts
        // Whole seconds: a time stored and read back must compare equal to the clock that reached it.
        let next = Date(timeIntervalSince1970: (time.timeIntervalSince1970 + Self.backoff(afterAttempt: attempts)).rounded(.up))
        try await sql.raw("""
            UPDATE outbox SET status = \(bind: park ? Status.parked.rawValue : Status.pending.rawValue), next_attempt_at = \(bind: park ? time : next),
            last_error = \(bind: String(error.prefix(1_000))), claimed_by = NULL, claimed_until = NULL, updated_at = \(bind: time)
            WHERE id = \(bind: id) AND claimed_by = \(bind: worker)
            """).run()
    }

    /// Not sent on purpose (the customer turned the channel off after the message was written).
    func markSuppressed(_ id: UUID, worker: String, reason: String, at time: Date) async throws {
        try await sql.raw("""
            UPDATE outbox SET status = 'suppressed', last_error = \(bind: reason), claimed_by = NULL, claimed_until = NULL, updated_at = \(bind: time)
            WHERE id = \(bind: id) AND claimed_by = \(bind: worker)
            """).run()
    }

    /// Puts a claimed row back untouched until `until` (quiet hours), without counting the try.
    func postpone(_ id: UUID, worker: String, until: Date, reason: String, at time: Date) async throws {
        try await sql.raw("""
            UPDATE outbox SET status = 'pending', next_attempt_at = \(bind: until), attempts = attempts - 1, last_error = \(bind: reason),
            claimed_by = NULL, claimed_until = NULL, updated_at = \(bind: time)
            WHERE id = \(bind: id) AND claimed_by = \(bind: worker)
            """).run()
    }

    /// Sends a parked (or failed) message again: a fresh budget of tries, due now. Sent messages are not resent.
    func replay(shopID: UUID, id: UUID, at time: Date) async throws -> Bool {
        try await !sql.raw("""
            UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = \(bind: time), updated_at = \(bind: time)
            WHERE id = \(bind: id) AND shop_id = \(bind: shopID) AND status IN ('parked', 'pending') RETURNING id
            """).all().isEmpty
    }
}
