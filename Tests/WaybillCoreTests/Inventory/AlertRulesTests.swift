import Foundation
import Testing
@testable import WaybillCore

@Suite("Stock alert rules (F1)")
struct AlertRulesTests {
    let now = StockFixtures.day0
    let flat = Array(repeating: 10.0, count: 28)

    /// d = 10, σ_d = 3, LT = 5: reorder point 50 + 1.6449 × 3 × √5 = 61.03; lots of 14 days (140);
    /// holding ₩1,000 a unit-year.
    func plan() throws -> ReorderPlan {
        try ReorderPolicy.plan(ReorderInputs(meanDailyDemand: 10, demandStdDev: 3, leadTimeDays: 5,
                                             holdingCostPerUnitYear: 1_000, quantityRule: .daysOfCover(days: 14)))
    }

    func input(onHand: Int64, reserved: Int64 = 0, incoming: Int64 = 0, forecast: [Double]? = nil,
               lastSale: Date? = nil, stockedSince: Date? = nil) throws -> AlertInput {
        AlertInput(level: StockFixtures.level(onHand: onHand, reserved: reserved), incoming: incoming, plan: try plan(),
                   dailyForecast: forecast ?? flat, lastSaleAt: lastSale ?? now.addingTimeInterval(-86_400),
                   stockedSince: stockedSince, now: now)
    }

    @Test func aHealthyPositionRaisesNothing() throws {
        #expect(AlertRules.evaluate(try input(onHand: 200)).isEmpty)
    }

    @Test func availablePlusIncomingBelowTheReorderPointIsLowStock() throws {
        let alerts = AlertRules.evaluate(try input(onHand: 45, reserved: 5, incoming: 10))
        #expect(alerts.map(\.kind) == [.lowStock])
        guard case .lowStock(let position, let reorderPoint, let suggested)? = alerts.first?.detail else {
            Issue.record("expected a low-stock detail")
            return
        }
        #expect(position == 50)
        #expect(abs(reorderPoint - 61.03) < 0.01)
        #expect(suggested == 140)
        // Incoming stock that lifts the position over the reorder point clears it.
        #expect(AlertRules.evaluate(try input(onHand: 45, reserved: 5, incoming: 30)).isEmpty)
    }

    @Test func aStockoutWithinTheLeadTimeIsProjectedWithItsDate() throws {
        // 35 units at 10 a day: day 3 wants 10 with 5 left, before an order placed now (5 days) could arrive.
        let alerts = AlertRules.evaluate(try input(onHand: 35))
        #expect(alerts.map(\.kind) == [.lowStock, .stockoutProjected])
        #expect(alerts.last?.detail == .stockoutProjected(date: now.addingTimeInterval(3 * 86_400), daysAway: 3, position: 35))
        // Day 5 is when today's order lands: low stock, but not yet a stock-out nothing can prevent…
        #expect(AlertRules.evaluate(try input(onHand: 55)).map(\.kind) == [.lowStock])
        // …unless the shop wants warning further ahead.
        let fourWeeks = AlertRules.evaluate(try input(onHand: 200), settings: AlertSettings(stockoutHorizonDays: 28))
        #expect(fourWeeks.map(\.detail) == [
            .stockoutProjected(date: now.addingTimeInterval(20 * 86_400), daysAway: 20, position: 200),
        ])
    }

    @Test func coverBeyondTheThresholdIsOverstockWithTheHoldingCostOfTheExcess() throws {
        // 3,000 units at 10 a day is 300 days; 120 days need 1,200, so 1,800 are excess at ₩1,000 a year each.
        let alerts = AlertRules.evaluate(try input(onHand: 3_000), settings: AlertSettings(overstockCoverDays: 120))
        #expect(alerts.map(\.detail) == [
            .overstock(daysOfCover: 300, thresholdDays: 120, excessUnits: 1_800, holdingCostPerYear: 1_800_000),
        ])
    }

    @Test func stockNobodyIsExpectedToBuyIsOverstockWithoutAFiniteCover() throws {
        let alerts = AlertRules.evaluate(try input(onHand: 400, forecast: Array(repeating: 0, count: 28)))
        #expect(alerts.map(\.detail) == [
            .overstock(daysOfCover: nil, thresholdDays: 120, excessUnits: 400, holdingCostPerYear: 400_000),
        ])
    }

    @Test func newStockWithoutAnySaleIsNotOverstockDuringItsGracePeriod() throws {
        let zero = Array(repeating: 0.0, count: 28)
        let new = AlertInput(level: StockFixtures.level(onHand: 400), incoming: 0, plan: try plan(), dailyForecast: zero,
                             lastSaleAt: nil, stockedSince: now.addingTimeInterval(-3 * 86_400), now: now)
        #expect(AlertRules.evaluate(new).isEmpty)
        var old = new
        old.stockedSince = now.addingTimeInterval(-40 * 86_400)
        #expect(AlertRules.evaluate(old).map(\.kind) == [.overstock])
    }

    @Test func noSaleForTheThresholdDaysIsDeadStock() throws {
        let settings = AlertSettings(deadStockDays: 90)
        let stale = try input(onHand: 200, lastSale: now.addingTimeInterval(-100 * 86_400))
        #expect(AlertRules.evaluate(stale, settings: settings).map(\.detail) == [
            .deadStock(daysWithoutSale: 100, onHand: 200, holdingCostPerYear: 200_000),
        ])
        let recent = try input(onHand: 200, lastSale: now.addingTimeInterval(-89 * 86_400))
        #expect(AlertRules.evaluate(recent, settings: settings).isEmpty)
    }

    @Test func aSkuThatNeverSoldIsDeadOnlyOnceItHasWaitedLongEnough() throws {
        var neverSold = try input(onHand: 200, stockedSince: now.addingTimeInterval(-95 * 86_400))
        neverSold.lastSaleAt = nil
        #expect(AlertRules.evaluate(neverSold).map(\.kind) == [.deadStock])
        neverSold.stockedSince = nil
        #expect(AlertRules.evaluate(neverSold).isEmpty)
    }

    @Test func alertsCarryTheirPositionAndWireSpelling() throws {
        let alert = try #require(AlertRules.evaluate(try input(onHand: 10)).first)
        #expect(alert.key == StockKey(sku: "MUG-1", locationID: StockFixtures.shelf))
        #expect(StockAlert.Kind.allCases.map(\.rawValue) == ["low_stock", "stockout_projected", "overstock", "dead_stock"])
        let decoded = try JSONDecoder().decode(StockAlert.self, from: JSONEncoder().encode(alert))
        #expect(decoded == alert)
    }
}
