import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import WaybillCore

/// A text a shop writes in both of the page's languages; the other one stands in when one is missing.
struct LocalizedText: Codable, Sendable, Equatable {
    var ko: String?
    var en: String?

    func text(_ language: String) -> String { (language == "ko" ? ko ?? en : en ?? ko) ?? "" }
    var isEmpty: Bool { (ko ?? "").isEmpty && (en ?? "").isEmpty }
}

/// How a shop's tracking page looks and what it offers (W5–W7): brand, FAQ, promotions, policies and
/// which self-service actions customers may take.
struct TrackingPageSettings: Codable, Sendable, Equatable {
    struct FAQEntry: Codable, Sendable, Equatable {
        var question: LocalizedText
        var answer: LocalizedText
    }

    /// A banner or product the shop shows when the parcel's news is good.
    struct Promotion: Codable, Sendable, Equatable {
        var title: LocalizedText
        var text: LocalizedText?
        var imageUrl: String?
        var linkUrl: String
    }

    struct SelfService: Codable, Sendable, Equatable {
        var cancel = true
        var addressChange = true
    }

    var logoUrl: String?
    /// Header band and buttons; darkened where needed so text on white keeps 4.5:1 (WCAG AA).
    var primaryColor = "#1f4b99"
    /// A CSS font stack of installed fonts (the page loads nothing from elsewhere).
    var fontFamily: String?
    /// A line under the shop's name, e.g. a campaign.
    var tagline: LocalizedText?
    var faq: [FAQEntry] = Self.defaultFAQ
    var promotions: [Promotion] = []
    var returnPolicy: LocalizedText?
    var contactEmail: String?
    var selfService = SelfService()

    init() {}

    enum CodingKeys: String, CodingKey {
        case logoUrl, primaryColor, fontFamily, tagline, faq, promotions, returnPolicy, contactEmail, selfService
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        logoUrl = try c.decodeIfPresent(String.self, forKey: .logoUrl)
        primaryColor = try c.decodeIfPresent(String.self, forKey: .primaryColor) ?? "#1f4b99"
        fontFamily = try c.decodeIfPresent(String.self, forKey: .fontFamily)
        tagline = try c.decodeIfPresent(LocalizedText.self, forKey: .tagline)
        faq = try c.decodeIfPresent([FAQEntry].self, forKey: .faq) ?? Self.defaultFAQ
        promotions = try c.decodeIfPresent([Promotion].self, forKey: .promotions) ?? []
        returnPolicy = try c.decodeIfPresent(LocalizedText.self, forKey: .returnPolicy)
        contactEmail = try c.decodeIfPresent(String.self, forKey: .contactEmail)
        selfService = try c.decodeIfPresent(SelfService.self, forKey: .selfService) ?? SelfService()
    }

    static let defaultFAQ: [FAQEntry] = [
        .init(question: .init(ko: "언제 도착하나요?", en: "When will my order arrive?"),
              answer: .init(ko: "이 페이지 맨 위의 날짜가 택배사의 최신 소식으로 다시 계산한 도착 예정일입니다. 늦어질 것 같으면 먼저 알려 드립니다.",
                            en: "The date at the top of this page is recalculated from the carrier's latest scan. If it looks like slipping, we tell you first.")),
        .init(question: .init(ko: "배송지를 바꿀 수 있나요?", en: "Can I change the delivery address?"),
              answer: .init(ko: "상품이 포장되기 전이라면 이 페이지에서 직접 바꾸실 수 있습니다. 그 뒤에는 문의하기로 알려 주세요.",
                            en: "Until your order is packed you can change it on this page. After that, write to us below.")),
        .init(question: .init(ko: "집에 없으면 어떻게 되나요?", en: "What if I'm not home?"),
              answer: .init(ko: "택배사가 다시 방문하거나 보관 장소에 맡깁니다. 이 페이지에 다음 할 일을 안내해 드립니다.",
                            en: "The carrier tries again or leaves the parcel at a pick-up point; this page tells you what to do next.")),
        .init(question: .init(ko: "주문을 취소하려면요?", en: "How do I cancel?"),
              answer: .init(ko: "택배사에 넘기기 전이라면 이 페이지의 주문 취소로 바로 취소되고, 결제는 판매자 정책에 따라 환불됩니다.",
                            en: "Until the parcel is handed to the carrier, cancel on this page; payment is refunded under the shop's policy.")),
    ]

    func validate() throws {
        var issues = IssueList()
        func url(_ value: String?, _ field: String) {
            guard let value else { return }
            if value.count > 1_000 { issues.add(field, "too_long", "\(field) must be at most 1,000 characters"); return }
            guard let parsed = URL(string: value), ["https", "http"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
                issues.add(field, "invalid_url", "\(field) must be an absolute http(s) URL"); return
            }
        }
        func text(_ value: LocalizedText?, _ field: String, max: Int) {
            for (lang, t) in [("ko", value?.ko), ("en", value?.en)] where (t?.count ?? 0) > max {
                issues.add("\(field).\(lang)", "too_long", "\(field).\(lang) must be at most \(max) characters")
            }
        }
        url(logoUrl, "logo_url")
        if BrandColors.parse(primaryColor) == nil { issues.add("primary_color", "invalid_color", "primary_color must be #rrggbb") }
        if let font = fontFamily, font.count > 200 || font.contains(where: { !($0.isLetter || $0.isNumber || " ,-'\"".contains($0)) }) {
            issues.add("font_family", "invalid_font", "font_family must be a font list such as \"Pretendard, sans-serif\" (letters, digits, spaces, commas, quotes, hyphens)")
        }
        text(tagline, "tagline", max: 200)
        if faq.count > 30 { issues.add("faq", "too_many", "at most 30 questions") }
        for (i, entry) in faq.enumerated() {
            if entry.question.isEmpty { issues.add("faq[\(i)].question", "required", "a question needs its text") }
            text(entry.question, "faq[\(i)].question", max: 300)
            text(entry.answer, "faq[\(i)].answer", max: 3_000)
        }
        if promotions.count > 6 { issues.add("promotions", "too_many", "at most 6 promotions") }
        for (i, p) in promotions.enumerated() {
            if p.title.isEmpty { issues.add("promotions[\(i)].title", "required", "a promotion needs a title") }
            text(p.title, "promotions[\(i)].title", max: 120)
            text(p.text, "promotions[\(i)].text", max: 500)
            url(p.imageUrl, "promotions[\(i)].image_url")
            url(p.linkUrl, "promotions[\(i)].link_url")
        }
        text(returnPolicy, "return_policy", max: 5_000)
        if let email = contactEmail, EmailRule.normalize(email) == nil { issues.add("contact_email", "invalid_email", "contact_email is not a valid address") }
        guard issues.isEmpty else { throw ValidationFailure(issues.issues) }
    }

    static let table = ShopSettingsTable<TrackingPageSettings>(name: "tracking_page_settings")

    static func load(shopID: UUID, sql: any SQLDatabase) async throws -> TrackingPageSettings {
        try await table.load(shopID: shopID, sql: sql)?.settings ?? TrackingPageSettings()
    }
}
