import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer
@testable import WaybillCore

@Suite("Purchase orders: CSV, receiving twice, the console's receiving screen and alerts (F1)")
struct PurchaseOrderCSVTests {
    @Test func importingCreatesEachOrderWholeAndRefusesEveryRowOfABrokenOne() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            let csv = """
                number,supplier,location,expected_at,sku,quantity
                PO-A,Jar Co,ICN,2026-12-10,JAR-1,24
                PO-A,Jar Co,ICN,2026-12-10,JAR-2,12
                PO-B,Jar Co,ICN,2026-12-12,JAR-1,0
                PO-B,Jar Co,ICN,2026-12-12,JAR-2,6

                PO-C,Jar Co,ICN,soon,JAR-1,5
                PO-D,Jar Co,MARS,2026-12-12,GHOST,5
                PO-E,Jar Co,ICN,2026-12-15T09:00:00Z,JAR-2,3
                PO-E,Other Co,ICN,2026-12-15T09:00:00Z,JAR-1,3
                """
            let parsed = try PurchaseOrderCSV.parse(csv)
            #expect(parsed.orders.map(\.request.number) == ["PO-A", "PO-D"])
            let result = try await PurchaseOrderCSV.load(parsed, shopID: try t.shop.requireID(), application: t.app,
                                                         progress: ProgressReporter { _ in })
            #expect(result.created == ["PO-A"])
            // PO-B line 4 (quantity 0) takes line 5 with it; PO-C's date; PO-D's location and SKU; PO-E's supplier.
            #expect(result.refused.map(\.line) == [4, 5, 7, 8, 9, 10])
            #expect(result.refused.first { $0.line == 8 }?.reasons.joined().contains("location") == true)
            #expect(result.refused.first { $0.line == 10 }?.reasons.joined().contains("supplier differs") == true)
            // Loading the same file again creates nothing twice.
            let again = try await PurchaseOrderCSV.load(try PurchaseOrderCSV.parse(csv), shopID: try t.shop.requireID(), application: t.app,
                                                        progress: ProgressReporter { _ in })
            #expect(again.created.isEmpty)
            #expect(again.refused.contains { $0.reasons.joined().contains("already exists") })

            let export = try await t.send(.GET, "/api/v1/purchase-orders.csv")
            #expect(export.headers.contentType?.subType == "csv")
            let lines = export.text.split(separator: "\r\n").map(String.init)
            #expect(lines.first == PurchaseOrderCSV.header.joined(separator: ","))
            #expect(lines.dropFirst().sorted() == [
                "PO-A,Jar Co,ICN,open,2026-11-23T09:00:00Z,2026-12-10T00:00:00Z,JAR-1,24,0,24",
                "PO-A,Jar Co,ICN,open,2026-11-23T09:00:00Z,2026-12-10T00:00:00Z,JAR-2,12,0,12",
            ])
            #expect(try await t.send(.GET, "/api/v1/purchase-orders.csv?status=lost").errorFields() == ["status"])
            #expect(throws: ValidationFailure.self) { try PurchaseOrderCSV.parse("number,sku\nPO-1,JAR-1") }
        }
    }

    @Test func aReceiptSentTwiceWithTheSameKeyIsBookedOnce() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            #expect(try await t.send(.POST, "/api/v1/purchase-orders", json: """
                {"number":"PO-1","supplier":"Jar Co","location":"ICN","expected_at":"2026-12-01T00:00:00Z","lines":[{"sku":"JAR-1","quantity":10}]}
                """).status == .created)
            var headers = t.auth
            headers.replaceOrAdd(name: "Idempotency-Key", value: "truck-42")
            let body = #"{"lines":[{"sku":"JAR-1","quantity":6}]}"#
            let first = try await t.send(.POST, "/api/v1/purchase-orders/PO-1/receipts", json: body, headers: headers)
            let second = try await t.send(.POST, "/api/v1/purchase-orders/PO-1/receipts", json: body, headers: headers)
            #expect(first.status == .created && second.status == .created)
            #expect(second.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try await t.level("JAR-1") == (6, 0, 6))
            let po = try await t.send(.GET, "/api/v1/purchase-orders/PO-1").json()
            #expect((po["lines"] as? [[String: Any]])?.first?["received"] as? Int == 6)
            // The same key with another body is refused; a new delivery beyond what is outstanding too.
            let reused = try await t.send(.POST, "/api/v1/purchase-orders/PO-1/receipts", json: #"{"lines":[{"sku":"JAR-1","quantity":1}]}"#, headers: headers)
            #expect(reused.status == .unprocessableEntity)
            let over = try await t.send(.POST, "/api/v1/purchase-orders/PO-1/receipts", json: #"{"lines":[{"sku":"JAR-1","quantity":5}]}"#)
            #expect(try over.errorFields() == ["lines[0].quantity"])
            #expect(try await t.level("JAR-1") == (6, 0, 6))
            try await t.expectNoDrift()
        }
    }

    @Test func theReceivingScreenBooksADeliveryAndTheAlertsPageExplainsWhatHolds() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-1", 3)])
            for day in 0..<3 {
                t.time.advance(by: 86_400)
                _ = try await t.order(sku: "JAR-1", email: "s\(day)@example.com")
            }
            _ = try await InventoryScheduler(application: t.app).pass(since: nil)
            #expect(try await t.send(.POST, "/api/v1/purchase-orders", json: """
                {"number":"PO-7","supplier":"Jar Co","location":"ICN","expected_at":"2026-11-20T00:00:00Z","ordered_at":"2026-11-10T00:00:00Z","lines":[{"sku":"JAR-1","quantity":10},{"sku":"JAR-2","quantity":4}]}
                """).status == .created)
            let (_, session) = try await ConsoleTests().signIn(t)
            let cookie: HTTPHeaders = ["Cookie": "waybill_session=\(session.cookie)"]
            let alerts = try await t.send(.GET, "/console/alerts", headers: cookie)
            #expect(alerts.status == .ok)
            #expect(alerts.text.contains("raised: Low stock"))
            let list = try await t.send(.GET, "/console/purchase-orders", headers: cookie)
            #expect(list.text.contains("PO-7") && list.text.contains("late"))
            let screen = try await t.send(.GET, "/console/purchase-orders/PO-7", headers: cookie)
            #expect(screen.text.contains(#"name="qty_JAR-1""#))

            let tooMany = try await t.app.testing().sendRequest(.POST, "/console/purchase-orders/PO-7/receive", headers: ConsoleTests().form(session.cookie),
                body: ByteBuffer(string: "qty_JAR-1=11&qty_JAR-2=&_csrf=\(session.csrf)"))
            #expect(tooMany.status == .unprocessableEntity)
            #expect(tooMany.body.string.contains("Nothing was booked"))
            #expect(try await t.level("JAR-1") == (3, 3, 0))
            let booked = try await t.app.testing().sendRequest(.POST, "/console/purchase-orders/PO-7/receive", headers: ConsoleTests().form(session.cookie),
                body: ByteBuffer(string: "qty_JAR-1=10&qty_JAR-2=0&note=pallet+1&_csrf=\(session.csrf)"))
            #expect(booked.status == .seeOther)
            #expect(try await t.level("JAR-1") == (13, 3, 10))
            let po = try await t.send(.GET, "/api/v1/purchase-orders/PO-7").json()
            #expect(po["status"] as? String == "partially_received")
            let ledger = try await t.send(.GET, "/api/v1/inventory/movements?sku=JAR-1").json()["data"] as? [[String: Any]] ?? []
            #expect(ledger.contains { $0["reason"] as? String == "receipt" && ($0["actor"] as? String)?.hasPrefix("user:") == true })
            try await t.expectNoDrift()
        }
    }

    @Test func aDemandCSVReplaysDayByDay() throws {
        let (demand, first) = try InventoryBacktestCommand.parse("date,quantity\n2026-01-03,4\n2026-01-01,2\n2026-01-03,1\n")
        #expect(demand == [2, 0, 5])
        #expect(first == PurchaseOrderCSV.date("2026-01-01"))
        #expect(throws: (any Error).self) { try InventoryBacktestCommand.parse("date,quantity\nyesterday,4\n") }
    }
}
