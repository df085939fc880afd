import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

@Suite("Editing quantities moves only the difference (F1)")
struct OrderEditTests {
    @Test func moreUnitsReserveTheDifferenceFewerReleaseItAndTotalsFollow() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-1", 6)])
            let r = try await t.order(sku: "JAR-1", quantity: 2, email: "a@example.com")
            let id = try #require(try r.json()["id"] as? String)
            #expect(try await t.level("JAR-1") == (6, 2, 4))

            let more = try await t.send(.PATCH, "/api/v1/orders/\(id)/lines", json: #"{"lines":[{"sku":"JAR-1","quantity":5}]}"#)
            #expect(more.status == .ok)
            #expect(try more.json()["total"] as? Int == 5 * 76_000)
            #expect(try await t.level("JAR-1") == (6, 5, 1))

            let tooMany = try await t.send(.PATCH, "/api/v1/orders/\(id)/lines", json: #"{"lines":[{"sku":"JAR-1","quantity":9}]}"#)
            #expect(tooMany.status == .conflict)
            #expect(try tooMany.errorCode() == "out_of_stock")
            #expect(try await t.level("JAR-1") == (6, 5, 1))

            let fewer = try await t.send(.PATCH, "/api/v1/orders/\(id)/lines", json: #"{"lines":[{"sku":"JAR-1","quantity":1}],"note":"customer called"}"#)
            #expect(try fewer.json()["total"] as? Int == 76_000)
            #expect(try await t.level("JAR-1") == (6, 1, 5))

            let bad = try await t.send(.PATCH, "/api/v1/orders/\(id)/lines", json: #"{"lines":[{"sku":"JAR-2","quantity":1},{"sku":"JAR-1","quantity":0}]}"#)
            #expect(bad.status == .unprocessableEntity)
            #expect(try bad.errorFields() == ["lines[0].sku", "lines[1].quantity"])

            _ = try await t.send(.POST, "/api/v1/orders/\(id)/cancel")
            #expect(try await t.level("JAR-1") == (6, 0, 6))
            let kinds = try await Timeline(db: t.app.db, newID: { UUID() }).facts(orderID: UUID(uuidString: id)!).map(\.kind)
            #expect(kinds == ["order_placed", "stock_reserved", "order_ready", "order_promised", "order_edited", "stock_reserved", "order_edited",
                              "stock_released", "order_cancelled", "stock_released"])
            try await t.expectNoDrift()
        }
    }
}
