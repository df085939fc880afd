import Foundation
import Testing
import Vapor
import VaporTesting
import SQLKit
@testable import WaybillServer

@Suite("Purchase orders and receipts (F1)")
struct PurchaseOrderTests {
    @Test func partialReceiptsBookStockRecordLeadTimeAndShowIncoming() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            let created = try await t.send(.POST, "/api/v1/purchase-orders", json: """
                {"number":"PO-1001","supplier":"이천 도자기","location":"ICN","expected_at":"2026-11-30T00:00:00Z",
                 "lines":[{"sku":"JAR-1","quantity":10},{"sku":"JAR-2","quantity":4}]}
                """)
            #expect(created.status == .created)
            let levels = try await t.send(.GET, "/api/v1/inventory/levels?sku=JAR-1")
            #expect((try levels.json()["data"] as? [Any])?.isEmpty == true)
            t.time.advance(by: 5 * 86_400)
            let first = try await t.send(.POST, "/api/v1/purchase-orders/PO-1001/receipts", json: #"{"lines":[{"sku":"JAR-1","quantity":6}]}"#)
            #expect(first.status == .created)
            #expect(try first.json()["status"] as? String == "partially_received")
            let level = try await t.send(.GET, "/api/v1/inventory/levels?sku=JAR-1")
            let row = (try level.json()["data"] as? [[String: Any]])?.first
            #expect(row?["on_hand"] as? Int == 6)
            #expect(row?["incoming"] as? Int == 4)
            let over = try await t.send(.POST, "/api/v1/purchase-orders/PO-1001/receipts", json: #"{"lines":[{"sku":"JAR-1","quantity":5}]}"#)
            #expect(over.status == .unprocessableEntity)
            #expect(try over.errorFields() == ["lines[0].quantity"])
            let rest = try await t.send(.POST, "/api/v1/purchase-orders/PO-1001/receipts",
                                        json: #"{"lines":[{"sku":"JAR-1","quantity":5},{"sku":"JAR-2","quantity":4}],"allow_over_receipt":true}"#)
            #expect(try rest.json()["status"] as? String == "received")
            #expect(try await t.level("JAR-1") == (11, 0, 11))
            let closed = try await t.send(.POST, "/api/v1/purchase-orders/PO-1001/receipts", json: #"{"lines":[{"sku":"JAR-2","quantity":1}]}"#)
            #expect(closed.status == .conflict)
            let leadTimes = try await (t.app.db as! any SQLDatabase).raw("SELECT lead_time_days FROM purchase_order_receipts ORDER BY received_at")
                .all().map { try $0.decode(column: "lead_time_days", as: Double.self) }
            #expect(leadTimes.count == 2)
            #expect(leadTimes.allSatisfy { abs($0 - 5) < 0.01 })
            let ledger = try await t.send(.GET, "/api/v1/inventory/movements?sku=JAR-1")
            #expect((try ledger.json()["data"] as? [[String: Any]])?.allSatisfy { $0["reference_kind"] as? String == "purchase_order" } == true)
            try await t.expectNoDrift()
        }
    }

    @Test func aBadPurchaseOrderNamesEveryField() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            let r = try await t.send(.POST, "/api/v1/purchase-orders", json: """
                {"number":"","supplier":"","location":"NOPE","expected_at":"2020-01-01T00:00:00Z",
                 "lines":[{"sku":"GHOST","quantity":0}]}
                """)
            #expect(r.status == .unprocessableEntity)
            #expect(Set(try r.errorFields()) == ["number", "supplier", "location", "expected_at", "lines[0].sku", "lines[0].quantity"])
        }
    }
}
