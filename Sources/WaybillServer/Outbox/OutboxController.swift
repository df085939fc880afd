import Foundation
import SQLKit
import Vapor
import WaybillCore

/// One outbox message as the API and console show it.
struct OutboxMessageDTO: Codable, Sendable {
    var id: UUID
    var kind: String
    var trigger: String?
    var status: String
    var orderId: UUID?
    var orderNumber: Int64?
    var recipient: String?
    var locale: String?
    var subject: String?
    var attempts: Int
    var nextAttemptAt: Date?
    var lastError: String?
    var transport: String?
    var providerReply: String?
    var messageId: String?
    var createdAt: Date
    var sentAt: Date?
    var bodyText: String?
    var bodyHtml: String?
}

/// The message log: search, read exactly what a customer got, replay what was parked. A dispatch row (facts not
/// yet turned into messages) shows only when parked: then nothing it would have caused went out.
struct OutboxQueries {
    let sql: any SQLDatabase

    struct Filter: Sendable {
        var status: String?
        var kind: String?
        var orderNumber: Int64?
        var recipient: String?
        var trigger: String?
        var before: Date?
        var limit = 50
    }

    static let listColumns = """
        m.id, m.kind, m.trigger, m.status, m.order_id, o.number AS order_number, m.recipient, m.locale, m.subject, m.attempts, m.next_attempt_at,
        m.last_error, m.transport, m.provider_reply, m.message_id, m.created_at, m.sent_at
        """

    func list(shopID: UUID, _ filter: Filter) async throws -> [OutboxMessageDTO] {
        var query: SQLQueryString = "SELECT \(unsafeRaw: Self.listColumns) FROM outbox m LEFT JOIN orders o ON o.id = m.order_id WHERE m.shop_id = \(bind: shopID) AND (m.kind <> 'dispatch' OR m.status = 'parked')"
        if let status = filter.status { query += " AND m.status = \(bind: status)" }
        if let kind = filter.kind { query += " AND m.kind = \(bind: kind)" }
        if let trigger = filter.trigger { query += " AND m.trigger = \(bind: trigger)" }
        if let number = filter.orderNumber { query += " AND o.number = \(bind: number)" }
        if let recipient = filter.recipient { query += " AND lower(m.recipient) LIKE \(bind: "%" + recipient.lowercased().replacingOccurrences(of: "%", with: "") + "%")" }
        if let before = filter.before { query += " AND m.created_at < \(bind: before)" }
        query += " ORDER BY m.created_at DESC, m.id LIMIT \(literal: max(1, min(filter.limit, 200)))"
        return try await sql.raw(query).all().map { try Self.dto($0, bodies: false) }
    }

    func find(shopID: UUID, id: UUID) async throws -> OutboxMessageDTO? {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.listColumns), m.body_text, m.body_html FROM outbox m LEFT JOIN orders o ON o.id = m.order_id
            WHERE m.shop_id = \(bind: shopID) AND m.id = \(bind: id)
            """).first().map { try Self.dto($0, bodies: true) }
    }

    /// Counts by status and kind, for the console's summary line.
    func counts(shopID: UUID) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await sql.raw("SELECT status, COUNT(*) AS n FROM outbox WHERE shop_id = \(bind: shopID) AND kind <> 'dispatch' GROUP BY status").all() {
            counts[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    static func dto(_ row: any SQLRow, bodies: Bool) throws -> OutboxMessageDTO {
        let status = try row.decode(column: "status", as: String.self)
        return OutboxMessageDTO(
            id: try row.decode(column: "id", as: UUID.self), kind: try row.decode(column: "kind", as: String.self),
            trigger: try row.decode(column: "trigger", as: String?.self), status: status,
            orderId: try row.decode(column: "order_id", as: UUID?.self), orderNumber: try row.decode(column: "order_number", as: Int64?.self),
            recipient: try row.decode(column: "recipient", as: String?.self), locale: try row.decode(column: "locale", as: String?.self),
            subject: try row.decode(column: "subject", as: String?.self), attempts: try row.decode(column: "attempts", as: Int.self),
            nextAttemptAt: status == "pending" ? try row.decode(column: "next_attempt_at", as: Date.self) : nil,
            lastError: try row.decode(column: "last_error", as: String?.self), transport: try row.decode(column: "transport", as: String?.self),
            providerReply: try row.decode(column: "provider_reply", as: String?.self), messageId: try row.decode(column: "message_id", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self), sentAt: try row.decode(column: "sent_at", as: Date?.self),
            bodyText: bodies ? try row.decode(column: "body_text", as: String?.self) : nil,
            bodyHtml: bodies ? try row.decode(column: "body_html", as: String?.self) : nil)
    }
}

/// `/api/v1/messages`, `/api/v1/notifications/…` and `/api/v1/webhook-endpoints`.
struct OutboxController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let messages = routes.grouped("messages")
        messages.get(use: list)
        messages.get(":id", use: show)
        messages.post(":id", "replay", use: replay)

        let notifications = routes.grouped("notifications")
        notifications.get("settings", use: showSettings)
        notifications.put("settings", use: saveSettings)
        notifications.get("templates", use: listTemplates)
        notifications.get("templates", ":trigger", ":channel", ":locale", use: showTemplate)
        notifications.put("templates", ":trigger", ":channel", ":locale", use: saveTemplate)
        notifications.delete("templates", ":trigger", ":channel", ":locale", use: resetTemplate)
        notifications.post("templates", ":trigger", ":channel", ":locale", "preview", use: previewTemplate)
        notifications.get("preferences", use: showPreferences)
        notifications.put("preferences", use: savePreferences)
        notifications.get("coupons", use: listCoupons)
        notifications.post("coupons", use: addCoupons)

        let endpoints = routes.grouped("webhook-endpoints")
        endpoints.get(use: listEndpoints)
        endpoints.post(use: createEndpoint)
        endpoints.get(":id", use: showEndpoint)
        endpoints.delete(":id", use: deleteEndpoint)
        endpoints.post(":id", "rotate-secret", use: rotateSecret)
        endpoints.post(":id", "test", use: testEndpoint)
    }

    // MARK: Messages

    func list(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersRead)
        var filter = OutboxQueries.Filter()
        filter.status = try req.query.get(String?.self, at: "status")
        if let status = filter.status, Outbox.Status(rawValue: status) == nil {
            throw APIError.invalid("status", "unknown_status", "status must be one of \(Outbox.Status.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        filter.kind = try req.query.get(String?.self, at: "kind")
        if let kind = filter.kind, Outbox.Kind(rawValue: kind) == nil || kind == "dispatch" {
            throw APIError.invalid("kind", "unknown_kind", "kind must be email, sms or webhook")
        }
        filter.trigger = try req.query.get(String?.self, at: "trigger")
        if let raw = try req.query.get(String?.self, at: "order") {
            guard let number = Int64(raw.trimmingCharacters(in: CharacterSet(charactersIn: "#"))) else {
                throw APIError.invalid("order", "invalid_order_number", "order must be an order number")
            }
            filter.orderNumber = number
        }
        filter.recipient = try req.query.get(String?.self, at: "recipient").map { String($0.prefix(200)) }
        if let raw = try req.query.get(String?.self, at: "before") {
            guard let date = try? Date(raw, strategy: .iso8601) else { throw APIError.invalid("before", "invalid_date", "before must be an ISO 8601 time") }
            filter.before = date
        }
        if let raw = try req.query.get(String?.self, at: "limit") {
            guard let limit = Int(raw), (1...200).contains(limit) else { throw APIError.invalid("limit", "out_of_range", "limit must be 1–200") }
            filter.limit = limit
        }
        let items = try await OutboxQueries(sql: req.db as! any SQLDatabase).list(shopID: principal.shopID, filter)
        struct Page: Codable { var items: [OutboxMessageDTO]; var nextBefore: Date? }
        return try .json(Page(items: items, nextBefore: items.count == filter.limit ? items.last?.createdAt : nil))
    }

    func show(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersRead)
        guard let id = req.parameters.get("id", as: UUID.self),
              let message = try await OutboxQueries(sql: req.db as! any SQLDatabase).find(shopID: principal.shopID, id: id) else {
            throw APIError.notFound("message")
        }
        return try .json(message)
    }

    func replay(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersWrite)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw APIError.notFound("message") }
        let now = req.now
        let replayed = try await req.application.writeGate.singleStatement(on: req.db) { db in
            try await Outbox(sql: db as! any SQLDatabase).replay(shopID: principal.shopID, id: id, at: now)
        }
        guard let message = try await OutboxQueries(sql: req.db as! any SQLDatabase).find(shopID: principal.shopID, id: id) else {
            throw APIError.notFound("message")
        }
        guard replayed else {
            throw APIError(.conflict, "not_replayable", "only parked or waiting messages can be replayed; this one is \(message.status)")
        }
        return try .json(message, status: .accepted)
    }

    // MARK: Settings

    func showSettings(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsRead)
        return try .json(try await NotificationSettings.load(shopID: principal.shopID, sql: req.db as! any SQLDatabase))
    }

    func saveSettings(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsWrite)
        let settings = try req.decodeJSON(NotificationSettings.self)
        try settings.validate()
        try await NotificationSettings.save(settings, shopID: principal.shopID, at: req.now, application: req.application)
        req.application.notificationSettingsCache.forget(principal.shopID)
        return try .json(settings)
    }

    // MARK: Templates

    struct TemplateDTO: Codable, Sendable {
        var trigger: String
        var channel: String
        var locale: String
        var subject: String?
        var text: String
        var html: String?
        var customised: Bool
    }

    struct TemplateBody: Codable, Sendable {
        var subject: String?
        var text: String
        var html: String?
    }

    private func address(_ req: Request) throws -> (NotificationTrigger, NotificationChannel, String) {
        guard let trigger = req.parameters.get("trigger").flatMap(NotificationTrigger.init(rawValue:)) else {
            throw APIError.invalid("trigger", "unknown_trigger", "trigger must be one of \(NotificationTrigger.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let channel = req.parameters.get("channel").flatMap(NotificationChannel.init(rawValue:)) else {
            throw APIError.invalid("channel", "unknown_channel", "channel must be email or sms")
        }
        guard let locale = req.parameters.get("locale"), ["ko", "en"].contains(locale) else {
            throw APIError.invalid("locale", "unknown_locale", "locale must be ko or en")
        }
        return (trigger, channel, locale)
    }

    func listTemplates(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsRead)
        let stored = try await Self.stored(shopID: principal.shopID, sql: req.db as! any SQLDatabase)
        var out: [TemplateDTO] = []
        for trigger in NotificationTrigger.allCases {
            for channel in NotificationChannel.allCases {
                for locale in ["ko", "en"] {
                    let key = "\(trigger.rawValue)/\(channel.rawValue)/\(locale)"
                    let set = stored[key] ?? DefaultTemplates.template(trigger, channel: channel, locale: locale)
                    out.append(TemplateDTO(trigger: trigger.rawValue, channel: channel.rawValue, locale: locale, subject: set.subject, text: set.text,
                                           html: set.html, customised: stored[key] != nil))
                }
            }
        }
        return try .json(out)
    }

    static func stored(shopID: UUID, sql: any SQLDatabase) async throws -> [String: TemplateSet] {
        var out: [String: TemplateSet] = [:]
        for r in try await sql.raw("SELECT trigger, channel, locale, subject, body_text, body_html FROM notification_templates WHERE shop_id = \(bind: shopID)").all() {
            let key = "\(try r.decode(column: "trigger", as: String.self))/\(try r.decode(column: "channel", as: String.self))/\(try r.decode(column: "locale", as: String.self))"
            out[key] = TemplateSet(subject: try r.decode(column: "subject", as: String?.self), text: try r.decode(column: "body_text", as: String.self),
                                   html: try r.decode(column: "body_html", as: String?.self))
        }
        return out
    }

    func showTemplate(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsRead)
        let (trigger, channel, locale) = try address(req)
        let stored = try await Self.stored(shopID: principal.shopID, sql: req.db as! any SQLDatabase)["\(trigger.rawValue)/\(channel.rawValue)/\(locale)"]
        let set = stored ?? DefaultTemplates.template(trigger, channel: channel, locale: locale)
        return try .json(TemplateDTO(trigger: trigger.rawValue, channel: channel.rawValue, locale: locale, subject: set.subject, text: set.text,
                                     html: set.html, customised: stored != nil))
    }

    /// Compiles each part against the trigger's values; a mistake is a 422 naming the part and its line.
    static func validated(_ body: TemplateBody, trigger: NotificationTrigger, channel: NotificationChannel) throws -> TemplateSet {
        var issues = IssueList()
        let schema = NotificationContent.schema(for: trigger)
        func check(_ source: String?, _ field: String) {
            guard let source else { return }
            do { _ = try MessageTemplate(source, schema: schema) } catch { issues.add(field, "template_error", "\(field): \(error)") }
        }
        if channel == .email {
            if (body.subject ?? "").trimmingCharacters(in: .whitespaces).isEmpty { issues.add("subject", "required", "an e-mail template needs a subject") }
            if (body.subject ?? "").count > 300 { issues.add("subject", "too_long", "subject must be at most 300 characters") }
        } else if body.subject != nil || body.html != nil {
            issues.add(body.subject != nil ? "subject" : "html", "not_for_sms", "an SMS template has only text")
        }
        if body.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { issues.add("text", "required", "text must not be empty") }
        check(body.subject, "subject")
        check(body.text, "text")
        check(body.html, "html")
        guard issues.isEmpty else { throw ValidationFailure(issues.issues) }
        return TemplateSet(subject: body.subject, text: body.text, html: body.html)
    }

    func saveTemplate(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsWrite)
        let (trigger, channel, locale) = try address(req)
        let set = try Self.validated(try req.decodeJSON(TemplateBody.self), trigger: trigger, channel: channel)
        try await Self.store(set, shopID: principal.shopID, trigger: trigger, channel: channel, locale: locale, at: req.now, application: req.application)
        return try .json(TemplateDTO(trigger: trigger.rawValue, channel: channel.rawValue, locale: locale, subject: set.subject, text: set.text,
                                     html: set.html, customised: true))
    }

    /// Replaces the shop's template for `trigger`/`channel`/`locale` (already validated).
    static func store(_ set: TemplateSet, shopID: UUID, trigger: NotificationTrigger, channel: NotificationChannel, locale: String, at now: Date,
                      application: Application) async throws {
        try await application.write { db in
            let sql = db as! any SQLDatabase
            try await sql.raw("""
                DELETE FROM notification_templates WHERE shop_id = \(bind: shopID) AND trigger = \(bind: trigger.rawValue)
                AND channel = \(bind: channel.rawValue) AND locale = \(bind: locale)
                """).run()
            try await sql.raw("""
                INSERT INTO notification_templates (shop_id, trigger, channel, locale, subject, body_text, body_html, updated_at)
                VALUES (\(bind: shopID), \(bind: trigger.rawValue), \(bind: channel.rawValue), \(bind: locale), \(bind: set.subject),
                \(bind: set.text), \(bind: set.html), \(bind: now))
                """).run()
        }
    }

    func resetTemplate(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsWrite)
        let (trigger, channel, locale) = try address(req)
        try await req.application.write { db in
            try await (db as! any SQLDatabase).raw("""
                DELETE FROM notification_templates WHERE shop_id = \(bind: principal.shopID) AND trigger = \(bind: trigger.rawValue)
                AND channel = \(bind: channel.rawValue) AND locale = \(bind: locale)
                """).run()
        }
        return Response(status: .noContent)
    }

    struct Preview: Codable, Sendable {
        var subject: String?
        var text: String
        var html: String?
    }

    /// Renders the body (or, without one, the stored template) with sample data, exactly as it would be sent.
    func previewTemplate(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsRead)
        let (trigger, channel, locale) = try address(req)
        let sql = req.db as! any SQLDatabase
        let set: TemplateSet
        if let body = req.body.data, body.readableBytes > 0 {
            set = try Self.validated(try req.decodeJSON(TemplateBody.self), trigger: trigger, channel: channel)
        } else {
            set = try await Self.stored(shopID: principal.shopID, sql: sql)["\(trigger.rawValue)/\(channel.rawValue)/\(locale)"]
                ?? DefaultTemplates.template(trigger, channel: channel, locale: locale)
        }
        let settings = try await NotificationSettings.load(shopID: principal.shopID, sql: sql)
        let shopName = try await sql.raw("SELECT name FROM shops WHERE id = \(bind: principal.shopID)").first()?.decode(column: "name", as: String.self) ?? ""
        return try .json(try Self.preview(set, trigger: trigger, channel: channel, locale: locale, settings: settings, shopName: shopName,
                                          publicURL: req.application.outboxConfiguration.publicURL))
    }

    static func preview(_ set: TemplateSet, trigger: NotificationTrigger, channel: NotificationChannel, locale: String,
                        settings: NotificationSettings, shopName: String, publicURL: String) throws -> Preview {
        var context = NotificationContent.sample(for: trigger, locale: locale)
        context.set("shop.name", .string(shopName))
        context.set("shop.brand_color", .string(settings.brand.color))
        let rendered = try MessageBuilder.render(set, trigger: trigger, channel: channel, context: context, shopName: shopName,
                                                 brand: settings.brand, unsubscribe: publicURL + "/u/preview", language: locale)
        return Preview(subject: rendered.subject, text: rendered.text, html: rendered.html)
    }

    // MARK: Preferences

    struct PreferencesBody: Codable, Sendable {
        var email: String?
        var order: Int64?
        var emailUpdates: Bool?
        var smsUpdates: Bool?
        var locale: String?
    }

    private func preferenceSubject(_ body: PreferencesBody, shopID: UUID, sql: any SQLDatabase) async throws -> String {
        switch (body.email, body.order) {
        case (let email?, nil):
            guard (try? MailAddress(email)) != nil else { throw APIError.invalid("email", "invalid_email", "email is not a valid address") }
            return NotificationPreferences.subject(email: email)
        case (nil, let number?):
            guard let row = try await sql.raw("SELECT id FROM orders WHERE shop_id = \(bind: shopID) AND number = \(bind: number)").first() else {
                throw APIError.invalid("order", "unknown_order", "no order #\(number)")
            }
            return NotificationPreferences.subject(orderID: try row.decode(column: "id", as: UUID.self))
        default:
            throw APIError.invalid("email", "one_required", "give exactly one of email (the customer's choice) or order (this order's)")
        }
    }

    func showPreferences(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersRead)
        let body = PreferencesBody(email: try req.query.get(String?.self, at: "email"),
                                   order: try req.query.get(String?.self, at: "order").flatMap { Int64($0) })
        let sql = req.db as! any SQLDatabase
        let subject = try await preferenceSubject(body, shopID: principal.shopID, sql: sql)
        let row = try await sql.raw("""
            SELECT email, sms, locale FROM notification_preferences WHERE shop_id = \(bind: principal.shopID) AND subject = \(bind: subject)
            """).first()
        return try .json(PreferencesBody(email: body.email, order: body.order, emailUpdates: try row?.decode(column: "email", as: Bool?.self),
                                         smsUpdates: try row?.decode(column: "sms", as: Bool?.self), locale: try row?.decode(column: "locale", as: String?.self)))
    }

    func savePreferences(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersWrite)
        let body = try req.decodeJSON(PreferencesBody.self)
        if let locale = body.locale, !["ko", "en"].contains(locale) { throw APIError.invalid("locale", "unknown_locale", "locale must be ko or en") }
        if body.emailUpdates == nil && body.smsUpdates == nil && body.locale == nil {
            throw APIError.invalid("email_updates", "nothing_to_change", "give email_updates, sms_updates or locale")
        }
        let subject = try await preferenceSubject(body, shopID: principal.shopID, sql: req.db as! any SQLDatabase)
        let now = req.now
        try await req.application.writeGate.singleStatement(on: req.db) { db in
            try await NotificationPreferences.update(shopID: principal.shopID, subject: subject,
                                                     NotificationPreferences(email: body.emailUpdates, sms: body.smsUpdates, locale: body.locale),
                                                     at: now, on: db as! any SQLDatabase)
        }
        return try await showPreferences(req: req.withQuery(email: body.email, order: body.order))
    }

    // MARK: Coupons

    struct CouponsBody: Codable, Sendable {
        var pool: String
        var codes: [String]?
        var generate: Int?
        var prefix: String?
    }

    struct PoolDTO: Codable, Sendable {
        var pool: String
        var free: Int
        var granted: Int
    }

    func listCoupons(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsRead)
        let rows = try await (req.db as! any SQLDatabase).raw("""
            SELECT pool, SUM(CASE WHEN order_id IS NULL THEN 1 ELSE 0 END) AS free, SUM(CASE WHEN order_id IS NULL THEN 0 ELSE 1 END) AS granted
            FROM coupon_codes WHERE shop_id = \(bind: principal.shopID) GROUP BY pool ORDER BY pool
            """).all()
        return try .json(try rows.map {
            PoolDTO(pool: try $0.decode(column: "pool", as: String.self), free: try $0.decode(column: "free", as: Int.self),
                    granted: try $0.decode(column: "granted", as: Int.self))
        })
    }

    /// Adds codes to a pool: the shop's own list, or `generate` random ones (`PREFIX-XXXX-XXXX`). All or none.
    func addCoupons(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsWrite)
        let body = try req.decodeJSON(CouponsBody.self)
        var issues = IssueList()
        if body.pool.isEmpty || body.pool.count > 40 { issues.add("pool", "invalid_length", "pool must be 1–40 characters") }
        var codes = body.codes ?? []
        if let n = body.generate {
            if !(1...10_000).contains(n) { issues.add("generate", "out_of_range", "generate must be 1–10000") }
            let prefix = body.prefix ?? "SORRY"
            if prefix.count > 12 || !prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                issues.add("prefix", "invalid", "prefix must be up to 12 letters or digits")
            }
            let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
            if (1...10_000).contains(n) {
                codes += (0..<n).map { _ in
                    prefix + "-" + String((0..<4).map { _ in alphabet.randomElement()! }) + "-" + String((0..<4).map { _ in alphabet.randomElement()! })
                }
            }
        }
        if codes.isEmpty { issues.add("codes", "required", "give codes or generate") }
        if codes.count > 10_000 { issues.add("codes", "too_many", "at most 10,000 codes at once") }
        for (i, code) in codes.prefix(10_000).enumerated() where code.isEmpty || code.count > 64 || code.contains(where: { $0.isWhitespace }) {
            issues.add("codes[\(i)]", "invalid_code", "a code is 1–64 characters without spaces")
        }
        if Set(codes).count != codes.count { issues.add("codes", "duplicate_code", "codes must be unique") }
        guard issues.isEmpty else { throw ValidationFailure(issues.issues) }
        let now = req.now
        let shopID = principal.shopID
        let all = codes
        try await req.application.write { db in
            let sql = db as! any SQLDatabase
            for chunk in stride(from: 0, to: all.count, by: 500) {
                let rows: [[any Encodable & Sendable]] = all[chunk..<min(chunk + 500, all.count)].map { [shopID, body.pool, $0, now] }
                try await sql.raw(SQLRows.insert(into: "coupon_codes", ["shop_id", "pool", "code", "created_at"], rows)).run()
            }
        }
        return try await listCoupons(req: req)
    }

    // MARK: Webhook endpoints

    struct EndpointBody: Codable, Sendable {
        var url: String
        var events: [String]?
        var description: String?
    }

    struct EndpointDTO: Codable, Sendable {
        var endpoint: WebhookEndpoints.Endpoint
        var secret: String?
    }

    func listEndpoints(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsRead)
        return try .json(try await WebhookEndpoints(sql: req.db as! any SQLDatabase).all(shopID: principal.shopID))
    }

    func showEndpoint(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsRead)
        guard let id = req.parameters.get("id", as: UUID.self),
              let endpoint = try await WebhookEndpoints(sql: req.db as! any SQLDatabase).find(shopID: principal.shopID, id: id) else {
            throw APIError.notFound("webhook endpoint")
        }
        return try .json(endpoint)
    }

    /// Creates an endpoint; its secret is shown in this answer (and after a rotation) only.
    func createEndpoint(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsWrite)
        let body = try req.decodeJSON(EndpointBody.self)
        do { try await WebhookURLPolicy.check(body.url, allowPrivate: req.application.outboxConfiguration.allowPrivateWebhooks) } catch {
            throw APIError.invalid("url", "refused_url", "url refused: \(error)")
        }
        let known = Set(TimelineKind.allCases.map(\.rawValue)).union(["*"])
        let events = body.events ?? ["*"]
        if events.isEmpty || events.count > 50 { throw APIError.invalid("events", "invalid", "events must list 1–50 fact kinds, or [\"*\"]") }
        if let i = events.firstIndex(where: { !known.contains($0) }) {
            throw APIError.invalid("events[\(i)]", "unknown_event", "unknown event '\(events[i].prefix(60))'; events are timeline fact kinds or *")
        }
        if (body.description ?? "").count > 200 { throw APIError.invalid("description", "too_long", "description must be at most 200 characters") }
        let id = req.application.dependencies.ids.next(), secret = WebhookEndpoints.newSecret(), now = req.now
        try await req.application.writeGate.singleStatement(on: req.db) { db in
            try await (db as! any SQLDatabase).raw("""
                INSERT INTO webhook_endpoints (id, shop_id, url, secret, events, description, created_at, consecutive_failures)
                VALUES (\(bind: id), \(bind: principal.shopID), \(bind: body.url), \(bind: secret), \(bind: events.joined(separator: ",")),
                \(bind: body.description ?? ""), \(bind: now), 0)
                """).run()
        }
        let endpoint = try await WebhookEndpoints(sql: req.db as! any SQLDatabase).find(shopID: principal.shopID, id: id)!
        return try .json(EndpointDTO(endpoint: endpoint, secret: secret), status: .created)
    }

    func deleteEndpoint(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsWrite)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw APIError.notFound("webhook endpoint") }
        let now = req.now
        let gone = try await req.application.write { db -> Bool in
            let sql = db as! any SQLDatabase
            let rows = try await sql.raw("""
                UPDATE webhook_endpoints SET disabled_at = \(bind: now) WHERE id = \(bind: id) AND shop_id = \(bind: principal.shopID)
                AND disabled_at IS NULL RETURNING id
                """).all()
            // Deliveries not yet made are not made: parked with the reason, visible in the log.
            try await sql.raw("""
                UPDATE outbox SET status = 'parked', last_error = 'the webhook endpoint was deleted', updated_at = \(bind: now)
                WHERE endpoint_id = \(bind: id) AND status = 'pending'
                """).run()
            return !rows.isEmpty
        }
        guard gone else { throw APIError.notFound("webhook endpoint") }
        return Response(status: .noContent)
    }

    func rotateSecret(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsWrite)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw APIError.notFound("webhook endpoint") }
        let secret = WebhookEndpoints.newSecret()
        let rotated = try await req.application.writeGate.singleStatement(on: req.db) { db in
            try await !(db as! any SQLDatabase).raw("""
                UPDATE webhook_endpoints SET secret = \(bind: secret) WHERE id = \(bind: id) AND shop_id = \(bind: principal.shopID) RETURNING id
                """).all().isEmpty
        }
        guard rotated, let endpoint = try await WebhookEndpoints(sql: req.db as! any SQLDatabase).find(shopID: principal.shopID, id: id) else {
            throw APIError.notFound("webhook endpoint")
        }
        return try .json(EndpointDTO(endpoint: endpoint, secret: secret))
    }

    /// Queues a `webhook.test` event to the endpoint through the outbox, like any other delivery.
    func testEndpoint(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsWrite)
        guard let id = req.parameters.get("id", as: UUID.self),
              let endpoint = try await WebhookEndpoints(sql: req.db as! any SQLDatabase).find(shopID: principal.shopID, id: id),
              endpoint.disabledAt == nil else {
            throw APIError.notFound("webhook endpoint")
        }
        let messageID = req.application.dependencies.ids.next(), eventID = req.application.dependencies.ids.next(), now = req.now
        struct TestEvent: Codable { var id: UUID; var type: String; var createdAt: Date; var shopId: UUID; var data: [String: String] }
        let body = String(decoding: try JSONCoding.encoder.encode(TestEvent(id: eventID, type: "webhook.test", createdAt: now, shopId: principal.shopID,
                                                                            data: ["message": "a test from Waybill"])), as: UTF8.self)
        let row: [any Encodable & Sendable] = [messageID, principal.shopID, UUID?.none, Outbox.Kind.webhook.rawValue, "webhook.test", UUID?.none, id,
                                               "webhook-test:\(eventID.uuidString.lowercased())", Outbox.Status.pending.rawValue, 0, now, endpoint.url,
                                               String?.none, String?.none, body, String?.none, eventID.uuidString.lowercased(), String?.none, now, now]
        try await req.application.writeGate.singleStatement(on: req.db) { db in
            try await (db as! any SQLDatabase).raw(SQLRows.insert(into: "outbox", OutboxDispatcher.messageColumns, [row])).run()
        }
        let message = try await OutboxQueries(sql: req.db as! any SQLDatabase).find(shopID: principal.shopID, id: messageID)!
        return try .json(message, status: .accepted)
    }
}

private extension Request {
    /// The same request with `email`/`order` as its query, to answer a PUT with the GET's body.
    func withQuery(email: String?, order: Int64?) -> Request {
        var components = URLComponents()
        components.queryItems = [email.map { URLQueryItem(name: "email", value: $0) }, order.map { URLQueryItem(name: "order", value: String($0)) }]
            .compactMap { $0 }
        url.query = components.percentEncodedQuery
        return self
    }
}
