import Foundation
import Testing
@testable import WaybillCore

/// Re-predictions for the standard Tuesday promise: ordered 2025-02-04 10:00, handed over (expected)
/// Wednesday the 5th, promised by Monday the 10th; transit 1/2/3 delivery days with 60/30/10%.
@Suite("Re-prediction")
struct RepredictionTests {
    typealias F = PromiseFixtures
    let engine = PromiseEngine(model: F.standardModel)
    var promise: DeliveryPromise { engine.quote(F.request("2025-02-04 10:00")) }

    func predict(_ status: TrackingStatus, _ substatus: TrackingSubstatus? = nil, handedOver: String? = "2025-02-05",
                 lastEvent: String? = nil, today: String, promise: DeliveryPromise? = nil,
                 engine: PromiseEngine? = nil, warehouse: WarehouseSchedule = F.warehouse(),
                 peakWindows: [PeakWindow] = []) -> DeliveryPrediction {
        let progress = ParcelProgress(status: status, substatus: substatus, handedOver: handedOver.map(F.day),
                                      lastEvent: lastEvent.map(F.day), today: F.day(today))
        return (engine ?? self.engine).predict((promise ?? self.promise).promised, progress: progress, warehouse: warehouse,
                                               delivery: F.kr, peakWindows: peakWindows)
    }

    @Test func thePromiseIsTheOneTheseTestsAssume() {
        #expect(promise.latest == F.day("2025-02-10") && promise.handlingStarts == F.day("2025-02-04"))
    }

    @Test(arguments: [TrackingStatus.delivered, .availableForPickup])
    func deliveredOnTimeIsCertain(status: TrackingStatus) {
        let p = predict(status, lastEvent: "2025-02-07", today: "2025-02-08")
        #expect(p == DeliveryPrediction(expected: F.day("2025-02-07"), latest: F.day("2025-02-07"), probabilityOnTime: 1,
                                        atRisk: false, confidenceLowered: false, status: status))
        let late = predict(status, lastEvent: "2025-02-11", today: "2025-02-11")
        #expect(late.probabilityOnTime == 0 && !late.atRisk && late.expected == F.day("2025-02-11"))
    }

    @Test func outForDeliveryTodayIsExpectedToday() {
        let p = predict(.outForDelivery, lastEvent: "2025-02-06", today: "2025-02-06")
        #expect(p.expected == F.day("2025-02-06"))
        #expect(p.latest == F.day("2025-02-07"))   // 92% today, 6% the next delivery day: 98% ≥ 95%
        #expect(abs(p.probabilityOnTime - 1) < 1e-9)
        #expect(!p.atRisk && !p.confidenceLowered)
    }

    @Test func aFailedAttemptMovesTheDateAndLowersConfidence() {
        let p = predict(.failedAttempt, lastEvent: "2025-02-06", today: "2025-02-06")
        #expect(p.expected == F.day("2025-02-07"))
        #expect(p.latest == F.day("2025-02-12"))   // 60 / 85 / 93 / 97% on the 7th, 10th, 11th, 12th
        #expect(abs(p.probabilityOnTime - 0.85) < 1e-9)
        #expect(p.confidenceLowered && !p.atRisk)
        // Yesterday's out-for-delivery scan with nothing since is a missed run, too.
        let stale = predict(.outForDelivery, lastEvent: "2025-02-06", today: "2025-02-07")
        #expect(stale.expected == F.day("2025-02-10") && stale.confidenceLowered)
    }

    @Test(arguments: [TrackingSubstatus.lost, .returnedToSender, .disposed, .cancelled])
    func aTerminalExceptionWillNotArrive(substatus: TrackingSubstatus) {
        let p = predict(.exception, substatus, today: "2025-02-06")
        #expect(p.expected == nil && p.latest == nil)
        #expect(p.probabilityOnTime == 0 && p.confidenceLowered && p.atRisk)
        #expect(!predict(.exception, substatus, today: "2025-02-11").atRisk)   // the promised day has passed
    }

    @Test func inTransitCutsOffTheDaysAlreadyBehindIt() {
        // One delivery day in: 1, 2 or 3 days in all means today, tomorrow or Monday.
        let p = predict(.inTransit, today: "2025-02-06")
        #expect(p.expected == F.day("2025-02-06"))
        #expect(p.latest == F.day("2025-02-10"))
        #expect(abs(p.probabilityOnTime - 1) < 1e-9)
        #expect(!p.atRisk && !p.confidenceLowered)
        // Two days in: 2 or 3 days in all, 3:1.
        let friday = predict(.inTransit, today: "2025-02-07")
        #expect(friday.expected == F.day("2025-02-07") && friday.latest == F.day("2025-02-10"))
        // Stalled: same dates, lowered confidence.
        let stalled = predict(.stalled, today: "2025-02-06")
        #expect(stalled.expected == p.expected && stalled.confidenceLowered)
    }

    @Test func aNonTerminalExceptionIsLaterThanTheSameParcelInTransit() {
        let transit = predict(.inTransit, today: "2025-02-06")
        let customs = predict(.exception, .customs, today: "2025-02-06")
        // 60% of the remaining trip shifts 2 delivery days, 40% shifts 6: median 3 days after today.
        #expect(customs.expected == F.day("2025-02-11"))
        #expect(customs.expected! > transit.expected!)
        #expect(abs(customs.probabilityOnTime - 0.36) < 1e-9)
        #expect(customs.confidenceLowered && customs.atRisk)
    }

    @Test func aParcelStillInTheWarehouseGetsTheWholeTrip() {
        let p = predict(.infoReceived, handedOver: nil, today: "2025-02-04")
        #expect(p.expected == promise.mostLikely && p.latest == promise.latest)
        #expect(abs(p.probabilityOnTime - 1) < 1e-9)
        // Still not handed over on Thursday though handling is always 1 day: beyond history, so the
        // hand-over is today (0.3), Friday (0.21), Monday (0.147)…; by Monday the 10th:
        // 0.3 × (0.6 + 0.3) + 0.21 × 0.6 = 0.396; by Tuesday 0.396 + 0.3 × 0.1 + 0.21 × 0.3 + 0.147 × 0.6 = 0.577.
        let late = predict(.infoReceived, handedOver: nil, today: "2025-02-06")
        #expect(late.expected == F.day("2025-02-11"))
        #expect(abs(late.probabilityOnTime - 0.396) < 1e-9)
        #expect(late.atRisk && !late.confidenceLowered)
    }

    /// History: 90% of trips take 1 day, 10% take 10. A warehouse configured for 3 handling days makes the
    /// promise (at 85%) Friday 2025-02-07 for a Monday order; the parcel is handed over the same Monday.
    struct LongTail {
        static let model = TransitModel.fit(
            F.records(180, transit: 1, delivered: "2025-01-20") + F.records(20, transit: 10, delivered: "2025-01-20"),
            on: F.day("2025-01-20"))
        static let engine = PromiseEngine(model: model)
        static let warehouse = F.warehouse(handlingDays: 3)
        static let promise = engine.quote(F.request("2025-02-03 10:00", warehouse: warehouse, target: 0.85))
    }

    @Test func aParcelLongerInTransitThanUsualIsAtRiskUntilThePromisedDayPasses() {
        #expect(LongTail.promise.latest == F.day("2025-02-07"))
        // Two delivery days in: only the 10-day trips are left, which arrive on the 17th.
        let wednesday = predict(.inTransit, handedOver: "2025-02-03", today: "2025-02-05", promise: LongTail.promise,
                                engine: LongTail.engine, warehouse: LongTail.warehouse)
        #expect(wednesday.expected == F.day("2025-02-17"))
        #expect(wednesday.probabilityOnTime < 1e-9)
        #expect(wednesday.atRisk && !wednesday.confidenceLowered)
        // The promised day has passed: still late, no longer "at risk" (it is late).
        let monday = predict(.inTransit, handedOver: "2025-02-03", today: "2025-02-10", promise: LongTail.promise,
                             engine: LongTail.engine, warehouse: LongTail.warehouse)
        #expect(monday.expected == F.day("2025-02-17") && monday.probabilityOnTime < 1e-9 && !monday.atRisk)
        // On its first transit day it is not at risk yet: 90% arrive the next day.
        let first = predict(.inTransit, handedOver: "2025-02-03", today: "2025-02-03", promise: LongTail.promise,
                            engine: LongTail.engine, warehouse: LongTail.warehouse)
        #expect(first.expected == F.day("2025-02-04") && !first.atRisk)
    }

    @Test func beyondAllHistoryEachDayHasA30PercentChance() {
        // 15 delivery days after a 10-day maximum: 30% today, 21% tomorrow (51%: the median), …; the 85%
        // day is the sixth delivery day, 1 − 0.7⁶ = 88%: Tuesday 4 March, as Monday the 3rd is 삼일절's substitute.
        let p = predict(.inTransit, handedOver: "2025-02-03", today: "2025-02-24", promise: LongTail.promise,
                        engine: LongTail.engine, warehouse: LongTail.warehouse)
        #expect(p.expected == F.day("2025-02-25"))
        #expect(p.latest == F.day("2025-03-04"))
        #expect(p.probabilityOnTime == 0 && !p.atRisk)
    }

    @Test func aPeakWindowShiftsTheRepredictionLikeThePromise() {
        let sale = PeakWindow(name: "세일", first: F.day("2025-02-01"), last: F.day("2025-02-10"), extraDays: 2)
        let promise = engine.quote(F.request("2025-02-04 10:00", peakWindows: [sale]))
        let p = predict(.infoReceived, handedOver: nil, today: "2025-02-04", promise: promise, peakWindows: [sale])
        #expect(p.expected == promise.mostLikely && p.latest == promise.latest)
        // A window with no days of its own and nothing learned: the quote adds one day; so should this.
        let unknown = PeakWindow(name: "세일", first: F.day("2025-02-01"), last: F.day("2025-02-10"))
        let guessed = engine.quote(F.request("2025-02-04 10:00", peakWindows: [unknown]))
        let q = predict(.infoReceived, handedOver: nil, today: "2025-02-04", promise: guessed, peakWindows: [unknown])
        #expect(q.expected == guessed.mostLikely)
    }

    /// A 2-day lane handed over Thursday 2025-02-06 arrives Monday the 10th. On Friday that is what is
    /// predicted; nothing happens over the weekend, so Saturday and Sunday should say the same.
    @Test func aWeekendDoesNotMoveTheExpectedDay() {
        let model = TransitModel.fit(F.records(50, transit: 2, delivered: "2025-01-20"), on: F.day("2025-01-20"))
        let engine = PromiseEngine(model: model)
        let friday = predict(.inTransit, handedOver: "2025-02-06", today: "2025-02-07", engine: engine)
        #expect(friday.expected == F.day("2025-02-10"))
        #expect(predict(.inTransit, handedOver: "2025-02-06", today: "2025-02-08", engine: engine).expected == F.day("2025-02-10"))
        #expect(predict(.inTransit, handedOver: "2025-02-06", today: "2025-02-09", engine: engine).expected == F.day("2025-02-10"))
        // 설날: handed over Thursday 23 January, two delivery days is Friday 31 January.
        #expect(predict(.inTransit, handedOver: "2025-01-23", today: "2025-01-28", engine: engine).expected == F.day("2025-01-31"))
        // Still in the warehouse on the Saturday after a Friday handling start (1 day): hand-over Monday,
        // delivery Wednesday the 12th.
        let fridayPromise = engine.quote(F.request("2025-02-07 10:00"))
        #expect(fridayPromise.mostLikely == F.day("2025-02-12"))
        #expect(predict(.infoReceived, handedOver: nil, today: "2025-02-08", promise: fridayPromise, engine: engine).expected
                == F.day("2025-02-12"))
    }
}
