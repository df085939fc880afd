import Foundation
import SQLKit
import Vapor
import WaybillCore

/// `/console/notifications`: which triggers go out on which channels and when SMS waits (the shop's rules),
/// and every template — edited, checked (a mistake names its line), previewed with sample data exactly as a
/// customer would get it, saved, or reset to the built-in text.
struct ConsoleNotificationsController {
    struct RuleRow: Encodable {
        var trigger: String
        var email: Bool
        var sms: Bool
    }

    struct TemplateLink: Encodable {
        var trigger: String
        var channel: String
        var locale: String
        var customised: Bool
    }

    struct Context: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title = "Notifications"
        var rules: [RuleRow]
        var quietStart: String
        var quietEnd: String
        var senderName: String
        var senderEmail: String
        var color: String
        var templates: [TemplateLink]
        var errors: [FieldIssue]
        var saved: Bool
    }

    struct EditContext: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title = "Template"
        var trigger: String
        var channel: String
        var locale: String
        var isEmail: Bool
        var subject: String
        var text: String
        var html: String
        var customised: Bool
        var errors: [FieldIssue]
        var notice: String
        var previewSubject: String
        var previewText: String
        var previewHTML: String
    }

    func show(req: Request) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let settings = try await NotificationSettings.load(shopID: try shop.requireID(), sql: req.db as! any SQLDatabase)
        return try await render(req, user: user, shop: shop, settings: settings, errors: [], saved: req.query[String.self, at: "saved"] != nil)
    }

    func render(_ req: Request, user: User, shop: Shop, settings: NotificationSettings, errors: [FieldIssue], saved: Bool) async throws -> View {
        let stored = try await OutboxController.stored(shopID: try shop.requireID(), sql: req.db as! any SQLDatabase)
        var templates: [TemplateLink] = []
        for trigger in NotificationTrigger.allCases {
            for channel in NotificationChannel.allCases {
                for locale in ["ko", "en"] {
                    templates.append(TemplateLink(trigger: trigger.rawValue, channel: channel.rawValue, locale: locale,
                                                  customised: stored["\(trigger.rawValue)/\(channel.rawValue)/\(locale)"] != nil))
                }
            }
        }
        return try await req.view.render("notifications", Context(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req),
            rules: NotificationTrigger.allCases.map {
                RuleRow(trigger: $0.rawValue, email: settings.channels(for: $0).contains(.email), sms: settings.channels(for: $0).contains(.sms))
            },
            quietStart: settings.quietHours?.start ?? "", quietEnd: settings.quietHours?.end ?? "", senderName: settings.sender.name ?? "",
            senderEmail: settings.sender.email ?? "", color: settings.brand.color, templates: templates, errors: errors, saved: saved))
    }

    /// The rules form: a checkbox per trigger and channel (`email:<trigger>`, `sms:<trigger>`), quiet hours,
    /// sender and colour. Other settings (logo, compensation) are kept as they are.
    func save(req: Request) async throws -> Response {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let shopID = try shop.requireID()
        let form = try req.content.decode([String: String].self)
        var settings = try await NotificationSettings.load(shopID: shopID, sql: req.db as! any SQLDatabase)
        for trigger in NotificationTrigger.allCases {
            settings.channels[trigger.rawValue] = NotificationChannel.allCases.filter { form["\($0.rawValue):\(trigger.rawValue)"] == "on" }
        }
        let start = form["quiet_start"]?.trimmingCharacters(in: .whitespaces) ?? "", end = form["quiet_end"]?.trimmingCharacters(in: .whitespaces) ?? ""
        settings.quietHours = start.isEmpty && end.isEmpty ? nil : .init(start: start, end: end)
        let name = form["sender_name"]?.trimmingCharacters(in: .whitespaces) ?? "", email = form["sender_email"]?.trimmingCharacters(in: .whitespaces) ?? ""
        settings.sender.name = name.isEmpty ? nil : name
        settings.sender.email = email.isEmpty ? nil : email
        settings.brand.color = form["color"]?.trimmingCharacters(in: .whitespaces) ?? settings.brand.color
        do {
            try settings.validate()
        } catch let failure as ValidationFailure {
            return try await render(req, user: user, shop: shop, settings: settings, errors: failure.issues, saved: false).encodeResponse(for: req)
        }
        try await NotificationSettings.save(settings, shopID: shopID, at: req.now, application: req.application)
        req.application.notificationSettingsCache.forget(shopID)
        return req.redirect(to: "/console/notifications?saved=1")
    }

    private func address(_ req: Request) throws -> (NotificationTrigger, NotificationChannel, String) {
        guard let trigger = req.parameters.get("trigger").flatMap(NotificationTrigger.init(rawValue:)),
              let channel = req.parameters.get("channel").flatMap(NotificationChannel.init(rawValue:)),
              let locale = req.parameters.get("locale"), ["ko", "en"].contains(locale) else { throw Abort(.notFound) }
        return (trigger, channel, locale)
    }

    func edit(req: Request) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let (trigger, channel, locale) = try address(req)
        let stored = try await OutboxController.stored(shopID: try shop.requireID(), sql: req.db as! any SQLDatabase)["\(trigger.rawValue)/\(channel.rawValue)/\(locale)"]
        let set = stored ?? DefaultTemplates.template(trigger, channel: channel, locale: locale)
        return try await editor(req, user: user, shop: shop, trigger: trigger, channel: channel, locale: locale, set: set, customised: stored != nil,
                                errors: [], notice: req.query[String.self, at: "notice"] ?? "")
    }

    func editor(_ req: Request, user: User, shop: Shop, trigger: NotificationTrigger, channel: NotificationChannel, locale: String, set: TemplateSet,
                customised: Bool, errors: [FieldIssue], notice: String) async throws -> View {
        var preview: OutboxController.Preview?
        if errors.isEmpty {
            let settings = try await NotificationSettings.load(shopID: try shop.requireID(), sql: req.db as! any SQLDatabase)
            preview = try? OutboxController.preview(set, trigger: trigger, channel: channel, locale: locale, settings: settings, shopName: shop.name,
                                                    publicURL: req.application.outboxConfiguration.publicURL)
        }
        return try await req.view.render("notification-template", EditContext(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), trigger: trigger.rawValue, channel: channel.rawValue,
            locale: locale, isEmail: channel == .email, subject: set.subject ?? "", text: set.text, html: set.html ?? "", customised: customised,
            errors: errors, notice: notice, previewSubject: preview?.subject ?? "", previewText: preview?.text ?? "", previewHTML: preview?.html ?? ""))
    }

    /// `action=preview` renders what was typed without saving; `save` checks and stores it; `reset` goes back
    /// to the built-in template.
    func update(req: Request) async throws -> Response {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let (trigger, channel, locale) = try address(req)
        let shopID = try shop.requireID()
        let form = try req.content.decode([String: String].self)
        func field(_ name: String) -> String? {
            guard channel == .email || name == "text" else { return nil }
            return form[name].map { $0.replacingOccurrences(of: "\r\n", with: "\n") }.flatMap { $0.isEmpty && name == "html" ? nil : $0 }
        }
        let body = OutboxController.TemplateBody(subject: field("subject"), text: field("text") ?? "", html: field("html"))
        let base = "/console/notifications/templates/\(trigger.rawValue)/\(channel.rawValue)/\(locale)"
        if form["action"] == "reset" {
            try await req.application.write { db in
                try await (db as! any SQLDatabase).raw("""
                    DELETE FROM notification_templates WHERE shop_id = \(bind: shopID) AND trigger = \(bind: trigger.rawValue)
                    AND channel = \(bind: channel.rawValue) AND locale = \(bind: locale)
                    """).run()
            }
            return req.redirect(to: base + "?notice=Reset+to+the+built-in+template.")
        }
        let set: TemplateSet
        do {
            set = try OutboxController.validated(body, trigger: trigger, channel: channel)
        } catch let failure as ValidationFailure {
            return try await editor(req, user: user, shop: shop, trigger: trigger, channel: channel, locale: locale,
                                    set: TemplateSet(subject: body.subject, text: body.text, html: body.html), customised: true,
                                    errors: failure.issues, notice: "").encodeResponse(for: req)
        }
        guard form["action"] == "save" else {
            return try await editor(req, user: user, shop: shop, trigger: trigger, channel: channel, locale: locale, set: set, customised: true,
                                    errors: [], notice: "Preview of what you typed; not saved yet.").encodeResponse(for: req)
        }
        try await OutboxController.store(set, shopID: shopID, trigger: trigger, channel: channel, locale: locale, at: req.now, application: req.application)
        return req.redirect(to: base + "?notice=Saved.")
    }
}
