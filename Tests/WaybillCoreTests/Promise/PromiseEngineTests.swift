import Foundation
import Testing
@testable import WaybillCore

/// Quotes on the standard model: handling 1 pick-up day (configured), transit 1/2/3 delivery days
/// with 60/30/10%. An order on Tuesday 2025-02-04 before 14:00 is handed over Wednesday the 5th and
/// arrives Thursday (60%), Friday (30%) or Monday the 10th (10%).
@Suite("Promise engine")
struct PromiseEngineTests {
    typealias F = PromiseFixtures
    let engine = PromiseEngine(model: F.standardModel)

    func codes(_ promise: DeliveryPromise) -> [PromiseReason.Code] { promise.reasons.map(\.code) }

    @Test func aPlainTuesdayOrder() {
        let promise = engine.quote(F.request("2025-02-04 10:00"))
        #expect(promise.handlingStarts == F.day("2025-02-04"))
        #expect(promise.expectedHandover == F.day("2025-02-05"))
        #expect(promise.earliest == F.day("2025-02-06"))
        #expect(promise.mostLikely == F.day("2025-02-06"))
        #expect(promise.latest == F.day("2025-02-10"))
        #expect(abs(promise.confidence - 1) < 1e-9)
        #expect(promise.target == 0.95)
        #expect(promise.basis == .lane && promise.laneDeliveries == 200 && promise.lane == F.lane)
        #expect(promise.reasons.isEmpty)
    }

    @Test(arguments: [(0.5, "2025-02-06"), (0.6, "2025-02-06"), (0.8, "2025-02-07"), (0.9, "2025-02-07"),
                      (0.95, "2025-02-10"), (0.2, "2025-02-06"), (1.0, "2025-02-10")])
    func theTargetPicksTheLatestDay(target: Double, latest: String) {
        let promise = engine.quote(F.request("2025-02-04 10:00", target: target))
        #expect(promise.latest == F.day(latest))
        #expect(promise.target == min(max(target, 0.5), 0.999))
        #expect(promise.confidence >= promise.target - 1e-9)
    }

    @Test func missingTheCutOffStartsTomorrowAndSaysSo() {
        let promise = engine.quote(F.request("2025-02-04 15:00"))
        #expect(promise.handlingStarts == F.day("2025-02-05"))
        #expect(promise.latest == F.day("2025-02-11"))
        #expect(promise.reasons == [PromiseReason(code: .cutoffMissed, day: F.day("2025-02-05"))])
    }

    @Test func aSaturdayOrderWaitsForMondaysPickUp() {
        let promise = engine.quote(F.request("2025-02-08 10:00"))
        #expect(promise.handlingStarts == F.day("2025-02-10"))
        #expect(promise.latest == F.day("2025-02-14"))
        #expect(promise.reasons == [PromiseReason(code: .noPickupToday, day: F.day("2025-02-10"))])
    }

    @Test func anOrderBeforeSeollalNamesTheHolidaysAndWaitsLonger() {
        let before = engine.quote(F.request("2025-01-24 10:00"))   // Friday; 27–30 January are off
        #expect(before.handlingStarts == F.day("2025-01-24"))
        #expect(before.expectedHandover == F.day("2025-01-31"))
        #expect(before.earliest == F.day("2025-02-03"))
        #expect(before.latest == F.day("2025-02-05"))
        let holidays = before.reasons.filter { $0.code == .holiday }
        #expect(holidays.map { $0.day?.iso } == ["2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30"])
        #expect(holidays[2].name == "설날" && holidays[2].nameEnglish == "Korean New Year")
        #expect(before.reasons.count == 4)

        let weekLater = engine.quote(F.request("2025-01-31 10:00"))
        #expect(weekLater.latest == F.day("2025-02-06"))
        #expect(!weekLater.reasons.contains { $0.code == .holiday })
        // 12 days from order to promise across 설날, 6 a week later.
        #expect(F.day("2025-01-24").days(until: before.latest) == 12)
        #expect(F.day("2025-01-31").days(until: weekLater.latest) == 6)
    }

    @Test func anAmericanOrderBeforeThanksgiving() {
        let warehouse = WarehouseSchedule(id: "JFK", region: "NY", timeZone: F.newYork, cutoffMinutes: 16 * 60,
                                          handlingDays: 1, pickup: F.us)
        let lane = LaneKey(carrier: "UPS", service: "ground", destination: "NY", origin: "NY")
        let promise = PromiseEngine(model: F.standardModel, defaultTransitDays: 2).quote(PromiseRequest(
            orderedAt: F.instant("2025-11-26T15:00:00-05:00"), warehouse: warehouse, lane: lane, delivery: F.us))
        // Wednesday 15:00: handling starts that day, hand-over Friday 28th, two days later is Tuesday.
        #expect(promise.basis == .global)   // another carrier: only the global level knows anything
        #expect(promise.handlingStarts == F.day("2025-11-26") && promise.expectedHandover == F.day("2025-11-28"))
        let holiday = promise.reasons.first { $0.code == .holiday }
        #expect(holiday?.day == F.day("2025-11-27") && holiday?.name == "Thanksgiving Day")
    }

    @Test func stockArrivingLaterPushesEveryDate() {
        let waiting = engine.quote(F.request("2025-02-04 10:00", readyOn: "2025-02-08"))  // arrives Saturday
        #expect(waiting.handlingStarts == F.day("2025-02-10"))
        #expect(waiting.expectedHandover == F.day("2025-02-11"))
        #expect(waiting.earliest == F.day("2025-02-12"))
        #expect(waiting.latest == F.day("2025-02-14"))
        #expect(waiting.reasons == [PromiseReason(code: .awaitingStock, day: F.day("2025-02-08"))])
        // Stock that was already due does not move anything.
        let due = engine.quote(F.request("2025-02-04 10:00", readyOn: "2025-02-01"))
        #expect(due.latest == F.day("2025-02-10") && due.reasons.isEmpty)
    }

    @Test func aPeakWindowAddsItsExtraOpenDays() {
        let plain = engine.quote(F.request("2025-02-04 10:00"))
        let sale = PeakWindow(name: "2월 세일", first: F.day("2025-02-01"), last: F.day("2025-02-10"), extraDays: 2)
        let peak = engine.quote(F.request("2025-02-04 10:00", peakWindows: [sale]))
        #expect(peak.latest == F.day("2025-02-12"))
        #expect(F.kr.openDays(after: plain.latest, through: peak.latest) == 2)
        #expect(peak.mostLikely == F.day("2025-02-10"))
        #expect(peak.reasons == [PromiseReason(code: .peak, name: "2월 세일", days: 2)])
        // No days given and none learned: one day.
        let unknown = PeakWindow(name: "세일", first: F.day("2025-02-01"), last: F.day("2025-02-10"))
        #expect(engine.quote(F.request("2025-02-04 10:00", peakWindows: [unknown])).latest == F.day("2025-02-11"))
        // Zero extra days, or a window the handling start is not in: no change, no reason.
        let quiet = PeakWindow(name: "조용", first: F.day("2025-02-01"), last: F.day("2025-02-10"), extraDays: 0)
        let later = PeakWindow(name: "later", first: F.day("2025-02-05"), last: F.day("2025-02-10"), extraDays: 2)
        for window in [quiet, later] {
            let promise = engine.quote(F.request("2025-02-04 10:00", peakWindows: [window]))
            #expect(promise.latest == plain.latest && promise.reasons.isEmpty)
        }
    }

    @Test func aLearnedPeakIsUsedWhenTheShopGaveNoDays() {
        let window = PeakWindow(name: "설날", first: F.day("2025-01-27"), last: F.day("2025-01-31"))
        let model = TransitModel.fit(TransitModelTests.peakHistory(), on: F.day("2024-12-31"), peakWindows: [window])
        let promise = PromiseEngine(model: model).quote(F.request("2025-01-28 10:00", peakWindows: [window]))
        #expect(promise.handlingStarts == F.day("2025-01-31"))
        #expect(promise.reasons.first { $0.code == .peak } == PromiseReason(code: .peak, name: "설날", days: 3))
    }

    @Test func thinAndMissingLanesSaySo() {
        let busan = LaneKey(carrier: "CJ", service: "std", destination: "Seoul", origin: "Busan")
        let daegu = LaneKey(carrier: "CJ", service: "std", destination: "Seoul", origin: "Daegu")
        let model = TransitModel.fit(
            F.records(200, transit: 1, delivered: "2025-01-20") + F.records(3, busan, transit: 3, delivered: "2025-01-20"),
            on: F.day("2025-01-20"))
        let engine = PromiseEngine(model: model)
        let thin = engine.quote(F.request("2025-02-04 10:00", lane: busan))
        #expect(thin.basis == .lane && thin.laneDeliveries == 3)
        #expect(thin.reasons == [PromiseReason(code: .thinData, deliveries: 3)])
        let none = engine.quote(F.request("2025-02-04 10:00", lane: daegu))
        #expect(none.basis == .destination && none.laneDeliveries == 0)
        #expect(none.reasons == [PromiseReason(code: .thinData, deliveries: 0)])
        #expect(!codes(engine.quote(F.request("2025-02-04 10:00"))).contains(.thinData))
    }

    @Test func anEmptyModelUsesTheConfiguredTransitDays() {
        let empty = PromiseEngine(model: TransitModel.fit([DeliveryRecord](), on: F.day("2025-01-20")), defaultTransitDays: 3)
        let promise = empty.quote(F.request("2025-02-04 10:00"))
        #expect(promise.basis == .configured)
        #expect(promise.earliest == F.day("2025-02-10") && promise.mostLikely == F.day("2025-02-10") && promise.latest == F.day("2025-02-10"))
        #expect(promise.confidence == 1)
    }

    @Test func aCountryWithoutHolidaysIsFlagged() {
        let promise = engine.quote(F.request("2025-02-04 10:00", delivery: F.jp))
        #expect(promise.reasons == [PromiseReason(code: .noHolidayCalendar, name: "JP")])
        #expect(promise.latest == F.day("2025-02-10"))
        #expect(!codes(engine.quote(F.request("2025-02-04 10:00", delivery: F.us))).contains(.noHolidayCalendar))
    }

    /// Every 5 hours through 2025, at four targets: the dates are ordered and never before the order.
    @Test func datesAreAlwaysOrdered() {
        let start = F.kst("2024-12-20 00:00")
        for step in 0..<(24 * 380 / 5) {
            let orderedAt = start.addingTimeInterval(Double(step) * 5 * 3_600)
            let orderDay = LocalDay(orderedAt, in: F.seoul)
            for target in [0.5, 0.8, 0.95, 0.99] {
                let request = PromiseRequest(orderedAt: orderedAt, warehouse: F.warehouse(), lane: F.lane,
                                             delivery: F.kr, target: target)
                let p = engine.quote(request)
                let ok = p.earliest <= p.mostLikely && p.mostLikely <= p.latest && p.latest >= orderDay
                    && p.handlingStarts >= orderDay && p.expectedHandover >= p.handlingStarts
                    && F.kr.isOpen(p.handlingStarts) && F.kr.isOpen(p.latest) && p.earliest > p.expectedHandover
                    && p.confidence >= target - 1e-9
                if !ok {
                    Issue.record("order at \(orderedAt), target \(target): \(p)")
                    return
                }
            }
        }
    }

    @Test(arguments: [
        PromiseReason(code: .cutoffMissed, day: LocalDay(iso: "2025-02-05")),
        PromiseReason(code: .noPickupToday, day: LocalDay(iso: "2025-02-10")),
        PromiseReason(code: .awaitingStock, day: LocalDay(iso: "2025-02-08")),
        PromiseReason(code: .holiday, day: LocalDay(iso: "2025-01-29"), name: "설날", nameEnglish: "Korean New Year"),
        PromiseReason(code: .holiday, day: LocalDay(iso: "2025-01-29")),
        PromiseReason(code: .peak, name: "설날", nameEnglish: "Seollal", days: 2),
        PromiseReason(code: .peak, days: 1),
        PromiseReason(code: .thinData, deliveries: 3),
        PromiseReason(code: .noHolidayCalendar, name: "JP"),
        PromiseReason(code: .thinData, deliveries: 0),
    ])
    func reasonTextsExistInBothLanguages(reason: PromiseReason) {
        let ko = reason.text(locale: "ko-KR")
        let en = reason.text(locale: "en")
        #expect(!ko.isEmpty && !en.isEmpty)
        #expect(ko != en)
        #expect(ko.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) }, "\(ko) has Hangul")
        #expect(!en.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) }
                || reason.nameEnglish == nil && reason.name != nil, "\(en)")
        if let day = reason.day {
            #expect(ko.contains(day.iso) && en.contains(day.iso))
        }
        #expect(reason.text(locale: "ko") == ko)
    }

    @Test func reasonTextsUseNamesAndCounts() {
        let seollal = PromiseReason(code: .holiday, day: F.day("2025-01-29"), name: "설날", nameEnglish: "Korean New Year")
        #expect(seollal.text(locale: "ko").contains("설날"))
        #expect(seollal.text(locale: "en") == "No deliveries on 2025-01-29 (Korean New Year)")
        #expect(PromiseReason(code: .peak, days: 2).text(locale: "en").hasSuffix("2 more days"))
        #expect(PromiseReason(code: .peak, days: 1).text(locale: "en").hasSuffix("1 more day"))
        #expect(PromiseReason(code: .thinData, deliveries: 3).text(locale: "ko").contains("3건"))
        #expect(PromiseReason(code: .noHolidayCalendar, name: "JP").text(locale: "en").contains("JP"))
    }

    @Test func aPromiseIsCodable() throws {
        let promise = engine.quote(F.request("2025-01-24 16:00"))
        let decoded = try JSONDecoder().decode(DeliveryPromise.self, from: JSONEncoder().encode(promise))
        #expect(decoded == promise)
        #expect(try JSONEncoder().encode(PromiseReason.Code.cutoffMissed) == Data(#""cutoff_missed""#.utf8))
    }
}
