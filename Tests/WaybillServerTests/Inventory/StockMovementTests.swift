import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

@Suite("Stock movements and the ledger (F1)")
struct StockMovementTests {
    @Test func everyMovementLandsInTheLedgerAndTheLevelsAgree() async throws {
        try await withTestApp { t in
            try await t.warehouses([("ICN", "경기"), ("PUS", "부산")])
            #expect(try await t.move("receipts", [("JAR-1", 10), ("JAR-2", 4)]).status == .created)
            #expect(try await t.move("adjustments", [("JAR-1", -2)]).status == .created)
            #expect(try await t.move("counts", [("JAR-1", 7)]).status == .created)
            #expect(try await t.move("damages", [("JAR-1", 1)]).status == .created)
            #expect(try await t.move("write-offs", [("JAR-1", 1)]).status == .created)
            let transfer = try await t.move("transfers", to: "PUS", [("JAR-1", 3)])
            #expect(transfer.status == .created)
            #expect(try await t.level("JAR-1") == (3, 0, 3))
            #expect(try await t.level("JAR-1", at: "PUS") == (3, 0, 3))
            let ledger = try await t.send(.GET, "/api/v1/inventory/movements?sku=JAR-1&limit=50")
            let reasons = (try ledger.json()["data"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
            #expect(reasons.sorted() == ["adjustment", "cycle_count", "damage", "receipt", "transfer_in", "transfer_out", "write_off"])
            try await t.expectNoDrift()
        }
    }

    @Test(arguments: [
        ("receipts", #"{"location":"ICN","lines":[{"sku":"JAR-1","quantity":-3}]}"#, "lines[0].quantity"),
        ("receipts", #"{"location":"ICN","lines":[{"sku":"JAR-1","quantity":1.5}]}"#, "lines[0].quantity"),
        ("receipts", #"{"location":"ICN","lines":[{"sku":"NOPE","quantity":1}]}"#, "lines[0].sku"),
        ("receipts", #"{"location":"XXX","lines":[{"sku":"JAR-1","quantity":1}]}"#, "location"),
        ("receipts", #"{"location":"ICN","lines":[]}"#, "lines"),
        ("transfers", #"{"location":"ICN","to_location":"ICN","lines":[{"sku":"JAR-1","quantity":1}]}"#, "to_location"),
        ("transfers", #"{"location":"ICN","to_location":"PUS","lines":[{"sku":"JAR-1","quantity":99}]}"#, "lines[0].quantity"),
        ("counts", #"{"location":"PUS","lines":[{"sku":"JAR-2","quantity":3}]}"#, "lines[0].sku"),
        ("adjustments", #"{"location":"ICN","lines":[{"sku":"JAR-1","quantity":-50}]}"#, "lines[0].quantity"),
        ("write-offs", #"{"location":"ICN","lines":[{"sku":"JAR-1","quantity":1}]}"#, "lines[0].quantity"),
    ])
    func badMovementsAreRefusedWithTheFieldAndWriteNothing(path: String, body: String, field: String) async throws {
        try await withTestApp { t in
            try await t.warehouses([("ICN", "경기"), ("PUS", "부산")])
            try await t.move("receipts", [("JAR-1", 5)])
            let before = try await t.send(.GET, "/api/v1/inventory/movements?limit=200")
            let r = try await t.send(.POST, "/api/v1/inventory/\(path)", json: body)
            #expect(r.status == .unprocessableEntity)
            #expect(try r.errorFields().first == field)
            let after = try await t.send(.GET, "/api/v1/inventory/movements?limit=200")
            #expect((try after.json()["data"] as? [Any])?.count == (try before.json()["data"] as? [Any])?.count)
            #expect(try await t.level("JAR-1") == (5, 0, 5))
        }
    }

    @Test func aRetriedMovementWithTheSameKeyIsAppliedOnce() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            var headers = t.auth
            headers.add(name: "Idempotency-Key", value: "delivery-note-77")
            let first = try await t.move("receipts", [("JAR-1", 6)], headers: headers)
            let again = try await t.move("receipts", [("JAR-1", 6)], headers: headers)
            #expect(first.status == .created)
            #expect(again.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(first.text == again.text)
            #expect(try await t.level("JAR-1") == (6, 0, 6))
        }
    }

    @Test func inventoryNeedsItsScopes() async throws {
        try await withTestApp { t in
            let key = try await t.app.write { db in
                try await AccountService(db: db, application: t.app).createKey(shop: t.shop, name: "orders-only", scopes: [.ordersRead]).1
            }
            let r = try await t.send(.GET, "/api/v1/inventory/levels", headers: ["Authorization": "Bearer \(key)"])
            #expect(r.status == .forbidden)
        }
    }
}
