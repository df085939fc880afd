import Foundation
import Testing
@testable import WaybillCore

@Suite("Replenishment backtest (F1)")
struct ReplenishmentBacktestTests {
    /// Eight weeks of history, then the rest of the year replayed; 7 ± 2 days from order to shelf.
    static func scenario(_ demand: [Int64] = DemandFixtures.retailYear(), seed: UInt64 = 42) -> ReplenishmentBacktest.Scenario {
        ReplenishmentBacktest.Scenario(demand: demand, firstDate: StockFixtures.day0, warmUpDays: 56, startingStock: 280,
                                       leadTimeDays: 7, leadTimeJitterDays: 2, seed: seed)
    }

    /// 95 % cycle service, ₩30,000 an order, ₩2,000 a unit-year to hold, packs of 12, EOQ lots, weekly re-plan.
    static let computed = ReplenishmentBacktest.Policy.computed(
        .init(orderingCost: 30_000, holdingCostPerUnitYear: 2_000, packSize: 12))

    struct Totals {
        var stockOutDays = 0
        var averageOnHand = 0.0
        var fillRate = 0.0
    }

    /// Sums over `years` generated years (seeds 1…years): one year's stock-outs are a handful of days, too few
    /// to rank two policies on their own.
    static func totals(_ policy: (ReplenishmentBacktest.Scenario) -> ReplenishmentBacktest.Policy,
                       years: Int) throws -> Totals {
        var totals = Totals()
        for seed in 1...UInt64(years) {
            let scenario = scenario(DemandFixtures.retailYear(seed: seed), seed: seed)
            let result = try ReplenishmentBacktest.run(scenario, policy: policy(scenario))
            totals.stockOutDays += result.stockOutDays
            totals.averageOnHand += result.averageOnHand / Double(years)
            totals.fillRate += result.fillRate / Double(years)
        }
        return totals
    }

    @Test func theGeneratedYearReplaysToTheFiguresInTheBenchmarks() throws {
        // If these move, the model changed: re-check the comparison below and update docs/benchmarks.md.
        let scenario = Self.scenario()
        let computed = try ReplenishmentBacktest.run(scenario, policy: Self.computed)
        let naive = try ReplenishmentBacktest.run(scenario, policy: .ruleOfThumb(for: scenario))
        #expect(ReplenishmentBacktest.Policy.ruleOfThumb(for: scenario) == .fixed(reorderPoint: 273, orderQuantity: 545))
        #expect(computed.days == 309)
        #expect([computed.stockOutDays, naive.stockOutDays] == [3, 3] as [Int])
        #expect(computed.fillRate >= naive.fillRate)
        #expect(abs(computed.averageOnHand - naive.averageOnHand) / naive.averageOnHand < 0.01)
        #expect([computed.ordersPlaced, naive.ordersPlaced] == [15, 14] as [Int])
    }

    @Test func atComparableStockTheComputedPolicyStocksOutLessThanAnyFixedRuleOfThumb() throws {
        let years = 20
        let policy = try Self.totals({ _ in Self.computed }, years: years)
        var comparable = 0
        for buffer in [0, 2, 4, 7, 10, 14] {
            let naive = try Self.totals({ .ruleOfThumb(for: $0, bufferDays: buffer) }, years: years)
            let context = "buffer \(buffer) days: \(naive) vs computed \(policy)"
            // No fixed rule is better on both counts…
            #expect(naive.stockOutDays > policy.stockOutDays || naive.averageOnHand > policy.averageOnHand, "\(context)")
            // …and those holding about as much stock (±10 %) run out more often.
            if abs(naive.averageOnHand - policy.averageOnHand) <= 0.1 * policy.averageOnHand {
                comparable += 1
                #expect(naive.stockOutDays > policy.stockOutDays, "\(context)")
            }
        }
        #expect(comparable > 0)
    }

    @Test func aFixedReorderPointSetFromQuietWeeksRunsOutWhenDemandGrows() throws {
        let scenario = Self.scenario()
        let noSafetyStock = try ReplenishmentBacktest.run(scenario, policy: .ruleOfThumb(for: scenario, bufferDays: 0))
        let computed = try ReplenishmentBacktest.run(scenario, policy: Self.computed)
        #expect(noSafetyStock.stockOutDays > 5 * computed.stockOutDays)
        #expect(noSafetyStock.fillRate < computed.fillRate - 0.03)
    }

    @Test func theSameSeedGivesTheSameFiguresAndAnotherSeedOtherLeadTimes() throws {
        let first = try ReplenishmentBacktest.run(Self.scenario(), policy: Self.computed)
        #expect(try ReplenishmentBacktest.run(Self.scenario(), policy: Self.computed) == first)
        let reseeded = try ReplenishmentBacktest.run(Self.scenario(seed: 43), policy: Self.computed)
        #expect(reseeded != first)
    }

    @Test func deliveriesArriveAfterTheLeadTimeAndLostSalesAreCounted() throws {
        // 10 a day, 25 in stock, reorder below 20 for 30, arriving 3 days later.
        let scenario = ReplenishmentBacktest.Scenario(demand: Array(repeating: 10, count: 6), firstDate: StockFixtures.day0,
                                                      warmUpDays: 0, startingStock: 25, leadTimeDays: 3)
        let result = try ReplenishmentBacktest.run(scenario, policy: .fixed(reorderPoint: 20, orderQuantity: 30))
        // Day 0: 15 left, order (due day 3). Day 1: 5. Day 2: 5 of 10 served. Day 3: +30, 20 left, order.
        // Day 4: 10. Day 5: 0.
        #expect(result.stockOutDays == 1)
        #expect(result.stockOutDates == [StockFixtures.day0.addingTimeInterval(2 * 86_400)])
        #expect(result.unitsServed == 55)
        #expect(result.fillRate == 55.0 / 60.0)
        #expect(result.ordersPlaced == 2)
        #expect(result.averageOnHand == Double(15 + 5 + 0 + 20 + 10 + 0) / 6)
    }

    @Test func aScenarioWithNothingToReplayIsRefusedByField() {
        let empty = ReplenishmentBacktest.Scenario(demand: [5, 5], firstDate: StockFixtures.day0, warmUpDays: 2,
                                                   startingStock: -1, leadTimeDays: 0)
        #expect {
            _ = try ReplenishmentBacktest.run(empty, policy: Self.computed)
        } throws: { error in
            (error as? ValidationFailure)?.issues.map(\.field) == ["warm_up_days", "starting_stock", "lead_time_days"]
        }
    }

    @Test func pooledLeadTimesStartAtTheSupplierPromiseAndFollowReceipts() {
        let scenario = Self.scenario()
        let (promised, promisedSpread) = ReplenishmentBacktest.leadTimeEstimate(observed: [], scenario: scenario)
        #expect(promised == 7)
        #expect(abs(promisedSpread - 2.0.squareRoot()) < 1e-12)
        // Two lucky on-time trucks do not shrink the spread to zero.
        #expect(ReplenishmentBacktest.leadTimeEstimate(observed: [7, 7], scenario: scenario).1 > 1)
        let (late, _) = ReplenishmentBacktest.leadTimeEstimate(observed: Array(repeating: 12, count: 36), scenario: scenario)
        #expect(abs(late - 11.5) < 1e-9)
    }
}
