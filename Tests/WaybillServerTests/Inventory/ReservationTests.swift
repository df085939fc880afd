import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer
@testable import WaybillCore

@Suite("Reservations never oversell (F1)")
struct ReservationTests {
    func status(_ r: TestingHTTPResponse) throws -> String { try r.json()["status"] as? String ?? "?" }

    @Test func sixtyFourBuyersRaceForTheLastTenUnitsAndExactlyTenGetThem() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-1", 10)])
            let outcomes = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for buyer in 0..<64 {
                    group.addTask {
                        let r = try await t.order(sku: "JAR-1", email: "buyer\(buyer)@example.com")
                        let holds = (try r.json()["holds"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
                        return (try self.status(r), holds.joined(separator: ","))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0.0 == "ready" }.count == 10)
            #expect(outcomes.filter { $0.0 == "on_hold" && $0.1 == "out_of_stock" }.count == 54)
            #expect(try await t.level("JAR-1") == (10, 10, 0))
            try await t.expectNoDrift()
        }
    }

    /// Two-line orders take both lines in one statement, under contention, with half the buyers listing the
    /// lines the other way round (every answer must be 201: no deadlock, no 503). The scarce second SKU
    /// decides: exactly ten orders get both lines, and a loser keeps neither (all or none). On PostgreSQL the
    /// lines reach the order's statement in the order's own order, so only the lock's `ORDER BY` keeps two
    /// orders from deadlocking: without it, two runs of three ended in a deadlock (a 500).
    @Test func sixtyFourBuyersOfTwoSKUsInEitherLineOrderNeverDeadlockAndGetAllOrNothing() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-1", 40), ("JAR-2", 10)])
            let outcomes = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for buyer in 0..<64 {
                    group.addTask {
                        let lines = buyer.isMultiple(of: 2)
                            ? #"[{"sku":"JAR-1","quantity":1},{"sku":"JAR-2","quantity":1}]"#
                            : #"[{"sku":"JAR-2","quantity":1},{"sku":"JAR-1","quantity":1}]"#
                        let r = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(
                            email: "buyer\(buyer)@example.com", lines: lines, shipping: 0, total: 172_000))
                        return (Int(r.status.code), r.status == .created ? try self.status(r) : r.body.string)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0.0 != 201 }.isEmpty, "every buyer is answered 201: \(outcomes.filter { $0.0 != 201 })")
            #expect(outcomes.filter { $0.1 == "ready" }.count == 10)
            #expect(outcomes.filter { $0.1 == "on_hold" }.count == 54)
            #expect(try await t.level("JAR-1") == (40, 10, 30))
            #expect(try await t.level("JAR-2") == (10, 10, 0))
            try await t.expectNoDrift()
        }
    }

    @Test func aShopThatRefusesShortOrdersAnswers409NamingTheLine() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-1", 2)])
            // Held under the default policy; intake now holds the shop's rules in its cache, which the
            // policy change below must drop.
            #expect(try status(try await t.order(sku: "JAR-1", quantity: 3, email: "first@example.com")) == "on_hold")
            _ = try await t.send(.PATCH, "/api/v1/shop", json: #"{"inventory_policy":{"on_shortage":"reject"}}"#)
            let r = try await t.order(sku: "JAR-1", quantity: 3, email: "a@example.com")
            #expect(r.status == .conflict)
            #expect(try r.errorCode() == "out_of_stock")
            #expect(try r.errorFields() == ["line_items[0].quantity"])
            #expect(try await t.count(Order.self) == 1)
            #expect(try await t.level("JAR-1") == (2, 0, 2))
        }
    }

    @Test func aShortOrderIsHeldNamingWhatIsMissingAndReservesNothing() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-1", 2)])
            let r = try await t.order(sku: "JAR-1", quantity: 3, email: "a@example.com")
            #expect(try status(r) == "on_hold")
            let detail = (try r.json()["holds"] as? [[String: Any]])?.first?["detail"] as? String
            #expect(detail == "JAR-1: 3 ordered, 2 available")
            #expect(try await t.level("JAR-1") == (2, 0, 2))
        }
    }

    @Test func cancellingReleasesExactlyWhatTheOrderReserved() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-1", 5)])
            let r = try await t.order(sku: "JAR-1", quantity: 3, email: "a@example.com")
            #expect(try await t.level("JAR-1") == (5, 3, 2))
            let id = try #require(try r.json()["id"] as? String)
            _ = try await t.send(.POST, "/api/v1/orders/\(id)/cancel")
            #expect(try await t.level("JAR-1") == (5, 0, 5))
            let kinds = try await Timeline(db: t.app.db, newID: { UUID() }).facts(orderID: UUID(uuidString: id)!).map(\.kind)
            #expect(kinds == ["order_placed", "stock_reserved", "order_ready", "order_promised", "order_cancelled", "stock_released"])
            try await t.expectNoDrift()
        }
    }

    @Test func theNearestWarehouseThatHasEverythingFillsTheOrderElseItIsSplit() async throws {
        try await withTestApp { t in
            try await t.warehouses([("ICN", "경기"), ("PUS", "부산")])
            try await t.move("receipts", location: "ICN", [("JAR-1", 5), ("JAR-2", 5)])
            try await t.move("receipts", location: "PUS", [("JAR-1", 5), ("JAR-2", 1)])
            // A Busan customer: Busan has both lines, so Busan fills it.
            _ = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(
                email: "b@example.com", postal: "48099", city: "부산광역시 해운대구",
                lines: #"[{"sku":"JAR-1","quantity":1},{"sku":"JAR-2","quantity":1}]"#, shipping: 0, total: 172_000))
            #expect(try await t.level("JAR-1", at: "PUS") == (5, 1, 4))
            // Now Busan lacks JAR-2: the whole order goes to Icheon rather than being split.
            _ = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(
                email: "c@example.com", postal: "48099", city: "부산광역시 해운대구",
                lines: #"[{"sku":"JAR-1","quantity":1},{"sku":"JAR-2","quantity":1}]"#, shipping: 0, total: 172_000))
            #expect(try await t.level("JAR-2", at: "ICN") == (5, 1, 4))
            // Seven units exist only across both: split.
            let split = try await t.order(sku: "JAR-1", quantity: 7, email: "d@example.com")
            #expect(try status(split) == "ready")
            #expect(try await t.level("JAR-1", at: "ICN").2 + t.level("JAR-1", at: "PUS").2 == 1)
            try await t.expectNoDrift()
        }
    }

    @Test func untrackedVariantsNeverReserve() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            let r = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body())
            #expect(try status(r) == "ready")
        }
    }
}

@Suite("Releasing a shortage hold takes the stock")
struct ShortageReleaseTests {
    @Test func anOutOfStockHoldIsReleasedOnlyWhenTheStockCanBeReserved() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-1", 1)])
            let r = try await t.order(sku: "JAR-1", quantity: 3, email: "a@example.com")
            let id = try #require(try r.json()["id"] as? String)
            let early = try await t.send(.POST, "/api/v1/orders/\(id)/holds/release", json: #"{"reasons":["out_of_stock"]}"#)
            #expect(early.status == .conflict)
            #expect(try early.errorCode() == "out_of_stock")
            #expect(try await t.level("JAR-1") == (1, 0, 1))
            try await t.move("receipts", [("JAR-1", 5)])
            let released = try await t.send(.POST, "/api/v1/orders/\(id)/holds/release", json: #"{"reasons":["out_of_stock"]}"#)
            #expect(released.status == .ok)
            #expect(try released.json()["status"] as? String == "ready")
            #expect(try await t.level("JAR-1") == (6, 3, 3))
            try await t.expectNoDrift()
        }
    }
}
