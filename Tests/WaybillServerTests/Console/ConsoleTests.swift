import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer
@testable import WaybillCore

@Suite("Console: sign-in, CSRF, orders and holds")
struct ConsoleTests {
    struct Session {
        var cookie: String
        var csrf: String
    }

    func csrf(in html: String) -> String {
        guard let range = html.range(of: #"name="_csrf" value=""#) else { return "" }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    func signIn(_ t: TestApp, password: String = "correct horse") async throws -> (HTTPStatus, Session) {
        _ = try await t.app.write { db in
            try await AccountService(db: db, application: t.app).createUser(shop: t.shop, email: "ops@example.kr", name: "Ops", password: "correct horse")
        }
        let page = try await t.send(.GET, "/console/login", headers: [:])
        let cookie = try #require(page.headers.setCookie?["waybill_session"]?.string)
        let token = csrf(in: page.text)
        let response = try await t.app.testing().sendRequest(.POST, "/console/login", headers: form(cookie),
            body: ByteBuffer(string: "email=ops%40example.kr&password=\(password.replacingOccurrences(of: " ", with: "+"))&_csrf=\(token)"))
        let newCookie = response.headers.setCookie?["waybill_session"]?.string ?? cookie
        let orders = try await t.send(.GET, "/console/orders", headers: ["Cookie": "waybill_session=\(newCookie)"])
        return (response.status, Session(cookie: newCookie, csrf: csrf(in: orders.text)))
    }

    func form(_ cookie: String) -> HTTPHeaders {
        ["Cookie": "waybill_session=\(cookie)", "Content-Type": "application/x-www-form-urlencoded"]
    }

    @Test func signedOutVisitorsAreSentToTheLoginPage() async throws {
        try await withTestApp { t in
            let r = try await t.send(.GET, "/console/orders", headers: [:])
            #expect(r.status == .seeOther)
            #expect(r.headers.first(name: .location) == "/console/login")
        }
    }

    @Test func aWrongPasswordIsRefused() async throws {
        try await withTestApp { t in
            let (status, _) = try await signIn(t, password: "wrong password")
            #expect(status == .unauthorized)
        }
    }

    @Test func anOperatorSeesOrdersAndReleasesAHoldWithAValidToken() async throws {
        try await withTestApp(policy: HoldPolicy(refusePOBoxes: true)) { t in
            let name = "<script>alert('pwn')</script>"
            let r = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(name: name, line1: "PO Box 9"))
            let id = try #require(try r.json()["id"] as? String)
            let (status, session) = try await signIn(t)
            #expect(status == .seeOther)
            #expect(!session.csrf.isEmpty)

            let list = try await t.send(.GET, "/console/holds", headers: ["Cookie": "waybill_session=\(session.cookie)"])
            #expect(list.status == .ok)
            #expect(list.text.contains("#1001"))
            #expect(!list.text.contains("<script>alert"))
            #expect(list.text.contains("&lt;script&gt;"))

            let detail = try await t.send(.GET, "/console/orders/\(id)", headers: ["Cookie": "waybill_session=\(session.cookie)"])
            #expect(detail.text.contains("PO box"))
            #expect(detail.text.contains("order_placed"))
            #expect(detail.text.contains("/t/"))

            let forged = try await t.app.testing().sendRequest(.POST, "/console/orders/\(id)/release",
                headers: form(session.cookie), body: ByteBuffer(string: "reason=po_box&_csrf=forged"))
            #expect(forged.status == .forbidden)

            let released = try await t.app.testing().sendRequest(.POST, "/console/orders/\(id)/release",
                headers: form(session.cookie), body: ByteBuffer(string: "reason=po_box&note=checked&_csrf=\(session.csrf)"))
            #expect(released.status == .seeOther)
            let order = try await t.send(.GET, "/api/v1/orders/\(id)")
            #expect(try order.json()["status"] as? String == "ready")
            let facts = try await Timeline(db: t.app.db, newID: { UUID() }).facts(orderID: UUID(uuidString: id)!)
            #expect(facts.last?.actor == "user:ops@example.kr")
        }
    }
}

@Suite("Console: hold rules")
struct ConsoleSettingsTests {
    @Test func anOperatorChangesTheHoldRulesAndBadValuesAreShownNotSaved() async throws {
        try await withTestApp { t in
            let (_, session) = try await ConsoleTests().signIn(t)
            let page = try await t.send(.GET, "/console/settings", headers: ["Cookie": "waybill_session=\(session.cookie)"])
            #expect(page.status == .ok)
            // An order first, so intake holds the shop's rules in its cache.
            #expect(try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(email: "before@example.com")).status == .created)
            let bad = try await t.app.testing().sendRequest(.POST, "/console/settings", headers: ConsoleTests().form(session.cookie),
                body: ByteBuffer(string: "ships_to=KR%2C+ZZ&high_value_multiple=abc&duplicate_window_minutes=30&_csrf=\(session.csrf)"))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("ships_to[1]"))
            #expect(bad.text.contains("high_value_multiple"))
            let ok = try await t.app.testing().sendRequest(.POST, "/console/settings", headers: ConsoleTests().form(session.cookie),
                body: ByteBuffer(string: "ships_to=kr+jp&refuse_po_boxes=on&high_value_multiple=6&high_value_minimum_history=10&high_value_absolute=&cross_border_billing_threshold=50000&duplicate_window_minutes=15&_csrf=\(session.csrf)"))
            #expect(ok.status == .seeOther)
            let shop = try #require(try await Shop.find(t.shop.id, on: t.app.db))
            #expect(shop.holdPolicy == HoldPolicy(shipsTo: ["JP", "KR"], refusePOBoxes: true, highValueMultiple: 6,
                                                  highValueMinimumHistory: 10, highValueAbsolute: nil,
                                                  crossBorderBillingThreshold: 50_000, duplicateWindowMinutes: 15))
            // The next order follows the new rules at once: Korea still served, the UK no longer.
            let korea = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(email: "kr@example.com"))
            #expect((try korea.json()["holds"] as? [[String: Any]])?.isEmpty == true)
            let uk = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(
                email: "uk@example.com", country: "GB", postal: "SW1A 1AA", city: "London", phone: "+44 20 7946 0000"))
            let reasons = (try uk.json()["holds"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
            #expect(reasons.contains("destination_not_served"), "\(uk.body.string)")
        }
    }
}

@Suite("Console: unknown accounts")
struct ConsoleUnknownAccountTests {
    @Test func anUnknownEmailGetsTheSameAnswerAsAWrongPassword() async throws {
        try await withTestApp { t in
            let page = try await t.send(.GET, "/console/login", headers: [:])
            let cookie = try #require(page.headers.setCookie?["waybill_session"]?.string)
            let token = ConsoleTests().csrf(in: page.text)
            let r = try await t.app.testing().sendRequest(.POST, "/console/login", headers: ConsoleTests().form(cookie),
                body: ByteBuffer(string: "email=nobody%40example.kr&password=whatever12&_csrf=\(token)"))
            #expect(r.status == .unauthorized)
            #expect(r.text.contains("E-mail or password is wrong."))
        }
    }
}

@Suite("Console: stock")
struct ConsoleStockTests {
    @Test func theStockPagesShowLevelsTheLedgerChartAndOrderWhatIsSuggested() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-1", 3), ("JAR-2", 50)])
            for day in 0..<3 {
                t.time.advance(by: 86_400)
                _ = try await t.order(sku: "JAR-1", email: "s\(day)@example.com")
            }
            let (_, session) = try await ConsoleTests().signIn(t)
            let cookie: HTTPHeaders = ["Cookie": "waybill_session=\(session.cookie)"]
            let list = try await t.send(.GET, "/console/stock?suggested=1", headers: cookie)
            #expect(list.status == .ok)
            #expect(list.text.contains("JAR-1"))
            #expect(!list.text.contains(">JAR-2<"))
            let page = try await t.send(.GET, "/console/stock/JAR-1", headers: cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("<svg"))
            #expect(page.text.contains("reorder point"))
            #expect(page.text.contains("reservation"))
            let created = try await t.app.testing().sendRequest(.POST, "/console/stock/purchase-orders", headers: ConsoleTests().form(session.cookie),
                body: ByteBuffer(string: "location=ICN&supplier=%EC%9D%B4%EC%B2%9C+%EB%8F%84%EC%9E%90%EA%B8%B0&_csrf=\(session.csrf)"))
            #expect(created.status == .seeOther)
            let pos = try await t.send(.GET, "/api/v1/purchase-orders")
            let first = (try pos.json()["data"] as? [[String: Any]])?.first
            #expect(first?["supplier"] as? String == "이천 도자기")
            #expect(((first?["lines"] as? [[String: Any]])?.first?["sku"] as? String) == "JAR-1")
        }
    }
}

@Suite("Console: the stock table's pages and filters")
struct ConsoleStockPagesTests {
    /// 61 SKUs (60 new and JAR-1) at two warehouses: 122 positions, a page of 100 and one of 22; the location
    /// filter keeps one warehouse's 61; the links keep the filters.
    @Test func theStockTableIsPagedAndFilteredByLocation() async throws {
        try await withTestApp { t in
            try await t.warehouses([("ICN", "경기"), ("BUS", "부산")])
            try await t.app.write { db in
                let catalog = CatalogService(db: db, now: TestApp.start, newID: t.app.dependencies.ids.next)
                for i in 1...60 {
                    try await catalog.upsert(ProductDraft(handle: "bowl-\(i)", names: ["en": "Bowl \(i)"],
                                                          variants: [VariantDraft(sku: String(format: "BOWL-%02d", i), price: 9_000)]), shop: t.shop)
                }
            }
            let lines = (1...60).map { (String(format: "BOWL-%02d", $0), Int64($0)) } + [("JAR-1", 5)]
            try await t.move("receipts", location: "ICN", lines)
            try await t.move("receipts", location: "BUS", lines)
            let (_, session) = try await ConsoleTests().signIn(t)
            let cookie: HTTPHeaders = ["Cookie": "waybill_session=\(session.cookie)"]
            func rows(_ html: String) -> Int { html.components(separatedBy: "<a href=\"/console/stock/").count - 1 }

            let first = try await t.send(.GET, "/console/stock?sort=sku", headers: cookie)
            #expect(first.status == .ok)
            #expect(first.text.contains("Showing 1–100 of 122 positions."))
            #expect(rows(first.text) == 100)
            #expect(first.text.contains(#"href="/console/stock?sort=sku&amp;page=2" rel="next""#))
            #expect(!first.text.contains(#"rel="prev""#))
            let second = try await t.send(.GET, "/console/stock?sort=sku&page=2", headers: cookie)
            #expect(second.text.contains("Showing 101–122 of 122 positions."))
            #expect(rows(second.text) == 22)
            #expect(second.text.contains(#"href="/console/stock?sort=sku&amp;page=1" rel="prev""#))
            #expect(!second.text.contains(#"rel="next""#))
            // Sorted by SKU, then location: the last page ends with JAR-1 at both warehouses.
            #expect(second.text.contains("BOWL-60") && second.text.contains("JAR-1"))

            let busan = try await t.send(.GET, "/console/stock?location=BUS&sort=sku", headers: cookie)
            #expect(busan.text.contains("Showing 1–61 of 61 positions."))
            #expect(!busan.text.contains("<td>ICN</td>"))
            #expect(busan.text.contains(#"<option value="BUS" selected>BUS</option>"#))
            let none = try await t.send(.GET, "/console/stock?q=NOSUCH", headers: cookie)
            #expect(none.text.contains("No positions match."))
            let beyond = try await t.send(.GET, "/console/stock?page=9", headers: cookie)
            #expect(beyond.status == .ok)
            #expect(rows(beyond.text) == 0)
            #expect(beyond.text.contains(#"href="/console/stock?sort=cover&amp;page=2" rel="prev""#))
        }
    }
}

@Suite("Console: promises")
struct ConsolePromisesTests {
    @Test func thePromisesPageShowsWhatIsAtRiskAndHowWellPromisesAreKept() async throws {
        try await withTestApp { t in
            let kept = try await t.stockedOrder(quantity: 1, email: "kept@example.com")
            let late = try await t.order(sku: "JAR-1", quantity: 1, email: "late@example.com")
            let lateNumber = try #require(try late.json()["number"] as? Int)
            // The first is delivered on its promised Friday; the second is still in the warehouse on Thursday.
            #expect(try await t.ship(kept, #"{"carrier":"cj","handed_over":true}"#).status == .created)
            try await (t.app.db as! any SQLDatabase).raw("UPDATE shipments SET delivered_at = \(bind: ISO8601DateFormatter().date(from: "2026-11-27T03:00:00Z")!), tracking_status = 'delivered'").run()
            try await (t.app.db as! any SQLDatabase).raw("UPDATE orders SET status = 'delivered' WHERE number = \(bind: kept)").run()
            t.time.advance(by: 3 * 86_400)
            _ = try await PromiseWatch(application: t.app).pass()
            let (_, session) = try await ConsoleTests().signIn(t)
            let cookie: HTTPHeaders = ["Cookie": "waybill_session=\(session.cookie)"]
            let page = try await t.send(.GET, "/console/promises", headers: cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("At risk now") && page.text.contains("/console/orders/\(lateNumber)"))
            #expect(page.text.contains("Not fitted yet"))
            // Advance past the late order's promised day: one kept, one late, 50% by week, carrier and warehouse.
            t.time.advance(by: 2 * 86_400)
            let later = try await t.send(.GET, "/console/promises", headers: cookie)
            #expect(later.text.contains("<strong>50.0%</strong> of 2 settled promises kept"))
            #expect(later.text.contains("promised at 95%"))
            let order = try await t.send(.GET, "/console/orders/\(lateNumber)", headers: cookie)
            #expect(order.text.contains("Arrives by 2026-11-27") && order.text.contains("At risk:"))
            let delivered = try await t.send(.GET, "/console/orders/\(kept)", headers: cookie)
            #expect(delivered.text.contains("Delivered 2026-11-27, on time"))
        }
    }
}

@Suite("Console: carrier codes")
struct ConsoleCarrierCodeTests {
    @Test func anOperatorMapsAnUnknownCodeFromTheShipmentsPage() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            #expect(try await t.ship(order, #"{"carrier":"cj","tracking_number":"623012590022"}"#).status == .created)
            try await t.inbound("waybill", secret: "waybill-test-secret-0001")
            let body = #"{"id":"c1","tracking_number":"623012590022","carrier":"cj","events":[{"occurred_at":"2026-11-23 19:10:00","code":"Z9","text":"SYS-EXT 전송"}]}"#
            #expect(try await t.waybillWebhook(body).status == .ok)
            let console = ConsoleTests()
            let (_, session) = try await console.signIn(t)
            let page = try await t.send(.GET, "/console/shipments", headers: ["Cookie": "waybill_session=\(session.cookie)"])
            #expect(page.text.contains("Carrier codes nobody has mapped") && page.text.contains("Z9"))
            let posted = try await t.app.testing().sendRequest(.POST, "/console/carriers/mappings", headers: console.form(session.cookie),
                body: ByteBuffer(string: "carrier=cj&key=Z9&status=in_transit&_csrf=\(console.csrf(in: page.text))"))
            #expect(posted.status == .seeOther && posted.headers.first(name: .location) == "/console/shipments?mapped=1")
            #expect(try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()["tracking_status"] as? String == "in_transit")
            // Without the form's token nothing is saved.
            let forged = try await t.app.testing().sendRequest(.POST, "/console/carriers/mappings", headers: console.form(session.cookie),
                body: ByteBuffer(string: "carrier=cj&key=Z8&status=delivered"))
            #expect(forged.status.code >= 400)
        }
    }
}
