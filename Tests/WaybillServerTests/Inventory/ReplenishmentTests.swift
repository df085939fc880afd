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
            _ = try await InventoryScheduler(application: t.app).pass(since: nil)
            let alerts = try await t.send(.GET, "/api/v1/inventory/alerts")
            let kinds = (try alerts.json()["data"] as? [[String: Any]] ?? []).map { "\($0["sku"] ?? ""):\($0["kind"] ?? "")" }
            #expect(kinds.contains("JAR-1:low_stock"))
            let onlySuggested = try await t.send(.GET, "/api/v1/inventory/replenishment?suggested_only=true")
            #expect((try onlySuggested.json()["data"] as? [[String: Any]])?.compactMap { $0["sku"] as? String } == ["JAR-1"])
            let page = try await t.send(.GET, "/api/v1/inventory/replenishment?limit=1").json()
            #expect((page["data"] as? [[String: Any]])?.first?["sku"] as? String == "JAR-1")
            let cursor = try #require(page["next_cursor"] as? String)
            let second = try await t.send(.GET, "/api/v1/inventory/replenishment?limit=1&after=\(cursor)").json()
            #expect((second["data"] as? [[String: Any]])?.first?["sku"] as? String == "JAR-2")
            #expect(try await t.send(.GET, "/api/v1/inventory/replenishment?limit=0").errorFields() == ["limit"])
            #expect(try await t.send(.GET, "/api/v1/inventory/replenishment?suggested_only=yes").errorFields() == ["suggested_only"])
        }
    }

    @Test func aDayThatEndedWithNothingAvailableIsNotAZeroDemandDay() {
        let today = 20_000
        // Stock 2 received 10 days ago and sold out the same day: after that, demand is unknown, not zero.
        let days = [ReplenishmentPlanner.DayTotals(day: today - 10, demand: 2, availableDelta: 0)]
        let history = ReplenishmentPlanner.history(days, endingAvailable: 0, today: today, firstDay: today - 10)
        #expect(history.count == 11)
        #expect(history.first?.quantity == 2)
        #expect(history.first?.stockedOut == true)
        #expect(history.dropFirst().allSatisfy { $0.stockedOut && $0.quantity == 0 })
    }

    @Test func aDayThatEndedWithStockLeftIsAGenuineZero() {
        let today = 20_000
        let days = [ReplenishmentPlanner.DayTotals(day: today - 5, demand: 1, availableDelta: 9)]
        let history = ReplenishmentPlanner.history(days, endingAvailable: 9, today: today, firstDay: today - 5)
        #expect(history.count == 6)
        #expect(history.allSatisfy { !$0.stockedOut })
        #expect(history.map(\.quantity) == [1, 0, 0, 0, 0, 0])
    }

    @Test func theStoredForecastMovesOnWithTheCalendar() {
        let computed = Date(timeIntervalSince1970: 20_000 * 86_400 + 3_600)
        let stored = (0..<ReplenishmentPlanner.horizonDays).map(Double.init)
        let later = Replenishment.forecast(stored, computedAt: computed, now: computed.addingTimeInterval(3 * 86_400))
        #expect(later.count == ReplenishmentPlanner.horizonDays)
        #expect(later.first == 3)
        #expect(later.last == stored.reduce(0, +) / Double(stored.count))
    }
}
