import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer
@testable import WaybillCore

@Suite("Doubtful orders are held, not shipped (F3)")
struct OrderHoldTests {
    func holdReasons(_ r: TestingHTTPResponse) throws -> [String] {
        (try r.json()["holds"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
    }

    @Test func aPOBoxIsHeldAndAnAddressCorrectionReleasesIt() async throws {
        try await withTestApp(policy: HoldPolicy(refusePOBoxes: true)) { t in
            let r = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(line1: "강남우체국 사서함 123"))
            #expect(r.status == .created)
            let metrics = try await t.send(.GET, "/metrics", headers: [:])
            #expect(metrics.text.contains(#"waybill_orders_held_total{reason="po_box"} 1"#))
            #expect(try r.json()["status"] as? String == "on_hold")
            #expect(try holdReasons(r) == ["po_box"])
            let id = try #require(try r.json()["id"] as? String)

            let badFix = try await t.send(.PATCH, "/api/v1/orders/\(id)", json: #"{"shipping_address":{"name":"김민준","line1":"","city":"서울","postal_code":"1","country":"KR"}}"#)
            #expect(badFix.status == .unprocessableEntity)
            #expect(Set(try badFix.errorFields()) == ["shipping_address.line1", "shipping_address.postal_code"])

            let fix = try await t.send(.PATCH, "/api/v1/orders/\(id)", json: #"{"shipping_address":{"name":"김민준","line1":"테헤란로 152","city":"서울특별시 강남구","postal_code":"06236","country":"KR"}}"#)
            #expect(fix.status == .ok)
            #expect(try fix.json()["status"] as? String == "ready")
            #expect(try holdReasons(fix).isEmpty)
            let kinds = try await Timeline(db: t.app.db, newID: { UUID() }).facts(orderID: UUID(uuidString: id)!).map(\.kind)
            #expect(kinds == ["order_placed", "order_held", "order_corrected", "hold_released", "order_ready"])
        }
    }

    @Test func aCountryTheShopDoesNotServeIsHeld() async throws {
        try await withTestApp(policy: HoldPolicy(shipsTo: ["KR"])) { t in
            let r = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(
                country: "US", postal: "94105", city: "San Francisco", region: "CA", phone: "+14155550132"))
            #expect(try holdReasons(r) == ["destination_not_served"])
        }
    }

    @Test func theSameCustomerOrderingTheSameItemsMinutesApartIsASuspectedDuplicate() async throws {
        try await withTestApp(policy: HoldPolicy(duplicateWindowMinutes: 30)) { t in
            let first = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body())
            #expect(try first.json()["status"] as? String == "ready")
            t.time.advance(by: 120)
            let second = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body())
            #expect(try holdReasons(second) == ["suspected_duplicate"])
            t.time.advance(by: 3_600)
            let third = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body())
            #expect(try third.json()["status"] as? String == "ready")
        }
    }

    @Test func aTotalFarAboveTheShopsUsualIsHeld() async throws {
        try await withTestApp(policy: HoldPolicy(highValueMultiple: 5, highValueMinimumHistory: 5)) { t in
            for i in 0..<5 {
                _ = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(email: "u\(i)@example.com"))
            }
            let big = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(
                email: "big@example.com", lines: #"[{"sku":"TRAY-2","quantity":10}]"#, shipping: 0, total: 340_000))
            #expect(try holdReasons(big) == ["high_value"])
        }
    }

    @Test func foreignBillingAboveTheThresholdIsHeld() async throws {
        try await withTestApp(policy: HoldPolicy(crossBorderBillingThreshold: 10_000)) { t in
            let r = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(billingCountry: "US"))
            #expect(try holdReasons(r) == ["billing_shipping_mismatch"])
        }
    }

    @Test func anOperatorHoldsAndReleasesThroughTheAPI() async throws {
        try await withTestApp { t in
            let id = try #require(try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body()).json()["id"] as? String)
            let held = try await t.send(.POST, "/api/v1/orders/\(id)/holds", json: #"{"note":"customer called about the address"}"#)
            #expect(try held.json()["status"] as? String == "on_hold")
            #expect(try holdReasons(held) == ["manual"])
            let wrong = try await t.send(.POST, "/api/v1/orders/\(id)/holds/release", json: #"{"reasons":["po_box"]}"#)
            #expect(wrong.status == .unprocessableEntity)
            #expect(try wrong.errorFields() == ["reasons"])
            let unknown = try await t.send(.POST, "/api/v1/orders/\(id)/holds/release", json: #"{"reasons":["bogus"]}"#)
            #expect(unknown.status == .unprocessableEntity)
            let released = try await t.send(.POST, "/api/v1/orders/\(id)/holds/release", json: #"{"note":"confirmed"}"#)
            #expect(try released.json()["status"] as? String == "ready")
            let again = try await t.send(.POST, "/api/v1/orders/\(id)/holds/release")
            #expect(again.status == .conflict)
            let facts = try await Timeline(db: t.app.db, newID: { UUID() }).facts(orderID: UUID(uuidString: id)!)
            #expect(facts.map(\.kind) == ["order_placed", "order_ready", "order_held", "hold_released", "order_ready"])
            #expect(facts[3].payload.contains("confirmed"))
        }
    }

    @Test func holdReasonFilterFindsHeldOrders() async throws {
        try await withTestApp(policy: HoldPolicy(refusePOBoxes: true)) { t in
            _ = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(line1: "PO Box 55"))
            _ = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(email: "other@example.com"))
            let held = try await t.send(.GET, "/api/v1/orders?hold_reason=po_box")
            #expect((try held.json()["data"] as? [[String: Any]])?.count == 1)
            let onHold = try await t.send(.GET, "/api/v1/orders?status=on_hold")
            #expect((try onHold.json()["data"] as? [[String: Any]])?.count == 1)
        }
    }
}
