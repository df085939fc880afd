import Foundation
import SQLKit
import Vapor
import WaybillCore

/// Everything one order's notifications are made from, loaded once per dispatch, and the rendering of a
/// trigger into e-mail and SMS rows: the shop's template (or the built-in one) in the customer's language,
/// with the promise, the shipment and its latest scan, inside the shop's branded layout.
struct MessageBuilder {
    struct OrderInfo: Sendable {
        var id: UUID
        var number: Int64
        var locale: String
        var customerName: String
        var email: String
        var phone: String?
        var country: String
        var currency: String
        var total: Int64
        var placedAt: Date
        var lines: [(sku: String, name: String, quantity: Int64)]
    }

    struct ShipmentInfo: Sendable {
        var id: UUID
        var number: String
        var carrier: String
        var trackingNumber: String?
        var status: String
        var lines: [(sku: String, quantity: Int64)]
    }

    struct PromiseInfo: Sendable {
        var earliest: LocalDay
        var mostLikely: LocalDay
        var latest: LocalDay
    }

    let shopID: UUID
    let shopName: String
    let shopZone: TimeZone
    let order: OrderInfo
    let settings: NotificationSettings
    let preferences: NotificationPreferences
    let promise: PromiseInfo?
    let shipments: [String: ShipmentInfo]
    let carriers: CarrierRegistry
    let overrides: [String: TemplateSet]
    let deployment: OutboxConfiguration
    let secret: String
    let sql: any SQLDatabase

    /// What every message of one shop shares, loaded once per batch of dispatch rows.
    struct ShopData: Sendable {
        var id: UUID
        var name: String
        var zone: TimeZone
        var settings: NotificationSettings
        var overrides: [String: TemplateSet]
        var carriers: CarrierRegistry
        var endpoints: [WebhookEndpoints.Endpoint]

        static func load(shopID: UUID, sql: any SQLDatabase, application: Application) async throws -> ShopData {
            guard let s = try await sql.raw("SELECT name, timezone FROM shops WHERE id = \(bind: shopID)").first() else {
                throw Abort(.notFound, reason: "shop \(shopID) not found for its dispatch")
            }
            return ShopData(id: shopID, name: try s.decode(column: "name", as: String.self),
                            zone: TimeZone(identifier: try s.decode(column: "timezone", as: String.self)) ?? .gmt,
                            settings: try await NotificationSettings.load(shopID: shopID, sql: sql),
                            overrides: try await OutboxController.stored(shopID: shopID, sql: sql),
                            carriers: try await ShopCarriers.registry(shopID: shopID, sql: sql, logger: application.logger),
                            endpoints: try await WebhookEndpoints(sql: sql).active(shopID: shopID))
        }
    }

    /// The builders of several orders of one shop, from five statements whatever their number (a batch of
    /// dispatch rows used to cost seven round trips an order). Orders not found (or not the shop's) are left out.
    /// `secret`: the deployment's link secret, read before the caller's transaction (on SQLite a second
    /// connection cannot read or write while the transaction holds the file).
    static func load(shop: ShopData, orderIDs: [UUID], secret: String, sql: any SQLDatabase,
                     application: Application) async throws -> [UUID: MessageBuilder] {
        let shopID = shop.id
        var orders: [UUID: OrderInfo] = [:]
        var lines: [UUID: [(sku: String, name: String, quantity: Int64)]] = [:]
        var shipments: [UUID: [String: ShipmentInfo]] = [:]
        var promises: [UUID: PromiseInfo] = [:]
        var choices: [String: NotificationPreferences] = [:]
        for ids in Array(Set(orderIDs)).chunked(400) {
            for o in try await sql.raw("""
                SELECT o.id, o.number, o.locale, o.customer_name, o.customer_email, o.customer_phone, o.ship_country, o.currency, o.total,
                o.placed_at FROM orders o WHERE o.id IN (\(binds: ids)) AND o.shop_id = \(bind: shopID)
                """).all() {
                let id = try o.decode(column: "id", as: UUID.self)
                orders[id] = OrderInfo(
                    id: id, number: try o.decode(column: "number", as: Int64.self), locale: try o.decode(column: "locale", as: String.self),
                    customerName: try o.decode(column: "customer_name", as: String.self), email: try o.decode(column: "customer_email", as: String.self),
                    phone: try o.decode(column: "customer_phone", as: String?.self), country: try o.decode(column: "ship_country", as: String.self),
                    currency: try o.decode(column: "currency", as: String.self),
                    total: try o.decode(column: "total", as: Int64.self), placedAt: try o.decode(column: "placed_at", as: Date.self), lines: [])
            }
            for r in try await sql.raw("""
                SELECT order_id, sku, name, quantity FROM order_lines WHERE order_id IN (\(binds: ids)) ORDER BY order_id, position
                """).all() {
                lines[try r.decode(column: "order_id", as: UUID.self), default: []].append(
                    (sku: try r.decode(column: "sku", as: String.self), name: try r.decode(column: "name", as: String.self),
                     quantity: try r.decode(column: "quantity", as: Int64.self)))
            }
            // The orders' shipments and their lines (a shipment without lines is one row with a null sku).
            for r in try await sql.raw("""
                SELECT s.order_id, s.id, s.number, s.carrier, s.tracking_number, s.tracking_status, l.sku, l.quantity
                FROM shipments s LEFT JOIN shipment_lines l ON l.shipment_id = s.id WHERE s.order_id IN (\(binds: ids))
                ORDER BY s.number, l.sku
                """).all() {
                let orderID = try r.decode(column: "order_id", as: UUID.self)
                let number = try r.decode(column: "number", as: String.self)
                var shipment: ShipmentInfo
                if let seen = shipments[orderID]?[number] { shipment = seen } else {
                    shipment = ShipmentInfo(
                        id: try r.decode(column: "id", as: UUID.self), number: number, carrier: try r.decode(column: "carrier", as: String.self),
                        trackingNumber: try r.decode(column: "tracking_number", as: String?.self),
                        status: try r.decode(column: "tracking_status", as: String.self), lines: [])
                }
                if let sku = try r.decode(column: "sku", as: String?.self) {
                    shipment.lines.append((sku: sku, quantity: try r.decode(column: "quantity", as: Int64.self)))
                }
                shipments[orderID, default: [:]][number] = shipment
            }
            for r in try await sql.raw("""
                SELECT order_id, earliest, most_likely, latest FROM order_promises WHERE order_id IN (\(binds: ids))
                """).all() {
                promises[try r.decode(column: "order_id", as: UUID.self)] = PromiseInfo(
                    earliest: LocalDay(iso: try r.decode(column: "earliest", as: String.self)) ?? LocalDay(ordinal: 0),
                    mostLikely: LocalDay(iso: try r.decode(column: "most_likely", as: String.self)) ?? LocalDay(ordinal: 0),
                    latest: LocalDay(iso: try r.decode(column: "latest", as: String.self)) ?? LocalDay(ordinal: 0))
            }
        }
        // Each order's and each customer's choices (the order's win), for all of them at once.
        let subjects = Array(Set(orders.values.flatMap {
            [NotificationPreferences.subject(orderID: $0.id), NotificationPreferences.subject(email: $0.email)]
        }))
        for batch in subjects.chunked(400) {
            for row in try await sql.raw("""
                SELECT subject, email, sms, locale FROM notification_preferences WHERE shop_id = \(bind: shopID) AND subject IN (\(binds: batch))
                """).all() {
                choices[try row.decode(column: "subject", as: String.self)] = NotificationPreferences(
                    email: try row.decode(column: "email", as: Bool?.self), sms: try row.decode(column: "sms", as: Bool?.self),
                    locale: try row.decode(column: "locale", as: String?.self))
            }
        }
        var builders: [UUID: MessageBuilder] = [:]
        for (id, var order) in orders {
            order.lines = lines[id] ?? []
            let preferences = NotificationPreferences.resolve(order: choices[NotificationPreferences.subject(orderID: id)],
                                                              customer: choices[NotificationPreferences.subject(email: order.email)])
            builders[id] = MessageBuilder(
                shopID: shopID, shopName: shop.name, shopZone: shop.zone, order: order, settings: shop.settings,
                preferences: preferences, promise: promises[id], shipments: shipments[id] ?? [:], carriers: shop.carriers,
                overrides: shop.overrides, deployment: application.outboxConfiguration, secret: secret, sql: sql)
        }
        return builders
    }

    var language: String { Self.language(preferences.locale ?? order.locale) }
    static func language(_ locale: String) -> String { locale.lowercased().hasPrefix("ko") ? "ko" : "en" }

    /// The outbox rows for an order's causes in one batch. Causes of the same trigger about different shipments
    /// (two parcels handed over together) become one digest message per channel; the others' rows are written
    /// `suppressed` with a pointer to it, so each shipment still has its one row per trigger and channel.
    func messages(for causes: [(OutboxDispatcher.Fact, Cause)], now: Date, newID: () -> UUID) async throws -> [[any Encodable & Sendable]] {
        var rows: [[any Encodable & Sendable]] = []
        var taken = Set<Int>()
        for (i, (_, cause)) in causes.enumerated() where !taken.contains(i) {
            taken.insert(i)
            var group = [causes[i]]
            if cause.shipment != nil {
                for (j, other) in causes.enumerated() where !taken.contains(j) && other.1.trigger == cause.trigger && other.1.shipment != nil
                    && !group.contains(where: { $0.1.shipment == other.1.shipment }) {
                    taken.insert(j)
                    group.append(other)
                }
            }
            rows += try await messages(forGroup: group, now: now, newID: newID)
        }
        return rows
    }

    /// The rows for one trigger (one cause, or a digest of the same trigger about several shipments): one per
    /// channel the shop's rules name, each pending, or suppressed/parked with the reason when it cannot or must not go.
    private func messages(forGroup group: [(OutboxDispatcher.Fact, Cause)], now: Date, newID: () -> UUID) async throws -> [[any Encodable & Sendable]] {
        let trigger = group[0].1.trigger
        var rows: [[any Encodable & Sendable]] = []
        var compensation: (code: String, description: String)?
        if trigger == .atRisk, let rule = settings.compensation, Self.delayDays(group[0].0.payload).map({ $0 >= rule.minDelayDays }) ?? true {
            compensation = try await grantCoupon(rule, now: now)
        }
        // A parcel delivered before its news could go out needs no news.
        let live = group.filter { _, cause in
            guard let shipment = cause.shipment.flatMap({ shipments[$0] }) else { return true }
            return !(shipment.status == "delivered" && [.outForDelivery, .failedAttempt, .stalled, .exception, .shipped].contains(trigger))
        }
        for channel in settings.channels(for: trigger) {
            func key(_ cause: Cause) -> String {
                "notify:\(order.id.uuidString.lowercased()):\(cause.shipment ?? "-"):\(trigger.rawValue):\(channel.rawValue)"
            }
            func row(_ id: UUID, _ cause: Cause, status: Outbox.Status, problem: String?, recipient: String?, content: Rendered) -> [any Encodable & Sendable] {
                [id, shopID, order.id, channel.rawValue, trigger.rawValue, cause.shipment.flatMap { shipments[$0]?.id }, UUID?.none, key(cause),
                 status.rawValue, 0, now, recipient, language, content.subject, content.text, content.html,
                 "\(id.uuidString.lowercased())@\(deployment.messageIDDomain)", problem, now, now]
            }
            var status = Outbox.Status.pending, problem: String?
            var recipient: String?
            switch channel {
            case .email:
                recipient = order.email
                if preferences.email == false { status = .suppressed; problem = "the customer turned e-mail updates off" }
                else if (try? MailAddress(order.email)) == nil { status = .parked; problem = "invalid e-mail address '\(order.email.prefix(100))'" }
            case .sms:
                recipient = order.phone.flatMap { Self.normalisedPhone($0, country: order.country) } ?? order.phone
                if preferences.sms == false { status = .suppressed; problem = "the customer turned SMS updates off" }
                else if order.phone == nil { status = .suppressed; problem = "no phone number on the order" }
                else if Self.normalisedPhone(order.phone!, country: order.country) == nil { status = .parked; problem = "invalid phone number '\(order.phone!.prefix(40))'" }
            }
            for (_, cause) in group where !live.contains(where: { $0.1 == cause }) {
                rows.append(row(newID(), cause, status: .suppressed, problem: "superseded: the shipment was delivered before this could be sent",
                                recipient: recipient, content: Rendered(subject: nil, text: "", html: nil)))
            }
            guard let lead = live.first else { continue }
            let id = newID()
            var content = Rendered(subject: nil, text: "", html: nil)
            do {
                content = try render(trigger, channel: channel, parts: live.map { fact, cause in
                    (fact, cause.shipment.flatMap { shipments[$0] })
                }, compensation: compensation)
            } catch {
                status = .parked; problem = "template failed to render: \(error)"
            }
            rows.append(row(id, lead.1, status: status, problem: problem, recipient: recipient, content: content))
            for (_, cause) in live.dropFirst() {
                rows.append(row(newID(), cause, status: .suppressed, problem: "sent together with shipment \(lead.1.shipment ?? "") in message \(id.uuidString.lowercased())",
                                recipient: recipient, content: Rendered(subject: nil, text: "", html: nil)))
            }
        }
        return rows
    }

    struct Rendered: Sendable {
        var subject: String?
        var text: String
        var html: String?
    }

    /// One trigger rendered for a channel: each part (a shipment, or the order) through the template, joined
    /// into one message when there are several.
    func render(_ trigger: NotificationTrigger, channel: NotificationChannel, parts: [(OutboxDispatcher.Fact, ShipmentInfo?)],
                compensation: (code: String, description: String)?) throws -> Rendered {
        let set = overrides["\(trigger.rawValue)/\(channel.rawValue)/\(language)"]
            ?? DefaultTemplates.template(trigger, channel: channel, locale: language)
        let rendered = try parts.map { fact, shipment in
            try Self.parts(set, trigger: trigger, channel: channel,
                           context: context(trigger, channel: channel, fact: fact, shipment: shipment, compensation: compensation), shopName: shopName)
        }
        return Self.wrap(rendered, channel: channel, shopName: shopName, brand: settings.brand, unsubscribe: link(unsubscribeFor: .email),
                         language: language)
    }

    struct Parts: Sendable {
        var subject: String
        var text: String
        var fragment: String
    }

    /// Templates parsed once per instance, by their text (a shop's edited template is new text, so nothing is
    /// ever stale; the hour only bounds what old texts keep). Parsing them was ~3% of the server's CPU
    /// in a profile taken while orders (and their confirmations) were flowing.
    private static let templates = ExpiringCache<String, MessageTemplate>(ttl: .seconds(3_600), capacity: 2_000)

    static func parsed(_ source: String, trigger: NotificationTrigger) throws -> MessageTemplate {
        let key = trigger.rawValue + "\u{1F}" + source
        if let kept = templates.lookup(key) { return kept }
        let template = try MessageTemplate(source, schema: NotificationContent.schema(for: trigger))
        templates.store(key, template)
        return template
    }

    static func parts(_ set: TemplateSet, trigger: NotificationTrigger, channel: NotificationChannel, context: TemplateValue,
                      shopName: String) throws -> Parts {
        let text = try parsed(set.text, trigger: trigger).render(context, html: false)
        guard channel == .email else { return Parts(subject: "", text: text, fragment: "") }
        let subject = try set.subject.map { try parsed($0, trigger: trigger).render(context, html: false) }
            .map { $0.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces) } ?? shopName
        let fragment = try set.html.map { try parsed($0, trigger: trigger).render(context, html: true) }
            ?? "<p>" + MessageTemplate.escapeHTML(text).replacingOccurrences(of: "\n", with: "<br>") + "</p>"
        return Parts(subject: subject, text: text, fragment: fragment)
    }

    /// SMS text, or an e-mail's one-line subject, plain text and HTML inside the branded layout (both with the
    /// unsubscribe footer). Several parts (a digest) keep the first subject, say how many more, and follow
    /// one another in the body.
    static func wrap(_ parts: [Parts], channel: NotificationChannel, shopName: String, brand: NotificationSettings.Brand, unsubscribe: String,
                     language: String) -> Rendered {
        let text = parts.map(\.text).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: "\n\n----\n\n")
        guard channel == .email else { return Rendered(subject: nil, text: text, html: nil) }
        var subject = parts.first?.subject ?? shopName
        if parts.count > 1 { subject += language == "ko" ? " 외 \(parts.count - 1)건" : " (+\(parts.count - 1) more)" }
        let fragment = parts.map(\.fragment).joined(separator: "\n<hr style=\"border:0;border-top:1px solid #e5e7eb;margin:24px 0\">\n")
        return Rendered(subject: subject, text: EmailLayout.text(text, shopName: shopName, unsubscribe: unsubscribe, language: language),
                        html: EmailLayout.html(fragment, subject: subject, shopName: shopName, brand: brand, unsubscribe: unsubscribe,
                                               language: language))
    }

    /// One template set rendered with one context (the console's preview).
    static func render(_ set: TemplateSet, trigger: NotificationTrigger, channel: NotificationChannel, context: TemplateValue, shopName: String,
                       brand: NotificationSettings.Brand, unsubscribe: String, language: String) throws -> Rendered {
        wrap([try parts(set, trigger: trigger, channel: channel, context: context, shopName: shopName)], channel: channel, shopName: shopName,
             brand: brand, unsubscribe: unsubscribe, language: language)
    }

    /// The order's tracking page; issued at the fact's time, so a resend carries the same link.
    func link(trackingPageAt time: Date) -> String {
        deployment.publicURL + "/t/" + TrackingLink(orderID: order.id, issuedAt: time).signed(secret: secret)
    }

    func link(unsubscribeFor channel: NotificationChannel) -> String {
        deployment.publicURL + "/u/" + UnsubscribeToken(shopID: shopID, email: order.email, channel: channel).signed(secret: secret)
    }

    func context(_ trigger: NotificationTrigger, channel: NotificationChannel, fact: OutboxDispatcher.Fact, shipment: ShipmentInfo?,
                 compensation: (code: String, description: String)?) -> TemplateValue {
        let days = DayFormat(language: language)
        var root: [String: TemplateValue] = [
            "shop": .object([
                "name": .string(shopName), "support_email": .string(settings.brand.supportEmail ?? ""),
                "brand_color": .string(settings.brand.color), "logo_url": .string(settings.brand.logoUrl ?? ""),
            ]),
            "customer": .object(["name": .string(order.customerName)]),
            "order": .object([
                "number": .string("#\(order.number)"), "placed_on": .string(days.date(order.placedAt, zone: shopZone)),
                "total": .string(days.money(order.total, currency: order.currency)),
                "items": .list(order.lines.map { .object(["name": .string($0.name), "quantity": .string("\($0.quantity)"), "sku": .string($0.sku)]) }),
            ]),
            "links": .object(["order_status": .string(link(trackingPageAt: fact.occurredAt)), "unsubscribe": .string(link(unsubscribeFor: channel))]),
        ]
        if let promise {
            root["promise"] = .object([
                "earliest": .string(days.day(promise.earliest)), "latest": .string(days.day(promise.latest)),
                "most_likely": .string(days.day(promise.mostLikely)), "range": .string(days.range(promise.earliest, promise.latest)),
            ])
        }
        if let shipment {
            let names = Dictionary(order.lines.map { ($0.sku, $0.name) }, uniquingKeysWith: { a, _ in a })
            root["shipment"] = .object([
                "number": .string(shipment.number),
                "carrier": .string(carriers.carrier(CarrierCode(shipment.carrier)).map { language == "ko" ? ($0.nameKo ?? $0.nameEn) : $0.nameEn } ?? shipment.carrier),
                "tracking_number": .string(shipment.trackingNumber ?? ""), "tracking_url": .string(trackingURL(shipment) ?? ""),
                "items": .list(shipment.lines.map { .object(["name": .string(names[$0.sku] ?? $0.sku), "quantity": .string("\($0.quantity)"),
                                                             "sku": .string($0.sku)]) }),
            ])
            let at = fact.payload["occurred_at"]?.string.flatMap { try? Date($0, strategy: .iso8601) } ?? fact.occurredAt
            root["event"] = .object([
                "text": .string(fact.payload["raw_text"]?.string ?? ""), "location": .string(fact.payload["location"]?.string ?? ""),
                "time": .string(days.time(at, zone: shopZone)),
            ])
        }
        if trigger == .atRisk || trigger == .stalled {
            let expected = fact.payload["expected"]?.string.flatMap(LocalDay.init(iso:))
            let latest = fact.payload["latest"]?.string.flatMap(LocalDay.init(iso:)) ?? promise?.latest
            root["revised"] = .object(["expected": .string(expected.map(days.day) ?? ""), "latest": .string(latest.map(days.day) ?? "")])
            root["delay"] = .object(["days": .string(Self.delayDays(fact.payload).map(String.init) ?? "")])
        }
        if let compensation {
            root["compensation"] = .object(["code": .string(compensation.code), "description": .string(compensation.description)])
        }
        if trigger == .cancelled { root["cancellation"] = .object(["reason": .string(fact.payload["reason"]?.string ?? "")]) }
        return .object(root)
    }

    func trackingURL(_ shipment: ShipmentInfo) -> String? {
        guard let number = shipment.trackingNumber else { return nil }
        return carriers.carrier(CarrierCode(shipment.carrier))?.trackingURL(for: number)
    }

    /// Days between the promised latest day and the revised expected one; nil when no revised day is known.
    static func delayDays(_ payload: JSONValue) -> Int? {
        guard let latest = payload["latest"]?.string.flatMap(LocalDay.init(iso:)),
              let expected = payload["expected"]?.string.flatMap(LocalDay.init(iso:)) else { return nil }
        return max(0, latest.days(until: expected))
    }

    /// One code from the shop's pool for this order: the one it already has, or the next free one (a
    /// conditional update, so two dispatches never hand out the same code). Nil when the pool is empty.
    func grantCoupon(_ rule: NotificationSettings.Compensation, now: Date) async throws -> (code: String, description: String)? {
        let description = rule.description[language] ?? rule.description["en"] ?? rule.description.values.first ?? ""
        if let held = try await sql.raw("""
            SELECT code FROM coupon_codes WHERE shop_id = \(bind: shopID) AND pool = \(bind: rule.pool) AND order_id = \(bind: order.id)
            """).first() {
            return (try held.decode(column: "code", as: String.self), description)
        }
        for _ in 0..<3 {
            guard let free = try await sql.raw("""
                SELECT code FROM coupon_codes WHERE shop_id = \(bind: shopID) AND pool = \(bind: rule.pool) AND order_id IS NULL ORDER BY code LIMIT 1
                """).first() else { return nil }
            let code = try free.decode(column: "code", as: String.self)
            let taken = try await sql.raw("""
                UPDATE coupon_codes SET order_id = \(bind: order.id), assigned_at = \(bind: now)
                WHERE shop_id = \(bind: shopID) AND code = \(bind: code) AND order_id IS NULL RETURNING code
                """).all()
            if !taken.isEmpty { return (code, description) }
        }
        return nil
    }

    /// The number in E.164 (`+821023456789`) where the country is known to need it: spaces, dashes and
    /// brackets dropped, a Korean national number (`010-2345-6789`) given its +82; 8–15 digits or nil.
    static func normalisedPhone(_ raw: String, country: String? = nil) -> String? {
        var kept = raw.filter { !" -().".contains($0) }
        if !kept.hasPrefix("+"), country == "KR", kept.hasPrefix("0") { kept = "+82" + kept.dropFirst() }
        let digits = kept.hasPrefix("+") ? kept.dropFirst() : Substring(kept)
        guard (8...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return kept
    }
}

typealias Cause = OutboxDispatcher.Cause
