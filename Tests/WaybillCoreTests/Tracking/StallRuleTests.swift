import Foundation
import Testing
@testable import WaybillCore

@Suite struct StallRuleTests {
    typealias T = TrackingTime

    private let friday = T.kst("2024-03-08 15:00").date

    @Test func silenceOverTheWeekendCountsOnlyBusinessDays() {
        let rule = StallRule(businessDays: 2, timeZone: T.seoul)
        #expect(rule.stalledAt(lastScan: friday) == T.kst("2024-03-13 00:00").date)
        #expect(!rule.isStalled(lastScan: friday, now: T.kst("2024-03-12 23:59").date))
        #expect(rule.isStalled(lastScan: friday, now: T.kst("2024-03-13 00:00").date))
    }

    @Test func holidaysDoNotCount() {
        // 삼일절 (1 March 2024) fell on a Friday: a Thursday scan waits through Friday and the weekend.
        let rule = StallRule(businessDays: 1, timeZone: T.seoul,
                             holidays: [DateComponents(year: 2024, month: 3, day: 1)])
        #expect(rule.stalledAt(lastScan: T.kst("2024-02-29 10:00").date) == T.kst("2024-03-05 00:00").date)
    }

    @Test func holidaysWithExtraComponentsStillMatch() {
        var holiday = DateComponents(calendar: Calendar(identifier: .gregorian), year: 2024, month: 3, day: 1)
        holiday.timeZone = T.seoul
        let rule = StallRule(businessDays: 1, timeZone: T.seoul, holidays: [holiday])
        #expect(rule.stalledAt(lastScan: T.kst("2024-02-29 10:00").date) == T.kst("2024-03-05 00:00").date)
    }

    @Test func aCustomCalendarDecidesWhatABusinessDayIs() {
        let everyDay = StallRule(businessDays: 3, timeZone: T.seoul) { _ in true }
        #expect(everyDay.stalledAt(lastScan: T.kst("2024-03-11 10:00").date) == T.kst("2024-03-15 00:00").date)
        // Sunday-only rest, as some couriers run.
        let sixDays = StallRule(businessDays: 2, timeZone: T.seoul, nonWorkingWeekdays: [1])
        #expect(sixDays.stalledAt(lastScan: friday) == T.kst("2024-03-12 00:00").date)
    }

    @Test func aCalendarWithoutBusinessDaysNeverStalls() {
        let never = StallRule(businessDays: 2, timeZone: T.seoul) { _ in false }
        #expect(never.stalledAt(lastScan: friday) == nil)
        #expect(!never.isStalled(lastScan: friday, now: friday.addingTimeInterval(400 * 86_400)))
    }

    @Test func aCarrierRuleUsesItsThresholdAndZone() {
        let rule = StallRule(carrier: BuiltInCarriers.cj)
        #expect(rule.businessDays == 2 && rule.timeZone.identifier == "Asia/Seoul")
        // 23:30 UTC on Friday is already Saturday in Seoul, so Monday and Tuesday count.
        let scan = T.instant("2024-03-08T23:30:00Z")
        #expect(rule.stalledAt(lastScan: scan) == T.kst("2024-03-13 00:00").date)
    }
}
