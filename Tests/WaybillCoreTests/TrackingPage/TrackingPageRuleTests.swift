import Foundation
import Testing
@testable import WaybillCore

@Suite("The tracking page's rules: headline, progress, limits, contrast")
struct TrackingPageRuleTests {
    let today = LocalDay(year: 2026, month: 11, day: 26)!
    var promised: (earliest: LocalDay, latest: LocalDay) { (today.adding(days: 1), today.adding(days: 2)) }

    func headline(_ parcels: [TrackingSituation.Parcel], expected: LocalDay?, atRisk: Bool = false, unshipped: Bool = false,
                  cancelled: Bool = false, language: String = "en") -> TrackingHeadline {
        TrackingHeadline.make(TrackingSituation(cancelled: cancelled, unshipped: unshipped, parcels: parcels, promised: promised,
                                                expected: expected, atRisk: atRisk, today: today), language: language)
    }

    @Test func theHeadlineSaysWhenInPlainWords() {
        #expect(headline([.init(step: .inTransit)], expected: today.adding(days: 1)).text == "Arriving tomorrow")
        #expect(headline([.init(step: .inTransit)], expected: today.adding(days: 2)).text == "Arriving Sat, Nov 28")
        #expect(headline([.init(step: .inTransit)], expected: today.adding(days: 2), language: "ko").text == "11월 28일(토) 도착 예정")
        #expect(headline([], expected: today.adding(days: 2), unshipped: true).text == "Preparing your order — arriving Sat, Nov 28")
        #expect(headline([.init(step: .outForDelivery)], expected: today).text == "Out for delivery — arriving today")
        #expect(headline([.init(step: .delivered, deliveredOn: today.adding(days: -1))], expected: nil).text == "Delivered yesterday")
        #expect(headline([.init(step: .delivered, deliveredOn: today.adding(days: -1))], expected: nil).tone == .good)
        #expect(headline([.init(step: .inTransit)], expected: today, cancelled: true).text == "This order has been cancelled")
    }

    @Test func aDelayApologisesWithTheNewDateAndAProblemKeepsIt() {
        let late = headline([.init(step: .inTransit)], expected: today.adding(days: 4), atRisk: true)
        #expect(late.text == "Delayed — now expected Mon, Nov 30; we're sorry")
        #expect(late.tone == .bad)
        // An exception does not erase the date (AfterShip's does).
        let problem = headline([.init(step: .inTransit, problem: .exception)], expected: today.adding(days: 4))
        #expect(problem.text.contains("now expected Mon, Nov 30"))
        #expect(headline([.init(step: .outForDelivery, problem: .failedAttempt)], expected: today, language: "ko").text.contains("배송 시도가 실패"))
        // A parcel still delivered on one side does not hide the other's problem.
        #expect(headline([.init(step: .delivered, deliveredOn: today), .init(step: .inTransit, problem: .stalled)], expected: today).tone == .bad)
    }

    @Test func progressFollowsTheWarehouseAndTheCarrier() {
        #expect(TrackingProgress.step(state: "packed", status: .pending) == .packed)
        #expect(TrackingProgress.step(state: "handed_over", status: .infoReceived) == .shipped)
        #expect(TrackingProgress.step(state: "handed_over", status: .failedAttempt) == .outForDelivery)
        #expect(TrackingProgress.problem(status: .inTransit, substatus: .returningToSender) == .returning)
        #expect(TrackingProgress.problem(status: .inTransit, substatus: nil) == nil)
    }

    @Test func freshnessReadsAtAGlance() {
        #expect(RelativeTime.ago(2 * 3_600 + 100, language: "en") == "2 h ago")
        #expect(RelativeTime.ago(90, language: "ko") == "1분 전")
        #expect(RelativeTime.within(3_000, language: "en") == "within 50 min")
        #expect(RelativeTime.within(3_601, language: "ko") == "2시간 이내")
    }

    @Test func theLimiterLetsABurstThroughThenOneAtARate() {
        var limiter = AttemptLimiter(capacity: 3, refillSeconds: 10, maxKeys: 4)
        let t0 = Date(timeIntervalSince1970: 1_000)
        for _ in 0..<3 { #expect(limiter.attempt("a", at: t0) == nil) }
        #expect(limiter.attempt("a", at: t0) == 10)
        #expect(limiter.attempt("b", at: t0) == nil)
        #expect(limiter.attempt("a", at: t0.addingTimeInterval(10)) == nil)
        #expect(limiter.wait("a", at: t0.addingTimeInterval(10)) != nil)
        // Memory stays bounded: refilled buckets are forgotten first.
        for i in 0..<10 { _ = limiter.attempt("k\(i)", at: t0.addingTimeInterval(100 + Double(i) * 100)) }
        #expect(limiter.keyCount <= 4)
    }

    @Test func brandColoursKeepTextReadable() {
        let yellow = BrandColors.accessibleOnWhite("#ffd400")
        #expect(BrandColors.contrast(BrandColors.parse(yellow)!, (255, 255, 255)) >= 4.5)
        #expect(BrandColors.accessibleOnWhite("#1f4b99") == "#1f4b99")
        #expect(BrandColors.textOn("#ffd400") == "#000000")
        #expect(BrandColors.textOn("#1f4b99") == "#ffffff")
        #expect(BrandColors.parse("red") == nil)
        #expect(BrandColors.parse("#abc")! == (0xaa, 0xbb, 0xcc))
    }
}
