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

    /// Expands the claimed dispatch row; returns how many messages it wrote.
    func expand(_ row: Outbox.Claimed, worker: String) async throws -> Int {
        guard let orderID = row.orderID, let first = row.firstSeq, let last = row.lastSeq else {
            throw Abort(.internalServerError, reason: "dispatch row \(row.id) names no facts")
        }
        let application = self.application
        let now = application.dependencies.clock.now()
        return try await application.write { db in
            let sql = db as! any SQLDatabase
            let facts = try await sql.raw("""
                SELECT id, kind, payload, occurred_at, seq FROM timeline_facts
                WHERE order_id = \(bind: orderID) AND seq >= \(bind: first) AND seq <= \(bind: last) ORDER BY seq
                """).all().map { r in
                    Fact(id: try r.decode(column: "id", as: UUID.self), kind: try r.decode(column: "kind", as: String.self),
                         payload: JSONValue.parse(try r.decode(column: "payload", as: String.self)),
                         occurredAt: try r.decode(column: "occurred_at", as: Date.self), seq: try r.decode(column: "seq", as: Int.self))
                }
            let endpoints = try await WebhookEndpoints(sql: sql).active(shopID: row.shopID)
            let causes = facts.compactMap { fact in Self.cause(of: fact.kind, payload: fact.payload).map { (fact, $0) } }
            var rows: [[any Encodable & Sendable]] = []
            if !causes.isEmpty {
                let builder = try await MessageBuilder.load(shopID: row.shopID, orderID: orderID, sql: sql, application: application)
                for (fact, cause) in causes {
                    rows += try await builder.messages(for: cause, fact: fact, now: now, newID: application.dependencies.ids.next)
                }
            }
            if !endpoints.isEmpty {
                let number = try await sql.raw("SELECT number FROM orders WHERE id = \(bind: orderID)").first()?.decode(column: "number", as: Int64.self)
                for fact in facts {
                    for endpoint in endpoints where endpoint.wants(fact.kind) {
                        rows.append(try WebhookEndpoints.delivery(endpoint: endpoint, shopID: row.shopID, orderID: orderID, orderNumber: number,
                                                                  fact: fact, id: application.dependencies.ids.next(), at: now))
                    }
                }
            }
            if !rows.isEmpty {
                try await sql.raw(SQLRows.insert(into: "outbox", Self.messageColumns, rows) + " ON CONFLICT (idempotency_key) DO NOTHING").run()
            }
            try await Outbox(sql: sql).markSent(row.id, worker: worker, transport: "dispatch", reply: "\(rows.count) messages", at: now)
            return rows.count
        }
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
