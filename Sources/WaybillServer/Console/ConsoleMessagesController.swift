import Foundation
import SQLKit
import Vapor
import WaybillCore

/// `/console/messages`: the message log (every e-mail, SMS and webhook, searchable by status, order and
/// recipient), one message exactly as its recipient got it, replay of parked messages, and the health of
/// the shop's webhook endpoints (a failing one is flagged here, never silently switched off).
struct ConsoleMessagesController {
    struct Row: Encodable {
        var id: String
        var created: String
        var kind: String
        var trigger: String
        var status: String
        var order: String
        var recipient: String
        var subject: String
        var attempts: Int
        var error: String
        var replayable: Bool
    }

    struct EndpointRow: Encodable {
        var url: String
        var health: String
        var failing: Bool
        var lastError: String
    }

    struct ListContext: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title = "Messages"
        var status: String
        var q: String
        var order: String
        var counts: String
        var notice: String
        var messages: [Row]
        var endpoints: [EndpointRow]
    }

    struct ShowContext: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title = "Message"
        var message: Row
        var transport: String
        var reply: String
        var messageId: String
        var sent: String
        var text: String
        var html: String
    }

    func row(_ m: OutboxMessageDTO, timezone: String) -> Row {
        Row(id: m.id.uuidString.lowercased(), created: ConsoleFormat.dateTime(m.createdAt, timezone: timezone), kind: m.kind,
            trigger: m.trigger ?? "", status: m.status, order: m.orderNumber.map { "#\($0)" } ?? "", recipient: m.recipient ?? "",
            subject: m.subject ?? (m.kind == "webhook" ? (m.trigger ?? "") : ""), attempts: m.attempts,
            error: m.lastError ?? "", replayable: ["parked", "pending"].contains(m.status))
    }

    func list(req: Request) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let shopID = try shop.requireID()
        let sql = req.db as! any SQLDatabase
        var filter = OutboxQueries.Filter()
        let status = (try? req.query.get(String.self, at: "status")) ?? ""
        if Outbox.Status(rawValue: status) != nil { filter.status = status }
        let q = String(((try? req.query.get(String.self, at: "q")) ?? "").prefix(200))
        if !q.isEmpty { filter.recipient = q }
        let order = (try? req.query.get(String.self, at: "order")) ?? ""
        filter.orderNumber = Int64(order.trimmingCharacters(in: CharacterSet(charactersIn: "# ")))
        filter.limit = 200
        let messages = try await OutboxQueries(sql: sql).list(shopID: shopID, filter)
        let counts = try await OutboxQueries(sql: sql).counts(shopID: shopID)
        let endpoints = try await WebhookEndpoints(sql: sql).all(shopID: shopID).filter { $0.disabledAt == nil }.map { e in
            EndpointRow(url: e.url,
                        health: e.healthy ? "healthy" + (e.lastSuccessAt.map { ", last delivery \(ConsoleFormat.dateTime($0, timezone: shop.timezone))" } ?? "")
                            : "failing since \(e.failingSince.map { ConsoleFormat.dateTime($0, timezone: shop.timezone) } ?? "?") (\(e.consecutiveFailures) failures in a row; still retried)",
                        failing: !e.healthy, lastError: e.lastError ?? "")
        }
        return try await req.view.render("messages", ListContext(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), status: filter.status ?? "", q: q, order: order,
            counts: Outbox.Status.allCases.map { "\(counts[$0.rawValue] ?? 0) \($0.rawValue)" }.joined(separator: " · "),
            notice: (try? req.query.get(String.self, at: "notice")) ?? "",
            messages: messages.map { row($0, timezone: shop.timezone) }, endpoints: endpoints))
    }

    func show(req: Request) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        guard let id = req.parameters.get("id", as: UUID.self),
              let m = try await OutboxQueries(sql: req.db as! any SQLDatabase).find(shopID: try shop.requireID(), id: id) else {
            throw Abort(.notFound)
        }
        return try await req.view.render("message", ShowContext(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), message: row(m, timezone: shop.timezone),
            transport: m.transport ?? "", reply: m.providerReply ?? "", messageId: m.messageId ?? "",
            sent: m.sentAt.map { ConsoleFormat.dateTime($0, timezone: shop.timezone) } ?? "not yet", text: m.bodyText ?? "", html: m.bodyHtml ?? ""))
    }

    func replay(req: Request) async throws -> Response {
        let (_, shop) = try await ConsoleSettingsController.signedIn(req)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let shopID = try shop.requireID(), now = req.now
        let done = try await req.application.writeGate.singleStatement(on: req.db) { db in
            try await Outbox(sql: db as! any SQLDatabase).replay(shopID: shopID, id: id, at: now)
        }
        let notice = done ? "Queued again: it goes out within seconds." : "Only parked or waiting messages can be replayed."
        return req.redirect(to: "/console/messages?notice=" + (notice.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""))
    }
}
