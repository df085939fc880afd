import Foundation
import SQLKit
import Vapor
import WaybillCore

/// `/console/tracking-page`: the shop's customer page — brand, FAQ in Korean and English, return policy,
/// contact, which self-service actions are on — with a link to see it. Promotions are kept as they are
/// (`PUT /api/v1/tracking-page/settings` sets them).
struct ConsoleTrackingPageController {
    struct FAQRow: Encodable {
        var index: Int
        var questionKo: String
        var questionEn: String
        var answerKo: String
        var answerEn: String
    }

    struct Context: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title = "Tracking page"
        var slug: String
        var color: String
        var logoUrl: String
        var fontFamily: String
        var taglineKo: String
        var taglineEn: String
        var returnKo: String
        var returnEn: String
        var contactEmail: String
        var cancel: Bool
        var addressChange: Bool
        var faq: [FAQRow]
        var promotions: Int
        var errors: [FieldIssue]
        var saved: Bool
    }

    func show(req: Request) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let settings = try await TrackingPageSettings.load(shopID: try shop.requireID(), sql: req.db as! any SQLDatabase)
        return try await render(req, user: user, shop: shop, settings: settings, errors: [], saved: req.query[String.self, at: "saved"] != nil)
    }

    func render(_ req: Request, user: User, shop: Shop, settings: TrackingPageSettings, errors: [FieldIssue], saved: Bool) async throws -> View {
        // The shop's questions and three empty rows for new ones.
        let rows = (settings.faq + Array(repeating: .init(question: .init(), answer: .init()), count: 3)).enumerated().map { i, e in
            FAQRow(index: i, questionKo: e.question.ko ?? "", questionEn: e.question.en ?? "", answerKo: e.answer.ko ?? "", answerEn: e.answer.en ?? "")
        }
        return try await req.view.render("tracking-page", Context(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), slug: shop.slug, color: settings.primaryColor,
            logoUrl: settings.logoUrl ?? "", fontFamily: settings.fontFamily ?? "", taglineKo: settings.tagline?.ko ?? "",
            taglineEn: settings.tagline?.en ?? "", returnKo: settings.returnPolicy?.ko ?? "", returnEn: settings.returnPolicy?.en ?? "",
            contactEmail: settings.contactEmail ?? "", cancel: settings.selfService.cancel, addressChange: settings.selfService.addressChange,
            faq: rows, promotions: settings.promotions.count, errors: errors, saved: saved))
    }

    func save(req: Request) async throws -> Response {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let shopID = try shop.requireID()
        let form = try req.content.decode([String: String].self)
        func value(_ name: String) -> String? { form[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 } }
        func text(_ base: String) -> LocalizedText? {
            let t = LocalizedText(ko: value(base + "_ko"), en: value(base + "_en"))
            return t.isEmpty ? nil : t
        }
        var settings = try await TrackingPageSettings.load(shopID: shopID, sql: req.db as! any SQLDatabase)
        settings.primaryColor = value("color") ?? "#1f4b99"
        settings.logoUrl = value("logo_url")
        settings.fontFamily = value("font_family")
        settings.tagline = text("tagline")
        settings.returnPolicy = text("return")
        settings.contactEmail = value("contact_email")
        settings.selfService = .init(cancel: form["cancel"] == "on", addressChange: form["address_change"] == "on")
        settings.faq = (0..<40).compactMap { i in
            let q = text("q\(i)"), a = text("a\(i)")
            guard q != nil || a != nil else { return nil }
            return .init(question: q ?? .init(), answer: a ?? .init())
        }
        do {
            try settings.validate()
        } catch let failure as ValidationFailure {
            return try await render(req, user: user, shop: shop, settings: settings, errors: failure.issues, saved: false).encodeResponse(for: req)
        }
        try await TrackingPageSettings.table.save(settings, shopID: shopID, at: req.now, application: req.application)
        req.application.trackingPage.forget(shop: shopID)
        return req.redirect(to: "/console/tracking-page?saved=1")
    }
}
