import Foundation
import Testing
@testable import WaybillCore

@Suite("Default templates")
struct DefaultTemplatesTests {
    struct Rendered {
        var subject: String?
        var text: String
        var html: String?
    }

    static func render(_ trigger: NotificationTrigger, _ channel: NotificationChannel, _ locale: String,
                       context: TemplateValue? = nil) throws -> Rendered {
        let set = DefaultTemplates.template(trigger, channel: channel, locale: locale)
        let schema = NotificationContent.schema(for: trigger)
        let context = context ?? NotificationContent.sample(for: trigger, locale: locale)
        func render(_ source: String?, html: Bool) throws -> String? {
            try source.map { try MessageTemplate($0, schema: schema).render(context, html: html) }
        }
        return Rendered(subject: try render(set.subject, html: false), text: try render(set.text, html: false) ?? "",
                        html: try render(set.html, html: true))
    }

    @Test(arguments: NotificationTrigger.allCases, ["ko", "en"])
    func everyEmailCompilesAgainstItsSchemaAndRendersTheSample(trigger: NotificationTrigger, locale: String) throws {
        let email = try Self.render(trigger, .email, locale)
        let subject = try #require(email.subject), html = try #require(email.html)
        for part in [subject, email.text, html] {
            #expect(!part.isEmpty)
            #expect(!part.contains("{{") && !part.contains("}}"))
            #expect(Self.containsHangul(part) == (locale == "ko"))
        }
        #expect(email.text.contains("1042") && html.contains("1042"), "names the order")
        #expect(!subject.contains("\n"))
        #expect(!email.text.contains("\n\n\n") && email.text.hasSuffix("\n") && !email.text.hasSuffix("\n\n"))
        #expect(!email.text.contains("<"), "plain text has no markup")
    }

    @Test(arguments: NotificationTrigger.allCases, ["ko", "en"])
    func everySMSCompilesAndFitsOneMessage(trigger: NotificationTrigger, locale: String) throws {
        let set = DefaultTemplates.template(trigger, channel: .sms, locale: locale)
        #expect(set.subject == nil && set.html == nil)
        let text = try Self.render(trigger, .sms, locale).text
        #expect(text.contains("https://sodam.example/t/8HK2QX"))
        #expect(!text.contains("{{"))
        if locale == "ko" {
            #expect(text.hasPrefix("[소담상회] "))
            #expect(SMSText.plan(text).kind == .sms, "\(SMSText.koreanBytes(text)) bytes: \(text)")
            #expect(SMSText.unsupportedCharacters(text).isEmpty)
        } else {
            #expect(SMSText.gsmSegments(text) == 1, "\(text)")
        }
    }

    @Test(arguments: ["ko", "ko-KR", "ko_KR", "en", "en-US", "ja", ""])
    func localesFallBack(locale: String) {
        let expected = locale.hasPrefix("ko") ? "ko" : "en"
        for trigger in NotificationTrigger.allCases {
            for channel in NotificationChannel.allCases {
                #expect(DefaultTemplates.template(trigger, channel: channel, locale: locale)
                    == DefaultTemplates.template(trigger, channel: channel, locale: expected))
            }
        }
    }

    @Test(arguments: [
        (NotificationTrigger.atRisk, "ko", ["죄송", "3월 18일(화)"]), (.atRisk, "en", ["sorry", "Tue, Mar 18"]),
        (.failedAttempt, "ko", ["다시 배송", "찾아가실"]), (.failedAttempt, "en", ["try again", "pick the parcel up"]),
        (.exception, "ko", ["확인하고 있", "help@sodam.example"]), (.exception, "en", ["working on it", "help@sodam.example"]),
        (.stalled, "ko", ["업데이트되지 않고", "택배사에"]), (.stalled, "en", ["hasn't moved", "asking the carrier"]),
        (.fulfillmentLate, "ko", ["발송", "늦어지고"]), (.fulfillmentLate, "en", ["taking longer", "ships"]),
        (.cancelled, "ko", ["취소", "고객님 요청"]), (.cancelled, "en", ["cancelled", "Requested by you"]),
        (.delivered, "ko", ["문 앞"]), (.shipped, "ko", ["689123450012", "CJ대한통운"]),
    ])
    func emailsSayWhatTheMomentNeeds(trigger: NotificationTrigger, locale: String, phrases: [String]) throws {
        let email = try Self.render(trigger, .email, locale)
        for phrase in phrases {
            #expect(email.text.localizedCaseInsensitiveContains(phrase), "\(phrase)")
            #expect(try #require(email.html).localizedCaseInsensitiveContains(phrase), "\(phrase)")
        }
    }

    @Test(arguments: ["ko", "en"])
    func atRiskSMSApologisesWithTheRevisedDate(locale: String) throws {
        let text = try Self.render(.atRisk, .sms, locale).text
        #expect(text.contains(locale == "ko" ? "3월 18일(화)" : "Tue, Mar 18"))
        #expect(text.localizedCaseInsensitiveContains(locale == "ko" ? "죄송" : "sorry"))
    }

    @Test(arguments: NotificationTrigger.allCases.filter(\.offersCompensation), ["ko", "en"])
    func compensationShowsOnlyWhenThereIsSome(trigger: NotificationTrigger, locale: String) throws {
        var context = NotificationContent.sample(for: trigger, locale: locale)
        let offered = try Self.render(trigger, .email, locale, context: context)
        #expect(offered.text.contains("SORRY3000") && offered.html?.contains("SORRY3000") == true)
        context.set("compensation", nil)
        let none = try Self.render(trigger, .email, locale, context: context)
        for body in [none.text, none.html ?? ""] {
            #expect(!body.contains("SORRY3000"))
            #expect(!body.contains(locale == "ko" ? "혜택" : "make up for"))
        }
        #expect(!none.text.contains("\n\n\n"))
    }

    @Test(arguments: NotificationTrigger.allCases, ["ko", "en"])
    func optionalGroupsCanBeLeftOut(trigger: NotificationTrigger, locale: String) throws {
        var context = NotificationContent.sample(for: trigger, locale: locale)
        for path in ["promise", "compensation", "revised", "delay", "cancellation", "event", "links.unsubscribe", "shop.support_email"] {
            context.set(path, nil)
        }
        let email = try Self.render(trigger, .email, locale, context: context)
        #expect(!email.text.contains("\n\n\n"))
        #expect(!email.text.contains(": \n") && !(email.html ?? "").contains("<strong></strong>"))
        #expect(!email.text.contains("()") && !email.text.contains("( )"))
    }

    @Test func htmlFragmentsUseOnlySimpleMarkup() {
        let allowed: Set<String> = ["p", "h1", "ul", "li", "a", "strong"]
        for trigger in NotificationTrigger.allCases {
            for locale in ["ko", "en"] {
                let html = DefaultTemplates.template(trigger, channel: .email, locale: locale).html ?? ""
                let tags = html.split(separator: "<").dropFirst().map { $0.prefix { $0.isLetter || $0.isNumber || $0 == "/" } }
                #expect(Set(tags.map { String($0.drop { $0 == "/" }) }).isSubset(of: allowed), "\(trigger) \(locale)")
                for banned in ["<script", "style", "src=", "javascript:", "http", "onclick", "onerror"] {
                    #expect(!html.lowercased().contains(banned), "\(trigger) \(locale): \(banned)")
                }
                #expect(html.hasPrefix("<h1>"))
            }
        }
    }

    /// A value can end in any syllable, so a particle whose form depends on it (은/는, 이/가, 을/를, 으로/로,
    /// 과/와) never follows one in the Korean defaults.
    @Test func koreanDefaultsPutNoVariableParticleAfterAValue() {
        let particles = ["은", "는", "이", "가", "을", "를", "으로", "로", "과", "와", "이에요", "예요"]
        for trigger in NotificationTrigger.allCases {
            for channel in NotificationChannel.allCases {
                let set = DefaultTemplates.template(trigger, channel: channel, locale: "ko")
                for source in [set.subject, set.text, set.html].compactMap({ $0 }) {
                    for piece in source.components(separatedBy: "}}").dropFirst() {
                        #expect(!particles.contains { piece.hasPrefix($0) }, "\(trigger) \(channel): '}}\(piece.prefix(6))'")
                    }
                }
            }
        }
    }

    static func containsHangul(_ s: String) -> Bool {
        s.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) }
    }
}
