import Foundation
import Testing
@testable import WaybillCore

@Suite("Promise back-test")
struct PromiseEvaluationTests {
    typealias F = PromiseFixtures

    struct Synthetic {
        var orders: [PromiseEvaluation.Order] = []
        var deliveredFromSplit = 0
        var undeliveredFromSplit = 0
        var undeliveredBeforeSplit = 0
        var deliveredBySplitEve = 0
    }

    /// Two orders a day from 2024-10-01 to 2025-03-31 between 08:00 and 20:59 KST on one lane, from a
    /// stationary process: handling 1 pick-up day (80%) or 2; transit 1 (60%), 2 (30%), 3 (8%) or 5
    /// delivery days; 1 in 25 never delivered. Their own estimate is the order day + 4.
    static func synthetic(split: LocalDay, seed: UInt64 = 42, transitAfterSplit: Int? = nil) -> Synthetic {
        var random = SplitMix64Generator(seed: seed)
        var result = Synthetic()
        let warehouse = F.warehouse()
        for ordinal in F.day("2024-10-01").ordinal...F.day("2025-03-31").ordinal {
            let day = LocalDay(ordinal: ordinal)
            for n in 0..<2 {
                let minute = random.nextInt(in: (8 * 60)...(21 * 60 - 1))
                let time = String(format: "%02d:%02d", minute / 60, minute % 60)
                let orderedAt = F.kst("\(day.iso) \(time)")
                let start = warehouse.handlingStart(for: orderedAt).day
                let handedOver = warehouse.pickup.adding(random.nextUnit() < 0.8 ? 1 : 2, after: start)
                let u = random.nextUnit()
                var transit = u < 0.6 ? 1 : u < 0.9 ? 2 : u < 0.98 ? 3 : 5
                if let fixed = transitAfterSplit { transit = day >= split ? fixed : 1 }
                let lost = random.nextUnit() < 0.04
                let delivered = lost ? nil : F.kr.adding(transit, after: handedOver)
                result.orders.append(PromiseEvaluation.Order(
                    id: "\(day.iso)-\(n)", orderedAt: orderedAt, warehouse: warehouse, lane: F.lane,
                    handedOver: handedOver, delivered: delivered, theirEstimate: day.adding(days: 4)))
                switch (day >= split, delivered) {
                case (true, .some): result.deliveredFromSplit += 1
                case (true, .none): result.undeliveredFromSplit += 1
                case (false, .none): result.undeliveredBeforeSplit += 1
                case (false, .some(let d)): if d < split { result.deliveredBySplitEve += 1 }
                }
            }
        }
        return result
    }

    static let split = F.day("2025-01-01")
    static let data = synthetic(split: split)
    static let report = PromiseEvaluation().run(data.orders.reversed(), promiseFrom: split) { _ in F.kr }

    /// The hindsight bound by lane is below (or at) the best one-date-per-lane choice, found here by trying
    /// every choice, and tight on a small case worked by hand.
    @Test func theLaneBoundNeverExceedsTheBestChoiceMadeInHindsight() {
        // Four parcels of one lane in 1 day, one of another in 10; 80% on time: promise 1 and 0 days.
        #expect(abs((PromiseEvaluation.laneBound([[1, 1, 1, 1], [10]], share: 0.8) ?? -1) - 0.8) < 1e-6)
        #expect(PromiseEvaluation.laneBound([], share: 0.9) == nil)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let groups = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                (0..<Int.random(in: 1...4, using: &generator)).map { _ in Int.random(in: 0...6, using: &generator) }
            }
            let share = [0.5, 0.75, 0.9, 1.0].randomElement(using: &generator)!
            let total = groups.reduce(0) { $0 + $1.count }
            let needed = Int((share * Double(total) - 1e-9).rounded(.up))
            // Every choice of a date 0…6 per group.
            var best = Double.infinity
            func search(_ index: Int, days: Int, onTime: Int) {
                guard index < groups.count else {
                    if onTime >= needed { best = min(best, Double(days) / Double(total)) }
                    return
                }
                for date in 0...6 {
                    search(index + 1, days: days + date * groups[index].count, onTime: onTime + groups[index].filter { $0 <= date }.count)
                }
            }
            search(0, days: 0, onTime: 0)
            let bound = PromiseEvaluation.laneBound(groups, share: share) ?? -1
            #expect(bound >= 0)
            #expect(bound <= best + 1e-6, "\(groups) at \(share): bound \(bound) above the best choice \(best)")
        }
    }

    @Test func onlyOrdersFromTheSplitAreScored() {
        let report = Self.report
        #expect(Self.data.orders.count == 364)
        #expect(report.evaluatedOrders == Self.data.deliveredFromSplit)
        #expect(report.notDelivered == Self.data.undeliveredFromSplit)
        #expect(Self.data.undeliveredBeforeSplit > 0 && Self.data.undeliveredFromSplit > 0)
        #expect(report.ours.orders == report.evaluatedOrders)
        #expect(report.theirs.orders == report.evaluatedOrders)
        #expect(report.byMonth.keys.sorted() == ["2025-01", "2025-02", "2025-03"])
        #expect(report.byMonth.values.map(\.ours.orders).reduce(0, +) == report.evaluatedOrders)
        #expect(report.trainedBefore == Self.split && report.target == 0.95)
    }

    @Test func modelsAreRefittedWeeklyAndNeverSeeTheFuture() throws {
        let report = Self.report
        // 90 days from the first scored order: a fit on each of days 0, 7, …, 84.
        #expect(report.fits == 13)
        let last = try #require(report.lastFit)
        #expect(last.deliveredAfterFitDay == 0)
        #expect(last.used > Self.data.deliveredBySplitEve)
        // The first fit (on 31 December) saw exactly the deliveries made by then.
        let firstOnly = PromiseEvaluation.with(refitEveryDays: 10_000)
            .run(Self.data.orders, promiseFrom: Self.split) { _ in F.kr }
        #expect(firstOnly.fits == 1)
        #expect(firstOnly.lastFit?.used == Self.data.deliveredBySplitEve)
        #expect(firstOnly.lastFit?.records == Self.data.deliveredBySplitEve)
    }

    @Test func calibrationIsMonotoneInLevel() throws {
        let calibration = Self.report.calibration
        #expect(calibration.keys.sorted() == [0.5, 0.8, 0.9, 0.95, 0.96, 0.97, 0.98])
        let figures = calibration.sorted { $0.key < $1.key }.map(\.value)
        for (lower, higher) in zip(figures, figures.dropFirst()) {
            #expect(lower.onTimeRate <= higher.onTimeRate)
            #expect(lower.meanDays <= higher.meanDays)
            #expect(lower.orders == Self.report.evaluatedOrders)
        }
        #expect(calibration[0.95] == Self.report.ours)
    }

    @Test func onStationaryDataThePromiseKeepsItsLevel() throws {
        let ours = Self.report.ours
        #expect(ours.onTimeRate >= 0.85, "on time \(ours.onTimeRate)")
        #expect(ours.onTimeRate <= 1)
        // 1–2 handling days and 1–5 transit days, and weekends: a 95% date within 2–10 days.
        #expect(ours.meanDays >= 2 && ours.meanDays <= 10)
        #expect(try #require(Self.report.calibration[0.5]).onTimeRate >= 0.4)
        #expect(Self.report.markdown.contains("| Waybill at 95.0% |"))
    }

    @Test func aModelFromThePastCannotKnowTransitGotSlower() {
        // Every trip took 1 day until the split and 5 days from it: with one fit on the day before the
        // split, no promise can be kept; with the future leaking in, most would be.
        let data = Self.synthetic(split: Self.split, seed: 7, transitAfterSplit: 5)
        let report = PromiseEvaluation.with(refitEveryDays: 10_000).run(data.orders, promiseFrom: Self.split) { _ in F.kr }
        #expect(report.evaluatedOrders == data.deliveredFromSplit)
        #expect(report.ours.onTime == 0)
    }

    /// A history with a delivery recorded before its hand-over and one 400 days long: both are left out of
    /// every fit, said so in the report, and never crash a promise or put it in the past.
    @Test func impossibleHistoryIsLeftOutAndCounted() {
        var orders = Self.data.orders
        let warehouse = F.warehouse()
        orders.append(PromiseEvaluation.Order(id: "backwards", orderedAt: F.kst("2024-11-04 10:00"), warehouse: warehouse, lane: F.lane,
                                              handedOver: F.day("2024-11-08"), delivered: F.day("2024-11-06"), theirEstimate: nil))
        orders.append(PromiseEvaluation.Order(id: "ancient", orderedAt: F.kst("2023-10-02 10:00"), warehouse: warehouse, lane: F.lane,
                                              handedOver: F.day("2023-10-03"), delivered: F.day("2024-11-06"), theirEstimate: nil))
        let report = PromiseEvaluation().run(orders, promiseFrom: Self.split) { _ in F.kr }
        #expect(report.lastFit?.deliveredBeforeHandover == 1 && report.lastFit?.absurd == 1)
        #expect(report.markdown.contains("left out 1 delivered before they were handed over and 1 longer than 180 days"))
        #expect(report.evaluatedOrders == Self.report.evaluatedOrders)
        #expect(report.calibration.values.allSatisfy { $0.promisedDays.allSatisfy { $0 >= 0 } })
    }

    /// The hindsight oracle: on one destination, the point of the actual days at their on-time rate.
    @Test func theReportSaysHowLongDeliveriesReallyTook() {
        let report = Self.report
        #expect(report.actualDays.count == report.evaluatedOrders)
        #expect(report.actualDays.allSatisfy { $0 >= 1 })
        #expect(PromiseEvaluation.quantile([5, 1, 3, 2, 4], 0.5) == 3 && PromiseEvaluation.quantile([5, 1, 3, 2, 4], 0.95) == 5)
        #expect(PromiseEvaluation.quantile([5, 1, 3, 2, 4], 0.2) == 1 && PromiseEvaluation.quantile([], 0.5) == 0)
        let expected = Double(PromiseEvaluation.quantile(report.actualDays, report.theirs.onTimeRate))
        #expect(report.hindsightMeanDays == expected)
        #expect(report.markdown.contains("In hindsight, each destination's own"))
    }

    @Test func nothingIsScoredBeforeTheSplit() {
        let report = PromiseEvaluation().run(Self.data.orders, promiseFrom: F.day("2025-04-01")) { _ in F.kr }
        #expect(report.evaluatedOrders == 0 && report.notDelivered == 0 && report.fits == 0)
        #expect(report.calibration.isEmpty && report.byMonth.isEmpty && report.lastFit == nil)
    }
}

extension PromiseEvaluation {
    static func with(refitEveryDays: Int) -> PromiseEvaluation {
        var evaluation = PromiseEvaluation()
        evaluation.refitEveryDays = refitEveryDays
        return evaluation
    }
}
