import Foundation
import Testing
@testable import WaybillCore

@Suite("Reorder policy (F1)")
struct ReorderPolicyTests {
    /// The worked example, by hand:
    ///   d = 20/day, σ_d = 4, LT = 9 days, σ_LT = 0.8 days, 95 % → z = 1.644854
    ///   σ of lead-time demand = √(LT·σ_d² + d²·σ_LT²) = √(9·16 + 400·0.64) = √(144 + 256) = √400 = 20
    ///   SS = 1.644854 × 20 = 32.897;  d·LT = 180;  reorder point = 180 + 32.897 = 212.897
    ///   D = 365 × 20 = 7,300/yr, S = ₩50,000/order, H = ₩2,920/unit/yr
    ///   EOQ = √(2 × 7,300 × 50,000 / 2,920) = √250,000 = 500
    ///   packs of 24: ⌈500 / 24⌉ = 21 packs = 504; with an MOQ of 600: 600 = 25 packs exactly.
    static func example(packSize: Int64 = 1, minimumOrder: Int64 = 0,
                        rule: ReorderInputs.QuantityRule = .economicOrderQuantity) -> ReorderInputs {
        ReorderInputs(meanDailyDemand: 20, demandStdDev: 4, leadTimeDays: 9, leadTimeStdDev: 0.8,
                      serviceLevel: .standard, orderingCost: 50_000, holdingCostPerUnitYear: 2_920,
                      packSize: packSize, minimumOrder: minimumOrder, quantityRule: rule)
    }

    @Test func theWorkedExampleGivesTheHandComputedFigures() throws {
        let plan = try ReorderPolicy.plan(Self.example())
        #expect(abs(plan.safetyStock - 32.897) < 1e-3)
        #expect(plan.leadTimeDemand == 180)
        #expect(abs(plan.reorderPoint - 212.897) < 1e-3)
        #expect(abs(plan.unroundedQuantity - 500) < 1e-9)
        #expect(plan.orderQuantity == 500)
    }

    @Test func theLotIsRoundedUpToPacksAndTheMinimumOrder() throws {
        #expect(try ReorderPolicy.plan(Self.example(packSize: 24)).orderQuantity == 504)
        #expect(try ReorderPolicy.plan(Self.example(packSize: 24, minimumOrder: 600)).orderQuantity == 600)
    }

    @Test(arguments: [
        (500.0, 24, 0, 504), (500.0, 24, 600, 600), (1.0, 12, 0, 12), (0.2, 1, 0, 1),
        (0.0, 12, 100, 0), (25.0, 10, 33, 40), (48.0, 24, 0, 48), (48.001, 24, 0, 72),
    ] as [(Double, Int64, Int64, Int64)])
    func roundingAlwaysGoesUpToWholePacksAndAtLeastTheMOQ(quantity: Double, pack: Int64, moq: Int64, expected: Int64) {
        #expect(ReorderPolicy.roundedOrder(quantity, packSize: pack, minimumOrder: moq) == expected)
    }

    @Test func leadTimeVariabilityRaisesSafetyStockBeyondDemandNoiseAlone() throws {
        var steady = Self.example()
        steady.leadTimeStdDev = 0
        // √(9 × 16) = 12 σ instead of 20.
        #expect(abs(try ReorderPolicy.plan(steady).safetyStock - 1.644854 * 12) < 1e-3)
    }

    @Test func daysOfCoverOrdersThatManyDaysOfDemandInWholePacks() throws {
        // 14 days × 20 = 280 → 12 packs of 24 = 288.
        #expect(try ReorderPolicy.plan(Self.example(packSize: 24, rule: .daysOfCover(days: 14))).orderQuantity == 288)
    }

    @Test func minMaxReordersBelowMinAndOrdersUpToMax() throws {
        let plan = try ReorderPolicy.plan(Self.example(packSize: 24, rule: .minMax(min: 150, max: 400)))
        #expect(plan.reorderPoint == 150)
        #expect(abs(plan.safetyStock - 32.897) < 1e-3)
        #expect(plan.quantityToOrder(position: 150) == 0)
        // 400 − 100 = 300 → 13 packs of 24 = 312.
        #expect(plan.quantityToOrder(position: 100) == 312)
    }

    @Test func aPositionFarBelowTheReorderPointOrdersEnoughToClimbBackAboveIt() throws {
        let plan = try ReorderPolicy.plan(Self.example(packSize: 24))
        #expect(plan.quantityToOrder(position: 213) == 0)
        #expect(plan.quantityToOrder(position: 212) == 504)
        // 212.897 + 300 = 512.9 > EOQ 500 → 513 → 22 packs = 528.
        #expect(plan.quantityToOrder(position: -300) == 528)
    }

    @Test func noDemandMeansNoOrderEvenWithAMinimumOrder() throws {
        var idle = Self.example(minimumOrder: 100)
        idle.meanDailyDemand = 0
        idle.leadTimeStdDev = 0
        idle.demandStdDev = 0
        let plan = try ReorderPolicy.plan(idle)
        #expect(plan.reorderPoint == 0)
        #expect(plan.orderQuantity == 0)
        #expect(plan.quantityToOrder(position: 0) == 0)
    }

    @Test func badInputsAreReportedByFieldAllAtOnce() {
        var inputs = Self.example(packSize: 0)
        inputs.meanDailyDemand = -1
        inputs.holdingCostPerUnitYear = 0
        #expect {
            _ = try ReorderPolicy.plan(inputs)
        } throws: { error in
            (error as? ValidationFailure)?.issues.map(\.field) ==
                ["reorder.mean_daily_demand", "reorder.pack_size", "reorder.holding_cost_per_unit_year"]
        }
        #expect(Self.example(rule: .minMax(min: 50, max: 50)).issues().map(\.code) == ["must_exceed_min"])
        #expect(Self.example(rule: .daysOfCover(days: 0)).issues().map(\.field) == ["reorder.days_of_cover"])
    }

    @Test func theStockoutDateIsTheFirstDayDemandExceedsWhatIsLeft() {
        let today = StockFixtures.day0
        // 25 − 10 − 10 leaves 5 for day 2's 10.
        #expect(ReorderPolicy.projectedStockoutDate(stock: 25, dailyForecast: [10, 10, 10], from: today)
            == today.addingTimeInterval(2 * 86_400))
        #expect(ReorderPolicy.projectedStockoutDate(stock: 30, dailyForecast: [10, 10, 10], from: today) == nil)
        #expect(ReorderPolicy.projectedStockoutDate(stock: 0, dailyForecast: [1], from: today) == today)
    }

    @Test func daysOfCoverIsFractionalAndContinuesPastTheHorizonAtTheMeanRate() {
        #expect(ReorderPolicy.daysOfCover(stock: 25, dailyForecast: [10, 10, 10]) == 2.5)
        #expect(ReorderPolicy.daysOfCover(stock: 50, dailyForecast: [10, 10]) == 5)
        #expect(ReorderPolicy.daysOfCover(stock: 5, dailyForecast: [0, 0, 10]) == 2.5)
        #expect(ReorderPolicy.daysOfCover(stock: 50, dailyForecast: [0, 0]) == nil)
    }
}
