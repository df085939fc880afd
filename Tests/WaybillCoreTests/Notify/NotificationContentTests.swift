import Foundation
import Testing
@testable import WaybillCore

@Suite("Notification content")
struct NotificationContentTests {
    static let common = [
        "customer.name", "links.order_status", "links.unsubscribe", "order.items[]", "order.items[].name",
        "order.items[].quantity", "order.items[].sku", "order.number", "order.placed_on", "order.total",
        "promise.earliest", "promise.latest", "promise.most_likely", "promise.range",
        "shop.brand_color", "shop.logo_url", "shop.name", "shop.support_email",
    ]
    static let shipment = [
        "event.location", "event.text", "event.time", "shipment.carrier", "shipment.items[]", "shipment.items[].name",
        "shipment.items[].quantity", "shipment.items[].sku", "shipment.number", "shipment.tracking_number",
        "shipment.tracking_url",
    ]
    static let revised = ["delay.days", "revised.expected", "revised.latest"]
    static let compensation = ["compensation.code", "compensation.description"]

    @Test(arguments: [
        (NotificationTrigger.orderConfirmed, [[String]]()),
        (.shipped, [shipment]), (.outForDelivery, [shipment]), (.delivered, [shipment]),
        (.failedAttempt, [shipment, compensation]), (.exception, [shipment, compensation]),
        (.atRisk, [shipment, revised, compensation]), (.stalled, [shipment, revised, compensation]),
        (.fulfillmentLate, [compensation]), (.cancelled, [["cancellation.reason"]]),
    ])
    func eachTriggerOffersItsValues(trigger: NotificationTrigger, extra: [[String]]) {
        #expect(NotificationContent.schema(for: trigger).paths == (Self.common + extra.flatMap { $0 }).sorted())
    }

    @Test(arguments: NotificationTrigger.allCases, ["ko", "en"])
    func theSampleFillsExactlyTheSchema(trigger: NotificationTrigger, locale: String) {
        let sample = NotificationContent.sample(for: trigger, locale: locale)
        #expect(Self.paths(of: sample).sorted() == NotificationContent.schema(for: trigger).paths)
    }

    @Test(arguments: [
        ("ko", "ko"), ("ko-KR", "ko"), ("ko_KR", "ko"), ("KO-kr", "ko"), ("en", "en"), ("en-US", "en"),
        ("ja-JP", "en"), ("", "en"), ("kok", "en"),
    ])
    func localesFallBackToKoreanOrEnglish(locale: String, language: String) {
        #expect(NotificationContent.language(locale) == language)
    }

    @Test(arguments: [
        ("2025-03-14", "2025-03-14", "ko", "3월 14일(금)"), ("2025-03-14", "2025-03-17", "ko", "3월 14일(금)~17일(월)"),
        ("2025-03-31", "2025-04-02", "ko-KR", "3월 31일(월)~4월 2일(수)"), ("2025-12-30", "2026-01-02", "ko", "12월 30일(화)~1월 2일(금)"),
        ("2025-03-14", "2025-03-14", "en", "Fri, Mar 14"), ("2025-03-14", "2025-03-17", "en-GB", "Fri, Mar 14 – Mon, Mar 17"),
    ])
    func datesReadNaturally(first: String, last: String, locale: String, text: String) throws {
        let a = try #require(LocalDay(iso: first)), b = try #require(LocalDay(iso: last))
        #expect(NotificationContent.rangeText(a, b, locale: locale) == text)
    }

    /// The schema's notation for the paths a context fills: `order.items[]`, `order.items[].name`.
    static func paths(of value: TemplateValue, prefix: String = "") -> [String] {
        switch value {
        case .object(let fields):
            return fields.flatMap { name, field in paths(of: field, prefix: prefix.isEmpty ? name : "\(prefix).\(name)") }
        case .list(let items):
            let itemPaths = Set(items.flatMap { paths(of: $0) }).map { "\(prefix)[].\($0)" }
            return ["\(prefix)[]"] + itemPaths
        case .string, .bool:
            return [prefix]
        }
    }
}
