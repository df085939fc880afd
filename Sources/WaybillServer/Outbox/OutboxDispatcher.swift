import Foundation
import SQLKit
import Vapor
import WaybillCore

/// Turns a dispatch row (facts just appended to an order) into the messages they cause, in one transaction
/// with marking the dispatch done: customer notifications per the shop's rules and the customer's choices,
/// rendered now (so every retry sends the same bytes and the log shows exactly what went out), and one
/// webhook delivery per subscribed endpoint and fact. Keys make a second expansion of the same facts a no-op.
struct OutboxDispatcher {
    let application: Application

    struct Fact: Sendable {
        var id: UUID
        var kind: String
        var payload: JSONValue
        var occurredAt: Date
        var seq: Int
    }

    /// A notification a fact calls for: the trigger and the shipment it is about (nil: the whole order).
    struct Cause: Sendable, Equatable {
        var trigger: NotificationTrigger
        var shipment: String?
    }

    static func cause(of kind: String, payload: JSONValue) -> Cause? {
        switch TimelineKind(rawValue: kind) {
        case .orderPlaced: return Cause(trigger: .orderConfirmed)
        case .orderCancelled: return Cause(trigger: .cancelled)
        case .shipmentHandedOver: return Cause(trigger: .shipped, shipment: payload["number"]?.string)
        case .deliveryAtRisk: return Cause(trigger: .atRisk)
        case .fulfillmentLate: return Cause(trigger: .fulfillmentLate)
        case .trackingUpdated:
            let trigger: NotificationTrigger? = switch payload["to"]?.string {
            case "out_for_delivery": .outForDelivery
            case "delivered": .delivered
            case "failed_attempt": .failedAttempt
            case "exception": .exception
            case "stalled": .stalled
            default: nil
            }
            return trigger.map { Cause(trigger: $0, shipment: payload["number"]?.string) }
        default: return nil
        }
    }

    /// Expands claimed dispatch rows in one transaction (shop data loaded once per shop); returns how many
    /// messages they made. When the batch fails (one order's data is broken, a write conflicts), each row is
    /// tried alone, so one bad row never holds back the rest.
    func expand(_ rows: [Outbox.Claimed], worker: String) async throws -> Int {
        guard !rows.isEmpty else { return 0 }
        do {
            return try await expandTogether(rows, worker: worker)
        } catch where rows.count > 1 {
            application.logger.info("outbox: a batch of \(rows.count) dispatch rows failed (\(error)); expanding them one by one")
            var made = 0
            for row in rows {
                do { made += try await expandTogether([row], worker: worker) } catch {
                    let now = application.dependencies.clock.now()
                    try await application.writeGate.singleStatement(on: application.db) { db in
                        try await Outbox(sql: db as! any SQLDatabase).markFailed(row.id, worker: worker, attempts: row.attempts,
                                                                                  error: String(describing: error), permanent: false, at: now)
                    }
                }
            }
            return made
        }
    }

    private func expandTogether(_ claimed: [Outbox.Claimed], worker: String) async throws -> Int {
        let application = self.application
        let now = application.dependencies.clock.now()
        let secret = try await application.linkSecret()
        // Reading and rendering happen before the write, outside SQLite's write gate: inside it they held every
        // other write (an order's, say) for as long as a batch took to render. The claim keeps other workers off
        // these rows meanwhile, and the write below is idempotent (messages by their idempotency key, the rows'
        // status only while still claimed by this worker).
        let rows = try await render(claimed, now: now, secret: secret, sql: application.db as! any SQLDatabase)
        return try await application.write { db in
            let sql = db as! any SQLDatabase
            for chunk in stride(from: 0, to: rows.count, by: 200) {
                try await sql.raw(SQLRows.insert(into: "outbox", Self.messageColumns, Array(rows[chunk..<min(chunk + 200, rows.count)]))
                                  + " ON CONFLICT (idempotency_key) DO NOTHING").run()
            }
            try await sql.raw("""
                UPDATE outbox SET status = 'sent', sent_at = \(bind: now), transport = 'dispatch', claimed_by = NULL, claimed_until = NULL,
                updated_at = \(bind: now) WHERE id IN (\(binds: claimed.map(\.id))) AND claimed_by = \(bind: worker)
                """).run()
            return rows.count
        }
    }

    /// The outbox rows (messages and webhook deliveries) that claimed dispatch rows make.
    private func render(_ claimed: [Outbox.Claimed], now: Date, secret: String, sql: any SQLDatabase) async throws
        -> [[any Encodable & Sendable]] {
        let application = self.application
        var rows: [[any Encodable & Sendable]] = []
        // The facts of every claimed row in one statement (per chunk of rows): each row's order and seq range.
        var facts: [UUID: [Fact]] = [:]
        var seen = Set<UUID>()
        for chunk in claimed.chunked(300) {
            let ranges = try chunk.map { row -> SQLQueryString in
                guard let orderID = row.orderID, let first = row.firstSeq, let last = row.lastSeq else {
                    throw Abort(.internalServerError, reason: "dispatch row \(row.id) names no facts")
                }
                return "(\(bind: orderID), \(bind: first), \(bind: last))"
            }.joined(separator: ", ")
            for r in try await sql.raw("""
                SELECT f.order_id, f.id, f.kind, f.payload, f.occurred_at, f.seq FROM timeline_facts f
                JOIN (VALUES \(ranges)) AS w ON f.order_id = w.column1 AND f.seq >= w.column2 AND f.seq <= w.column3 ORDER BY f.seq
                """).all() {
                let id = try r.decode(column: "id", as: UUID.self)
                guard seen.insert(id).inserted else { continue }
                facts[try r.decode(column: "order_id", as: UUID.self), default: []].append(
                    Fact(id: id, kind: try r.decode(column: "kind", as: String.self),
                         payload: JSONValue.parse(try r.decode(column: "payload", as: String.self)),
                         occurredAt: try r.decode(column: "occurred_at", as: Date.self), seq: try r.decode(column: "seq", as: Int.self)))
            }
        }
        // Per shop: its data once, then every order's builder in a few statements.
        var shops: [UUID: MessageBuilder.ShopData] = [:]
        var builders: [UUID: MessageBuilder] = [:]
        for (shopID, group) in Dictionary(grouping: claimed, by: \.shopID) {
            let shop = try await MessageBuilder.ShopData.load(shopID: shopID, sql: sql, application: application)
            shops[shopID] = shop
            try await builders.merge(MessageBuilder.load(shop: shop, orderIDs: group.compactMap(\.orderID), secret: secret, sql: sql,
                                                         application: application)) { first, _ in first }
        }
        var pending: [UUID: [(Fact, Cause)]] = [:]
        for row in claimed {
            guard let orderID = row.orderID, let first = row.firstSeq, let last = row.lastSeq, let shop = shops[row.shopID] else { continue }
            guard let builder = builders[orderID], builder.shopID == row.shopID else {
                throw Abort(.notFound, reason: "order \(orderID) not found for its dispatch")
            }
            let own = (facts[orderID] ?? []).filter { (first...last).contains($0.seq) }
            pending[orderID, default: []] += own.compactMap { fact in Self.cause(of: fact.kind, payload: fact.payload).map { (fact, $0) } }
            for fact in own {
                for endpoint in shop.endpoints where endpoint.wants(fact.kind) {
                    rows.append(try WebhookEndpoints.delivery(endpoint: endpoint, shopID: row.shopID, orderID: orderID,
                                                              orderNumber: builder.order.number, fact: fact,
                                                              id: application.dependencies.ids.next(), at: now))
                }
            }
        }
        // Per order, all its causes in this batch together: the same news about several parcels is one message.
        for (orderID, causes) in pending.sorted(by: { $0.key.uuidString < $1.key.uuidString }) where !causes.isEmpty {
            rows += try await builders[orderID]!.messages(for: causes, now: now, newID: application.dependencies.ids.next)
        }
        return rows
    }

    static let messageColumns = ["id", "shop_id", "order_id", "kind", "trigger", "shipment_id", "endpoint_id", "idempotency_key", "status",
                                 "attempts", "next_attempt_at", "recipient", "locale", "subject", "body_text", "body_html", "message_id",
                                 "last_error", "created_at", "updated_at"]
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
