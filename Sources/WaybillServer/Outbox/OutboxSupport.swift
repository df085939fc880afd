import Crypto
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import WaybillCore

/// How this deployment sends: read once from the environment (`Settings`).
struct OutboxConfiguration: Sendable {
    /// Base of the links in messages (unsubscribe, later the tracking page).
    var publicURL = "http://127.0.0.1:8080"
    var mailFrom = try! MailAddress("no-reply@waybill.localhost", name: "Waybill")
    var smtp: SMTPConfiguration?
    var sms: SMSConfiguration?
    /// Webhook URLs on loopback or private networks are refused unless this is set (tests, the demo).
    var allowPrivateWebhooks = false
    /// Messages one instance sends at once; 0: this instance runs no outbox worker.
    var workers = 8
    /// Seconds between looks for due messages when the last look found none.
    var pollInterval: TimeInterval = 0.5

    var messageIDDomain: String { mailFrom.address.split(separator: "@").last.map(String.init) ?? "waybill.localhost" }
}

extension Application {
    private struct OutboxConfigurationKey: StorageKey { typealias Value = OutboxConfiguration }

    var outboxConfiguration: OutboxConfiguration {
        get { storage[OutboxConfigurationKey.self] ?? OutboxConfiguration() }
        set { storage[OutboxConfigurationKey.self] = newValue }
    }
}

/// Secrets the deployment makes for itself on first use and keeps in the database, so every instance
/// signs and checks the same links without configuration.
enum DeploymentSecrets {
    static func value(_ name: String, sql: any SQLDatabase) async throws -> String {
        if let row = try await sql.raw("SELECT value FROM deployment_secrets WHERE name = \(bind: name)").first() {
            return try row.decode(column: "value", as: String.self)
        }
        let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
        try await sql.raw("""
            INSERT INTO deployment_secrets (name, value, created_at) VALUES (\(bind: name), \(bind: fresh), \(bind: Date()))
            ON CONFLICT (name) DO NOTHING
            """).run()
        return try await sql.raw("SELECT value FROM deployment_secrets WHERE name = \(bind: name)").first()!.decode(column: "value", as: String.self)
    }
}

/// The one-click unsubscribe link's token: which shop, address and channel, signed with the deployment's
/// secret so nobody can opt someone else out by guessing.
struct UnsubscribeToken: Equatable, Sendable {
    var shopID: UUID
    var email: String
    var channel: NotificationChannel

    func signed(secret: String) -> String {
        let payload = "\(shopID.uuidString.lowercased()).\(channel.rawValue).\(Base64URL.encode(Data(email.lowercased().utf8)))"
        return payload + "." + Self.mac(payload, secret: secret)
    }

    static func verify(_ token: String, secret: String) -> UnsubscribeToken? {
        guard token.count < 600 else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, let shop = UUID(uuidString: String(parts[0])), let channel = NotificationChannel(rawValue: String(parts[1])),
              let emailData = Base64URL.decode(String(parts[2])), let email = String(data: emailData, encoding: .utf8) else { return nil }
        let payload = parts[0...2].joined(separator: ".")
        let expected = Array(mac(payload, secret: secret).utf8), given = Array(parts[3].utf8)
        guard expected.count == given.count, zip(expected, given).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return nil }
        return UnsubscribeToken(shopID: shop, email: email, channel: channel)
    }

    private static func mac(_ payload: String, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(("unsubscribe:" + payload).utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Base64URL.encode(Data(code).prefix(18))
    }
}

enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}

/// Days, times and money as a customer reads them, in Korean or English.
struct DayFormat {
    let language: String

    private static let monthsEn = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    func day(_ d: LocalDay) -> String { NotificationContent.dayText(d, locale: language) }
    func range(_ a: LocalDay, _ b: LocalDay) -> String { NotificationContent.rangeText(a, b, locale: language) }

    func date(_ date: Date, zone: TimeZone) -> String { day(LocalDay(date, in: zone)) }

    /// "Nov 30, 14:05" / "11월 30일 14:05" in `zone`. Integer arithmetic on the zone's offset: a page formats every
    /// scan with it, and a `Calendar` and `String(format:)` per scan were a sixth of a page's rendering.
    func time(_ date: Date, zone: TimeZone) -> String {
        let local = Int((date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))).rounded(.down))
        let d = LocalDay(ordinal: Int((Double(local) / 86_400).rounded(.down)))
        let minutes = (local - d.ordinal * 86_400) / 60
        let clock = Self.twoDigits(minutes / 60) + ":" + Self.twoDigits(minutes % 60)
        return language == "ko" ? "\(d.month)월 \(d.day)일 \(clock)" : "\(Self.monthsEn[d.month - 1]) \(d.day), \(clock)"
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

    func money(_ minor: Int64, currency: String) -> String {
        let digits = ["KRW": 0, "JPY": 0, "VND": 0, "CLP": 0].keys.contains(currency) ? 0 : 2
        let value = Double(minor) / pow(10, Double(digits))
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.minimumFractionDigits = digits
        formatter.maximumFractionDigits = digits
        formatter.locale = Locale(identifier: "en_US")
        let number = formatter.string(from: NSNumber(value: value)) ?? "\(value)"
        if currency == "KRW" { return language == "ko" ? "\(number)원" : "₩\(number)" }
        return "\(number) \(currency)"
    }
}

/// The frame every e-mail goes out in: the shop's name or logo in its colour, the message, and a footer
/// with the reason the customer gets it and a one-click unsubscribe link. Plain text gets the same footer.
enum EmailLayout {
    static func html(_ fragment: String, subject: String, shopName: String, brand: NotificationSettings.Brand, unsubscribe: String,
                     language: String) -> String {
        let name = MessageTemplate.escapeHTML(shopName)
        let head = brand.logoUrl.map { "<img src=\"\(MessageTemplate.escapeHTML($0))\" alt=\"\(name)\" height=\"32\" style=\"display:block;border:0\">" } ?? name
        let footer = language == "ko"
            ? "\(name)에서 주문하셔서 보내 드리는 배송 안내입니다. 더 받지 않으시려면 <a href=\"\(MessageTemplate.escapeHTML(unsubscribe))\" style=\"color:#444\">수신 거부</a>를 눌러 주세요."
            : "You are receiving this because you ordered from \(name). <a href=\"\(MessageTemplate.escapeHTML(unsubscribe))\" style=\"color:#444\">Unsubscribe</a> from these updates."
        return """
            <!doctype html>
            <html lang="\(language)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>\(MessageTemplate.escapeHTML(subject))</title></head>
            <body style="margin:0;padding:0;background:#f3f4f6;font-family:-apple-system,'Apple SD Gothic Neo','Malgun Gothic',Helvetica,Arial,sans-serif">
            <div role="article" aria-label="\(MessageTemplate.escapeHTML(subject))" style="max-width:560px;margin:0 auto;background:#ffffff">
            <div style="background:\(MessageTemplate.escapeHTML(brand.color));color:#ffffff;padding:16px 24px;font-size:18px;font-weight:600">\(head)</div>
            <div style="padding:24px;font-size:16px;line-height:1.6;color:#1a1a1a">
            \(fragment)
            </div>
            <div style="padding:16px 24px;font-size:12px;line-height:1.5;color:#444444;border-top:1px solid #e5e7eb">\(footer)</div>
            </div></body></html>
            """
    }

    static func text(_ body: String, shopName: String, unsubscribe: String, language: String) -> String {
        let footer = language == "ko"
            ? "\(shopName)에서 주문하셔서 보내 드리는 배송 안내입니다.\n수신 거부: \(unsubscribe)"
            : "You are receiving this because you ordered from \(shopName).\nUnsubscribe: \(unsubscribe)"
        return body.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n--\n" + footer + "\n"
    }
}
