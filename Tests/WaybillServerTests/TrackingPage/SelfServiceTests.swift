import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer
@testable import WaybillCore

@Suite("Self-service from the tracking page: cancel, address, updates, contact (W7)")
struct SelfServiceTests {
    func lastFact(_ t: TestApp, _ order: Int) async throws -> (kind: String, actor: String) {
        let row = try #require(try await (t.app.db as! any SQLDatabase).raw("""
            SELECT f.kind, f.actor FROM timeline_facts f JOIN orders o ON o.id = f.order_id WHERE o.number = \(bind: order)
            ORDER BY f.seq DESC LIMIT 1
            """).first())
        return (try row.decode(column: "kind", as: String.self), try row.decode(column: "actor", as: String.self))
    }

    @Test func theCustomerCancelsBeforeHandOverAndTheStockComesBack() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 3, stock: 10)
            // Packed but not handed over: cancelling voids the parcel.
            #expect(try await t.ship(order, #"{"carrier":"cj","tracking_number":"623012590022"}"#).status == .created)
            let path = try await t.trackingPath(order)
            #expect(try await t.page(path).text.contains("id=\"cancel-form\""))
            let r = try await t.form(path + "/cancel", [("reason", "changed_mind"), ("lang", "en")])
            #expect(r.status == .seeOther)
            #expect(r.headers.first(name: .location)?.hasPrefix(path + "?done=cancelled") == true)
            #expect(try await t.orderStatus(order) == "cancelled")
            let fact = try await lastFact(t, order)
            #expect(fact.actor == "customer")
            let shipment = try await (t.app.db as! any SQLDatabase).raw("SELECT state FROM shipments").first()?.decode(column: "state", as: String.self)
            #expect(shipment == "voided")
            let levels = try await t.send(.GET, "/api/v1/inventory/levels?sku=JAR-1")
            #expect(levels.text.contains("\"reserved\":0"))
            let after = try await t.page(path + "?done=cancelled&lang=en")
            #expect(after.text.contains("This order has been cancelled"))
            #expect(after.text.contains("role=\"status\""))
            #expect(!after.text.contains("id=\"cancel-form\""))
            // A second cancel is refused with a reason, not an error.
            let again = try await t.form(path + "/cancel", [("lang", "en")])
            #expect(again.status == .conflict)
            #expect(again.text.contains("role=\"alert\""))
        }
    }

    @Test func onceHandedOverCancelAndAddressChangeAreRefusedWithAReason() async throws {
        try await withTestApp { t in
            let order = try await t.shippedCJOrder()
            let path = try await t.trackingPath(order)
            let cancel = try await t.form(path + "/cancel", [("reason", "changed_mind"), ("lang", "en")])
            #expect(cancel.status == .conflict)
            #expect(cancel.text.contains("already with the carrier"))
            let move = try await t.form(path + "/address", [("name", "Kim"), ("line1", "1 New St"), ("city", "Seoul"), ("country", "KR"), ("lang", "en")])
            #expect(move.status == .conflict)
            #expect(try await t.orderStatus(order) != "cancelled")
        }
    }

    @Test func anAddressChangeIsValidatedLikeAnOrderAndRecorded() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            let path = try await t.trackingPath(order)
            let invalid = try await t.form(path + "/address", [("name", ""), ("line1", ""), ("city", "Seoul"), ("country", "ZZ"), ("lang", "en")])
            #expect(invalid.status == .unprocessableEntity)
            #expect(invalid.text.contains("shipping_address.line1"))
            let long = try await t.form(path + "/address", [("name", "Kim"), ("line1", String(repeating: "가", count: 20_000))])
            #expect(long.status.code >= 400 && long.status.code < 500)

            let ok = try await t.form(path + "/address", [("name", "김민준"), ("line1", "판교역로 235"), ("city", "성남시 분당구"),
                                                          ("postal_code", "13494"), ("country", "kr"), ("lang", "en")])
            #expect(ok.status == .seeOther)
            let page = try await t.page(path + "?lang=en")
            #expect(page.text.contains("판교역로 235"))
            let fact = try await lastFact(t, order)
            #expect(fact.kind == "order_corrected" && fact.actor == "customer")
            // Once packed, the label carries the address: refused.
            #expect(try await t.ship(order, #"{"carrier":"cj","tracking_number":"623012590022"}"#).status == .created)
            let late = try await t.form(path + "/address", [("name", "김민준"), ("line1", "다른 길 1"), ("city", "서울"), ("country", "KR"), ("lang", "en")])
            #expect(late.status == .conflict)
            #expect(late.text.contains("already packed"))
        }
    }

    @Test func updatesAndMessagesBecomeFactsAndUpdatesChangeWhatIsSent() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            let path = try await t.trackingPath(order)
            #expect(try await t.form(path + "/updates", [("sms", "on"), ("lang", "en")]).status == .seeOther)
            #expect(try await lastFact(t, order).kind == "preferences_changed")
            let page = try await t.page(path + "?lang=en")
            #expect(page.text.contains("id=\"upd-email\" name=\"email\" value=\"on\">"))
            #expect(try await t.form(path + "/contact", [("message", "문 앞에 놓아 주세요"), ("lang", "en")]).status == .seeOther)
            #expect(try await lastFact(t, order).kind == "customer_contacted")
            #expect(try await t.form(path + "/contact", [("message", "  ")]).status == .unprocessableEntity)
            // A flood of messages is slowed.
            var statuses: [UInt] = []
            for _ in 0..<8 { statuses.append(try await t.form(path + "/contact", [("message", "again")]).status.code) }
            #expect(statuses.contains(429))
            // E-mail off for this order: the confirmation is not e-mailed.
            try await t.drainOutbox()
            let emails = try await (t.app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'email' AND status = 'sent'").first()?
                .decode(column: "n", as: Int.self)
            #expect(emails == 0)
        }
    }
}
