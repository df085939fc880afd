import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer
@testable import WaybillCore

@Suite("The tracking page: signed links, what it shows, escaping (W5–W7)")
struct TrackingPageTests {
    @Test func theSignedLinkOpensTheOrderAndTamperedOrExpiredLinksShowNothing() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1, email: "mina@example.com")
            let path = try await t.trackingPath(order)
            #expect(path.count == 3 + 49)
            let page = try await t.page(path)
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"headline\""))
            #expect(page.text.contains("#\(order)"))
            #expect(page.headers.first(name: "Content-Security-Policy")?.contains("default-src 'none'") == true)

            // One character changed, and garbage: the same refusal, nothing about the order.
            let last = path.last!
            let tampered = String(path.dropLast()) + (last == "A" ? "B" : "A")
            for bad in [tampered, "/t/abc", "/t/" + String(repeating: "x", count: 5_000), "/t/%3Cscript%3E"] {
                let r = try await t.page(bad)
                #expect(r.status == .notFound)
                #expect(r.text.contains("id=\"link-error\""))
                #expect(!r.text.contains("#\(order)"))
            }
            // 400 days later the link has expired; the lookup form still finds the order.
            t.time.advance(by: 401 * 86_400)
            let old = try await t.page(path)
            #expect(old.status == .gone)
            #expect(old.text.contains("id=\"link-error\""))
        }
    }

    @Test func thePageShowsParcelsScansPromiseAndFreshnessInTheOrdersLanguage() async throws {
        try await withTestApp { t in
            let order = try await t.shippedCJOrder()
            t.time.advance(by: 3_600)
            let path = try await t.trackingPath(order)
            let en = try await t.page(path + "?lang=en")
            #expect(en.text.contains("<html lang=\"en\""))
            #expect(en.text.contains("class=\"card shipment\""))
            #expect(en.text.contains("aria-current=\"step\">In transit"))
            #expect(en.text.contains("간선하차 · 곤지암Hub"))
            #expect(en.text.contains("id=\"promise\""))
            #expect(en.text.contains("Last scan"))
            #expect(en.text.contains("Korea time"))
            // Handed over: no cancel or address forms, and a reason instead.
            #expect(!en.text.contains("id=\"cancel-form\""))
            #expect(!en.text.contains("id=\"address-form\""))
            #expect(en.text.contains("already with the carrier"))
            // Without a switch the order's own language (the test orders are Korean).
            let ko = try await t.page(path, language: "en")
            #expect(ko.text.contains("<html lang=\"ko\""))
            #expect(ko.text.contains("배송 중"))
            // Well under the 50 KB budget.
            #expect(en.body.readableBytes < 50_000)
        }
    }

    @Test func markupInNamesScansAndTheFAQIsShownAsTextNeverRun() async throws {
        try await withTestApp { t in
            let hostile = "<script>document.title='XSS'</script><img src=x onerror=\"window.__xss=1\">"
            let order = try await t.shippedCJOrder(scanText: hostile)
            let faq = #"{"faq":[{"question":{"en":"\#(hostile.replacingOccurrences(of: "\"", with: "\\\""))"},"answer":{"en":"ok"}}]}"#
            #expect(try await t.send(.PUT, "/api/v1/tracking-page/settings", json: faq).status == .ok)
            let page = try await t.page(try await t.trackingPath(order) + "?lang=en")
            #expect(!page.text.contains("<script"))
            #expect(!page.text.contains("<img src=x"))
            #expect(page.text.contains("&lt;script&gt;document.title="))
        }
    }

    @Test func theShopsBrandFAQAndPromotionsAppearAndPromotionsOnlyWithGoodNews() async throws {
        try await withTestApp { t in
            let bad = try await t.send(.PUT, "/api/v1/tracking-page/settings",
                                       json: #"{"primary_color":"red","logo_url":"javascript:alert(1)","promotions":[{"title":{},"link_url":"ftp://x"}]}"#)
            #expect(bad.status == .unprocessableEntity)
            let fields = Set(try bad.errorFields())
            #expect(fields.isSuperset(of: ["primary_color", "logo_url", "promotions[0].title", "promotions[0].link_url"]))

            let good = #"""
            {"primary_color":"#ffd400","tagline":{"ko":"겨울 세일","en":"Winter sale"},
             "faq":[{"question":{"ko":"언제 와요?","en":"When?"},"answer":{"ko":"곧","en":"Soon"}}],
             "promotions":[{"title":{"ko":"새 머그","en":"New mugs"},"link_url":"https://shop.example/mugs"}],
             "return_policy":{"en":"Returns within 14 days."}}
            """#
            #expect(try await t.send(.PUT, "/api/v1/tracking-page/settings", json: good).status == .ok)
            let order = try await t.stockedOrder(quantity: 1)
            let page = try await t.page(try await t.trackingPath(order) + "?lang=en")
            #expect(page.text.contains("Winter sale"))
            #expect(page.text.contains("<summary>When?</summary>"))
            #expect(page.text.contains("New mugs"))
            // A yellow brand cannot carry white text: the page darkens it for links and buttons (4.5:1).
            #expect(!page.text.contains("a{color:#ffd400}"))

        }
    }

    @Test func badNewsHidesThePromotionsAndSaysWhatToDo() async throws {
        try await withTestApp { t in
            let settings = #"{"promotions":[{"title":{"ko":"새 머그","en":"New mugs"},"link_url":"https://shop.example/mugs"}]}"#
            #expect(try await t.send(.PUT, "/api/v1/tracking-page/settings", json: settings).status == .ok)
            let shipped = try await t.shippedCJOrder()
            let path = try await t.trackingPath(shipped) + "?lang=en"
            #expect(try await t.page(path).text.contains("New mugs"))
            let failed = #"{"id":"e9","tracking_number":"623012590022","carrier":"cj","events":[{"occurred_at":"2026-11-24 15:00:00","status":"failed_attempt","text":"부재중"}]}"#
            #expect(try await t.waybillWebhook(failed).status == .ok)
            t.time.advance(by: 86_400)
            let sad = try await t.page(path)
            #expect(sad.text.contains("A delivery attempt failed"))
            #expect(!sad.text.contains("New mugs"))
            #expect(sad.text.contains("What you can do"))
        }
    }

    @Test func messagesLinkToTheTrackingPage() async throws {
        try await withTestApp { t in
            _ = try await t.stockedOrder(quantity: 1)
            try await t.drainOutbox()
            let body = try await (t.app.db as! any SQLDatabase).raw("SELECT body_text FROM outbox WHERE kind = 'email'").all()
                .compactMap { try $0.decode(column: "body_text", as: String?.self) }
            #expect(!body.isEmpty)
            #expect(body.allSatisfy { $0.contains("/t/") })
            let path = try #require(body.first.flatMap { text in text.range(of: "/t/").map { String(text[$0.lowerBound...].prefix(52)) } })
            #expect(try await t.page(path).status == .ok)
        }
    }
}

@Suite("Console: the tracking page's settings")
struct ConsoleTrackingPageTests {
    @Test func anOperatorEditsTheFAQAndBrandAndCustomersSeeThem() async throws {
        try await withTestApp { t in
            let (_, session) = try await ConsoleTests().signIn(t)
            func post(_ form: String) async throws -> TestingHTTPResponse {
                try await t.app.testing().sendRequest(.POST, "/console/tracking-page", headers: ConsoleTests().form(session.cookie),
                                                      body: ByteBuffer(string: form + "&_csrf=\(session.csrf)"))
            }
            let page = try await t.send(.GET, "/console/tracking-page", headers: ["Cookie": "waybill_session=\(session.cookie)"])
            #expect(page.status == .ok && page.text.contains("When will my order arrive?"))
            // A bad colour is refused with its field and nothing is saved.
            #expect(try await post("color=blue&q0_en=Hi").text.contains("primary_color"))
            let saved = try await post("color=%232f6f4e&q0_ko=%EB%B0%98%ED%92%88%EC%9D%80%3F&q0_en=Returns%3F&a0_en=Within+14+days&cancel=on&return_en=Send+it+back")
            #expect(saved.status == .seeOther)
            let settings = try await t.send(.GET, "/api/v1/tracking-page/settings").json()
            #expect((settings["faq"] as? [[String: Any]])?.count == 1)
            #expect((settings["self_service"] as? [String: Bool])?["address_change"] == false)
            let lookup = try await t.page("/track/test?lang=en")
            #expect(lookup.text.contains("<summary>Returns?</summary>"))
            #expect(lookup.text.contains("#2f6f4e"))
        }
    }
}

@Suite("The tracking page's kept reads and pages")
struct TrackingPageCacheTests {
    @Test func aCrowdOnAColdOrderReadsItOnceAndRepeatViewsAreTheSamePage() async throws {
        try await withTestApp { t in
            let order = try await t.shippedCJOrder()
            let path = try await t.trackingPath(order)
            let reads = t.app.trackingPage.reads.withLockedValue { $0 }
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<24 { group.addTask { let r = try await t.page(path); #expect(r.status == .ok); return r.text } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(bodies.count == 24 && Set(bodies).count == 1)
            #expect(bodies[0].contains("간선하차"))
            #expect(t.app.trackingPage.reads.withLockedValue { $0 } == reads + 1)
            // Every view is a fact, kept page or not, with the language it was shown in.
            #expect(try await t.factCount("tracking_page_viewed") == 24)
            let payloads = try await (t.app.db as! any SQLDatabase).raw("SELECT DISTINCT payload FROM shop_facts WHERE kind = 'tracking_page_viewed'").all()
                .map { try $0.decode(column: "payload", as: String.self) }
            #expect(payloads == [#"{"language":"ko","via":"link"}"#])

            // Within the 5 s a new scan is not shown yet; after them it is, from one new read.
            let scan = #"{"id":"e2","tracking_number":"623012590022","carrier":"cj","events":[{"occurred_at":"2026-11-24 07:10:00","code":"82","text":"배송출발","location":"강남대리점"}]}"#
            #expect(try await t.waybillWebhook(scan).status == .ok)
            #expect(!(try await t.page(path)).text.contains("강남대리점"))
            t.time.advance(by: 5)
            #expect(try await t.page(path).text.contains("강남대리점"))
            #expect(try await t.page(path).text.contains("강남대리점"))
            #expect(t.app.trackingPage.reads.withLockedValue { $0 } == reads + 2)
        }
    }

    @Test func eachLanguageSwitchIsItsOwnPageAndNoticesAreNeverKept() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1, email: "kept@example.com")
            let path = try await t.trackingPath(order)
            for _ in 0..<2 {
                #expect(try await t.page(path + "?lang=en").text.contains("<html lang=\"en\""))
                #expect(try await t.page(path + "?lang=ko").text.contains("<html lang=\"ko\""))
                #expect(try await t.page(path, language: "en").text.contains("<html lang=\"ko\""))  // the order's language
            }
            #expect(try await t.page(path + "?lang=en&done=updates").text.contains("Your update choices are saved."))
            #expect(!(try await t.page(path + "?lang=en")).text.contains("id=\"notice\""))
            // A change made here shows at once (the kept read and its pages are forgotten): the shop's page settings,
            let tagline = #"{"tagline":{"ko":"빠른 배송","en":"Fast and kind"}}"#
            #expect(try await t.send(.PUT, "/api/v1/tracking-page/settings", json: tagline).status == .ok)
            #expect(try await t.page(path + "?lang=en").text.contains("Fast and kind"))
            // and the customer's own cancellation.
            let cancelled = try await t.form(path + "/cancel", [("lang", "en")])
            #expect(cancelled.status == .seeOther)
            #expect(try await t.page(path + "?lang=en").text.contains("This order has been cancelled"))
        }
    }

    @Test func aKeptPageStopsAtItsLinksExpiry() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1, email: "expiry@example.com")
            let path = try await t.trackingPath(order)
            let token = String(path.dropFirst(3))
            let link = try TrackingLink.verify(token, secret: try await t.app.linkSecret(), now: t.time.current).get()
            t.time.advance(by: link.expires.timeIntervalSince(t.time.current) - 2)
            #expect(try await t.page(path).status == .ok)
            #expect(try await t.page(path).status == .ok)
            t.time.advance(by: 2)
            #expect(try await t.page(path).status == .gone)
        }
    }

    @Test func theTimeOfAScanIsTheClockInTheCustomersZone() throws {
        var calendar = Calendar(identifier: .gregorian)
        for zone in ["Asia/Seoul", "America/New_York", "America/St_Johns", "Asia/Kathmandu", "UTC", "Pacific/Chatham"] {
            calendar.timeZone = TimeZone(identifier: zone)!
            // 500 instants from 1970 to 2033, a prime number of seconds apart: every minute, hour and season shows up.
            for seconds in stride(from: 7, to: 2_000_000_000, by: 3_999_971) {
                let date = Date(timeIntervalSince1970: Double(seconds))
                let c = calendar.dateComponents([.month, .day, .hour, .minute], from: date)
                let clock = String(format: "%02d:%02d", c.hour!, c.minute!)
                let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
                #expect(DayFormat(language: "en").time(date, zone: calendar.timeZone) == "\(months[c.month! - 1]) \(c.day!), \(clock)")
                #expect(DayFormat(language: "ko").time(date, zone: calendar.timeZone) == "\(c.month!)월 \(c.day!)일 \(clock)")
            }
        }
    }

    @Test func thePagesQueryIsReadFromTheRawString() {
        #expect(PageQuery(nil) == PageQuery())
        #expect(PageQuery("lang=ko&done=updates&via=lookup") == PageQuery(lang: "ko", done: "updates", via: "lookup"))
        #expect(PageQuery("lang=en&lang=ko&x=1&&=&via") == PageQuery(lang: "en", via: ""))
        #expect(PageQuery("done=%63ancelled&lang=%ZZ") == PageQuery(lang: nil, done: "cancelled"))
    }
}
