import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

@Suite("Replenishment suggestions and alerts (F1)")
struct ReplenishmentTests {
    @Test func steadySalesRunningDownStockSuggestAnOrderWithItsReasons() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-1", 24), ("JAR-2", 400)])
            for day in 0..<20 {
                t.time.advance(by: 86_400)
                let r = try await t.order(sku: "JAR-1", quantity: 1, email: "day\(day)@example.com")
                #expect(r.status == .created)
            }
            let response = try await t.send(.GET, "/api/v1/inventory/replenishment")
            let rows = try response.json()["data"] as? [[String: Any]] ?? []
            let jar = try #require(rows.first { $0["sku"] as? String == "JAR-1" })
            #expect(jar["available"] as? Int == 4)
            let demand = try #require(jar["mean_daily_demand"] as? Double)
            #expect(demand > 0.6 && demand < 1.5)
            let reorderPoint = try #require(jar["reorder_point"] as? Double)
            #expect(reorderPoint > 7)
            #expect((jar["suggested_quantity"] as? Int ?? 0) >= 20)
            #expect((jar["reason"] as? String)?.contains("below the reorder point") == true)
            let quiet = try #require(rows.first { $0["sku"] as? String == "JAR-2" })
            #expect(quiet["suggested_quantity"] as? Int == 0)
            let alerts = try await t.send(.GET, "/api/v1/inventory/alerts")
            let kinds = (try alerts.json()["data"] as? [[String: Any]] ?? []).map { "\($0["sku"] ?? ""):\($0["kind"] ?? "")" }
            #expect(kinds.contains("JAR-1:low_stock"))
            let onlySuggested = try await t.send(.GET, "/api/v1/inventory/replenishment?suggested_only=true")
            #expect((try onlySuggested.json()["data"] as? [[String: Any]])?.compactMap { $0["sku"] as? String } == ["JAR-1"])
        }
    }

    @Test func aDayThatEndedWithNothingAvailableIsNotAZeroDemandDay() {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        // Stock 2 received 10 days ago and sold out the same day: after that, demand is unknown, not zero.
        let movements: [(at: Date, reason: String, quantity: Int64, available: Int64)] = [
            (now.addingTimeInterval(-10 * 86_400), "receipt", 2, 2),
            (now.addingTimeInterval(-10 * 86_400 + 60), "reservation", 2, -2),
        ]
        let history = Replenishment.history(movements, endingAvailable: 0, until: now)
        #expect(history.count == 11)
        #expect(history.first?.quantity == 2)
        #expect(history.dropFirst().allSatisfy { $0.stockedOut })
    }
}
