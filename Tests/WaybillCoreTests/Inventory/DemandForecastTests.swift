import Foundation
import Testing
@testable import WaybillCore

@Suite("Demand forecast (F1)")
struct DemandForecastTests {
    @Test func theForecastRecoversAWeeklyPatternAndTrend() throws {
        let history = StockFixtures.days(DemandFixtures.trendingWeekly())
        let forecast = DemandForecast.fit(history)
        #expect(forecast.method == .holtWintersDamped)
        let next = forecast.next(14)
        let truth = (112..<126).map(DemandFixtures.trueMean)
        let meanAbsoluteError = zip(next, truth).map { abs($0 - $1) }.reduce(0, +) / 14
        #expect(meanAbsoluteError < 1.5, "MAE \(meanAbsoluteError)")
        // The weekday swing (busiest − quietest = 11) survives in the forecast.
        let swing = (next[5] - next[0] + next[12] - next[7]) / 2
        #expect(abs(swing - 11) < 2, "swing \(swing)")
        // σ of one-step errors should be near the noise's 1.5 (plus rounding), not the weekday spread.
        #expect((1.2...2.2).contains(forecast.residualStdDev), "σ \(forecast.residualStdDev)")
        #expect(forecast.firstForecastDate == StockFixtures.day0.addingTimeInterval(112 * 86_400))
    }

    /// The grid search stops a candidate once its error passes the best so far; it must pick exactly what
    /// running every candidate to the end picks (same parameters, same state), on smooth, intermittent and
    /// censored histories.
    @Test func givingUpOnLosingCandidatesPicksTheSameWinner() {
        var random = SplitMix64Generator(seed: 2027)
        for trial in 0..<150 {
            let days = 28 + Int(random.nextUnit() * 100)
            let rate = [0.05, 0.3, 2, 12, 60][trial % 5]
            let quantities = (0..<days).map { day -> Int64 in
                let weekday = 1 + 0.4 * sin(Double(day % 7))
                return Int64((rate * weekday * (0.5 + random.nextUnit())).rounded(.down))
            }
            let out = Set((0..<days).filter { _ in random.nextUnit() < 0.1 })
            let history = StockFixtures.days(quantities, stockedOut: out)
            let series = DemandSeries(history, maximumDays: 371).values
            guard series.compactMap({ $0 }).count >= 2 * HoltWinters.period else { continue }
            let initial = HoltWinters.initialState(series)
            let scoreFrom = series[(2 * HoltWinters.period)...].contains { $0 != nil } ? 2 * HoltWinters.period : 0
            let prepared = HoltWinters.Prepared(series)
            var best: (HoltWintersParameters, HoltWinters.Run)?
            for candidate in HoltWintersGrid.standard.all {
                let run = HoltWinters.run(prepared, candidate, from: initial, scoreFrom: scoreFrom)
                if best == nil || run.squaredError < (best?.1.squaredError ?? .infinity) { best = (candidate, run) }
            }
            let fitted = DemandForecast.fit(history)
            #expect(fitted.parameters == best?.0, "trial \(trial)")
            #expect(fitted.state.level == best?.1.state.level && fitted.state.seasonal == best?.1.state.seasonal, "trial \(trial)")
        }
    }

    @Test func stockedOutDaysAreImputedNotCountedAsZeroDemand() throws {
        let demand = DemandFixtures.trendingWeekly()
        var random = SplitMix64Generator(seed: 99)
        // About a fifth of days sold out, plus a five-day gap waiting for a delivery.
        let out = Set((0..<demand.count).filter { random.nextUnit() < 0.2 || (60..<65).contains($0) })
        var censored = demand
        for day in out { censored[day] = demand[day] / 4 }

        let clean = DemandForecast.fit(StockFixtures.days(demand)).meanDailyDemand(over: 14)
        let flagged = DemandForecast.fit(StockFixtures.days(censored, stockedOut: out))
        let naive = DemandForecast.fit(StockFixtures.days(censored)).meanDailyDemand(over: 14)
        let naiveAverage = Double(censored.reduce(0, +)) / Double(censored.count)

        #expect(flagged.imputedDays == out.count)
        let recovered = flagged.meanDailyDemand(over: 14)
        #expect(abs(recovered - clean) / clean < 0.05, "flagged \(recovered) vs \(clean)")
        #expect(naive < clean * 0.9, "naive \(naive) vs \(clean)")
        #expect(naiveAverage < clean * 0.85, "average \(naiveAverage) vs \(clean)")
    }

    @Test func missingDatesCountAsUnknownDays() {
        var history = StockFixtures.days(DemandFixtures.trendingWeekly(days: 42))
        history.remove(at: 20)
        history.remove(at: 10)
        #expect(DemandForecast.fit(history).imputedDays == 2)
    }

    @Test func shortHistoriesFallBackToSimplerModels() {
        let tenDays = DemandForecast.fit(StockFixtures.days([5, 7, 6, 8, 5, 6, 7, 9, 6, 7]))
        #expect(tenDays.method == .simpleExponential)
        #expect((5.5...7.5).contains(tenDays.meanDailyDemand()))
        #expect(tenDays.residualStdDev > 0)
        // 20 days but only 10 known: still too few to tell a weekday pattern from noise.
        let mostlyOut = DemandForecast.fit(StockFixtures.days(Array(repeating: 6, count: 20), stockedOut: Set(0..<10)))
        #expect(mostlyOut.method == .simpleExponential)
        #expect(mostlyOut.meanDailyDemand() == 6)

        let twoDays = DemandForecast.fit(StockFixtures.days([4, 8]))
        #expect(twoDays.method == .mean)
        #expect(twoDays.next(3) == [6, 6, 6])
        let nothing = DemandForecast.fit([])
        #expect(nothing.next(2) == [0, 0])
        #expect(nothing.firstForecastDate == nil)
    }

    @Test func theForecastIsNeverNegative() {
        // Four weeks of steady decline to zero: the trend points below zero, the forecast must not.
        let declining = StockFixtures.days((0..<28).map { Int64(max(0, 40 - 2 * $0)) })
        let next = DemandForecast.fit(declining).next(28)
        #expect(next.allSatisfy { $0 >= 0 })
        #expect(next.contains(0))
    }

    @Test func theSameHistoryAlwaysGivesTheSameForecast() {
        let history = StockFixtures.days(DemandFixtures.trendingWeekly())
        #expect(DemandForecast.fit(history) == DemandForecast.fit(history.reversed()))
    }
}
