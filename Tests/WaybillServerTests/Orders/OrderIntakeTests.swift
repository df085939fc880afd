import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer
@testable import WaybillCore

@Suite("Order intake API (F3)")
struct OrderIntakeTests {
    @Test func aValidOrderIsStoredReadyWithItsTimeline() async throws {
        try await withTestApp { t in
            let created = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body())
            #expect(created.status == .created)
            let order = try created.json()
            #expect(order["status"] as? String == "ready")
            #expect(order["number"] as? Int == 1001)
            #expect(order["total"] as? Int == 51_000)
            #expect((order["customer"] as? [String: Any])?["phone"] as? String == "+821023456789")
            let id = try #require(order["id"] as? String)
            #expect(created.headers.first(name: .location) == "/api/v1/orders/\(id)")

            let byID = try await t.send(.GET, "/api/v1/orders/\(id)")
            #expect(byID.status == .ok)
            let byNumber = try await t.send(.GET, "/api/v1/orders/%231001")
            #expect(try byNumber.json()["id"] as? String == id)

            let timeline = try await t.send(.GET, "/api/v1/orders/\(id)/timeline")
            let kinds = (try timeline.json()["facts"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds == ["order_placed", "order_ready"])
            let facts = try await Timeline(db: t.app.db, newID: { UUID() }).facts(orderID: UUID(uuidString: id)!)
            #expect(facts.map(\.actor) == ["api_key:test", "api_key:test"])
        }
    }

    @Test func anInvalidOrderListsEveryFailingFieldAndStoresNothing() async throws {
        try await withTestApp { t in
            let body = OrderJSON.body(email: "nope", postal: "123", lines: #"[{"sku":"GHOST","quantity":1},{"sku":"OLD-1","quantity":1}]"#, total: 1)
            let response = try await t.send(.POST, "/api/v1/orders", json: body)
            #expect(response.status == .unprocessableEntity)
            #expect(try response.errorCode() == "validation_failed")
            #expect(Set(try response.errorFields()) == ["customer.email", "shipping_address.postal_code", "line_items[0].sku", "line_items[1].sku"])
            #expect(try await t.count(Order.self) == 0)
            #expect(try await t.count(TimelineFact.self) == 0)
        }
    }

    @Test func totalsThatDoNotAddUpAreRefused() async throws {
        try await withTestApp { t in
            let response = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(total: 51_001))
            #expect(response.status == .unprocessableEntity)
            #expect(try response.errorFields() == ["total"])
        }
    }

    @Test func listingPagesNewestFirstWithACursorAndFilters() async throws {
        try await withTestApp { t in
            for i in 0..<5 {
                t.time.advance(by: 3_600)
                let r = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(email: "c\(i)@example.com"))
                #expect(r.status == .created)
            }
            let first = try await t.send(.GET, "/api/v1/orders?limit=2")
            let page1 = try first.json()
            #expect((page1["data"] as? [[String: Any]])?.compactMap { $0["number"] as? Int } == [1005, 1004])
            let cursor = try #require(page1["next_cursor"] as? String)
            let second = try await t.send(.GET, "/api/v1/orders?limit=2&cursor=\(cursor)")
            #expect((try second.json()["data"] as? [[String: Any]])?.compactMap { $0["number"] as? Int } == [1003, 1002])
            let byCustomer = try await t.send(.GET, "/api/v1/orders?customer=c3@example.com")
            #expect((try byCustomer.json()["data"] as? [[String: Any]])?.count == 1)
            let byText = try await t.send(.GET, "/api/v1/orders?q=c4@")
            #expect((try byText.json()["data"] as? [[String: Any]])?.count == 1)
            let bad = try await t.send(.GET, "/api/v1/orders?status=shipped")
            #expect(bad.status == .unprocessableEntity)
            #expect(try bad.errorFields() == ["status"])
            let badCursor = try await t.send(.GET, "/api/v1/orders?cursor=xyz")
            #expect(try badCursor.errorFields() == ["cursor"])
        }
    }

    @Test func cancellingIsATimelineFactAndCannotHappenTwice() async throws {
        try await withTestApp { t in
            let id = try #require(try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body()).json()["id"] as? String)
            let cancel = try await t.send(.POST, "/api/v1/orders/\(id)/cancel", json: #"{"reason":"customer changed their mind"}"#)
            #expect(cancel.status == .ok)
            #expect(try cancel.json()["status"] as? String == "cancelled")
            let again = try await t.send(.POST, "/api/v1/orders/\(id)/cancel")
            #expect(again.status == .conflict)
            #expect(try again.errorCode() == "illegal_transition")
            let kinds = try await Timeline(db: t.app.db, newID: { UUID() }).facts(orderID: UUID(uuidString: id)!).map(\.kind)
            #expect(kinds == ["order_placed", "order_ready", "order_cancelled"])
        }
    }

    @Test func anUnknownOrderIs404() async throws {
        try await withTestApp { t in
            let r = try await t.send(.GET, "/api/v1/orders/\(UUID())")
            #expect(r.status == .notFound)
            #expect(try r.errorCode() == "not_found")
        }
    }

    @Test func csvExportHasAHeaderARowPerOrderAndDefusesFormulas() async throws {
        try await withTestApp { t in
            _ = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(name: "=HYPERLINK(\"http://evil\")"))
            _ = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(email: "b@example.com"))
            let r = try await t.send(.GET, "/api/v1/orders/export.csv")
            #expect(r.status == .ok)
            #expect(r.headers.contentType?.subType == "csv")
            let lines = r.text.split(separator: "\r\n")
            #expect(lines.count == 3)
            #expect(lines[0].hasPrefix("number,placed_at,status"))
            #expect(r.text.contains("'=HYPERLINK"))
            #expect(r.text.contains("MUG-1 x2; TRAY-1 x1"))
        }
    }
}
