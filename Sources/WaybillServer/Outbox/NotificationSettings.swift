import Foundation
import SQLKit
import Vapor
import WaybillCore

/// A shop's notification rules: which triggers go out on which channels, when SMS must wait (quiet hours in
/// the customer's time zone), who the e-mail comes from, the brand around it, and the compensation for a
/// long delay.
struct NotificationSettings: Codable, Sendable, Equatable {
    struct Sender: Codable, Sendable, Equatable {
        var name: String?
        /// Nil: the deployment's `WAYBILL_MAIL_FROM`.
        var email: String?
        var replyTo: String?
    }

    struct Brand: Codable, Sendable, Equatable {
        var color = "#1f4b99"
        var logoUrl: String?
        var supportEmail: String?
    }

    struct QuietHours: Codable, Sendable, Equatable {
        /// Minutes after midnight in the customer's zone: SMS due from `start` is held until `end`.
        var start = "21:00"
        var end = "08:00"
    }

    /// "A delay of `minDelayDays` or more → a code from `pool`", once per order.
    struct Compensation: Codable, Sendable, Equatable {
        var minDelayDays: Int
        var pool: String
        var description: [String: String]
    }

    var channels: [String: [NotificationChannel]] = Self.defaultChannels
    var quietHours: QuietHours? = QuietHours()
    /// The customers' time zone for quiet hours; nil: the shop's.
    var customerTimezone: String?
    var sender = Sender()
    var brand = Brand()
    var compensation: Compensation?

    /// E-mail for every trigger; SMS for the moments a customer acts on (it is out for delivery, a delivery
    /// failed, it will be late).
    static let defaultChannels: [String: [NotificationChannel]] = Dictionary(uniqueKeysWithValues: NotificationTrigger.allCases.map {
        switch $0 {
        case .outForDelivery, .failedAttempt, .atRisk: ($0.rawValue, [.email, .sms])
        default: ($0.rawValue, [.email])
        }
    })

    init() {}

    enum CodingKeys: String, CodingKey { case channels, quietHours, customerTimezone, sender, brand, compensation }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        channels = try c.decodeIfPresent([String: [NotificationChannel]].self, forKey: .channels) ?? Self.defaultChannels
        quietHours = try c.decodeIfPresent(QuietHours.self, forKey: .quietHours)
        customerTimezone = try c.decodeIfPresent(String.self, forKey: .customerTimezone)
        sender = try c.decodeIfPresent(Sender.self, forKey: .sender) ?? Sender()
        brand = try c.decodeIfPresent(Brand.self, forKey: .brand) ?? Brand()
        compensation = try c.decodeIfPresent(Compensation.self, forKey: .compensation)
    }

    func channels(for trigger: NotificationTrigger) -> [NotificationChannel] { channels[trigger.rawValue] ?? [] }

    func validate() throws {
        var issues = IssueList()
        for key in channels.keys where NotificationTrigger(rawValue: key) == nil {
            issues.add("channels.\(key)", "unknown_trigger",
                       "unknown trigger; one of \(NotificationTrigger.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let quiet = quietHours {
            if Self.minutes(quiet.start) == nil { issues.add("quiet_hours.start", "invalid_time", "start must be HH:MM") }
            if Self.minutes(quiet.end) == nil { issues.add("quiet_hours.end", "invalid_time", "end must be HH:MM") }
        }
        if let zone = customerTimezone, TimeZone(identifier: zone) == nil {
            issues.add("customer_timezone", "unknown_timezone", "customer_timezone must be an IANA zone such as Asia/Seoul")
        }
        if let email = sender.email, (try? MailAddress(email)) == nil { issues.add("sender.email", "invalid_email", "sender.email is not a valid address") }
        if let email = sender.replyTo, (try? MailAddress(email)) == nil { issues.add("sender.reply_to", "invalid_email", "sender.reply_to is not a valid address") }
        if let name = sender.name, name.count > 100 || name.contains(where: \.isNewline) {
            issues.add("sender.name", "invalid_name", "sender.name must be one line of at most 100 characters")
        }
        if brand.color.range(of: "^#[0-9a-fA-F]{6}$", options: .regularExpression) == nil {
            issues.add("brand.color", "invalid_color", "brand.color must be #RRGGBB")
        }
        if let logo = brand.logoUrl, !(logo.hasPrefix("https://") || logo.hasPrefix("http://")) || logo.count > 500 {
            issues.add("brand.logo_url", "invalid_url", "brand.logo_url must be an http(s) URL of at most 500 characters")
        }
        if let email = brand.supportEmail, (try? MailAddress(email)) == nil {
            issues.add("brand.support_email", "invalid_email", "brand.support_email is not a valid address")
        }
        if let compensation {
            if !(1...60).contains(compensation.minDelayDays) {
                issues.add("compensation.min_delay_days", "out_of_range", "min_delay_days must be 1–60")
            }
            if compensation.pool.isEmpty || compensation.pool.count > 40 {
                issues.add("compensation.pool", "invalid_length", "pool must be 1–40 characters")
            }
            for (locale, text) in compensation.description where !["ko", "en"].contains(locale) || text.count > 300 {
                issues.add("compensation.description.\(locale)", "invalid", "descriptions are keyed ko or en, at most 300 characters")
            }
        }
        guard issues.isEmpty else { throw ValidationFailure(issues.issues) }
    }

    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        return h * 60 + m
    }

    /// When an SMS due at `time` may go: now, or the end of the quiet hours it falls in.
    func smsAllowed(at time: Date, zone: TimeZone) -> Date? {
        guard let quiet = quietHours, let start = Self.minutes(quiet.start), let end = Self.minutes(quiet.end), start != end else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.hour, .minute], from: time)
        let now = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        let inside = start < end ? (now >= start && now < end) : (now >= start || now < end)
        guard inside else { return nil }
        let dayStart = calendar.startOfDay(for: time)
        var until = calendar.date(byAdding: .minute, value: end, to: dayStart)!
        if until <= time { until = calendar.date(byAdding: .day, value: 1, to: until)! }
        return until
    }

    static let table = ShopSettingsTable<NotificationSettings>(name: "notification_settings")

    static func load(shopID: UUID, sql: any SQLDatabase) async throws -> NotificationSettings {
        try await table.load(shopID: shopID, sql: sql)?.settings ?? NotificationSettings()
    }

    static func save(_ settings: NotificationSettings, shopID: UUID, at time: Date, application: Application) async throws {
        try await table.save(settings, shopID: shopID, at: time, application: application)
    }
}

/// A customer's choices: per order (the tracking page's switch) over per customer (an unsubscribe link).
struct NotificationPreferences: Codable, Sendable, Equatable {
    var email: Bool?
    var sms: Bool?
    var locale: String?

    static func subject(email: String) -> String { "customer:\(email.lowercased())" }
    static func subject(orderID: UUID) -> String { "order:\(orderID.uuidString.lowercased())" }

    /// The order's own choice over the customer's, field by field.
    static func resolve(order: NotificationPreferences?, customer: NotificationPreferences?) -> NotificationPreferences {
        NotificationPreferences(email: order?.email ?? customer?.email, sms: order?.sms ?? customer?.sms, locale: order?.locale ?? customer?.locale)
    }

    /// Sets the given fields (nil leaves a field as it was).
    static func update(shopID: UUID, subject: String, _ change: NotificationPreferences, at time: Date, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO notification_preferences (shop_id, subject, email, sms, locale, updated_at)
            VALUES (\(bind: shopID), \(bind: subject), \(bind: change.email), \(bind: change.sms), \(bind: change.locale), \(bind: time))
            ON CONFLICT (shop_id, subject) DO UPDATE SET
            email = COALESCE(excluded.email, notification_preferences.email), sms = COALESCE(excluded.sms, notification_preferences.sms),
            locale = COALESCE(excluded.locale, notification_preferences.locale), updated_at = excluded.updated_at
            """).run()
    }
}
