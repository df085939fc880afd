import Foundation
import Testing
@testable import WaybillCore

@Suite struct CarrierTimestampTests {
    typealias T = TrackingTime

    @Test func anOffsetLessKoreanTimeIsReadInSeoul() throws {
        // The sweettracker response pairs this timeString with epoch millis 1557987295000.
        let stamp = try #require(CarrierTimestamp.parse("2019-05-16 15:14:55", carrierZone: T.seoul))
        #expect(stamp.date == Date(timeIntervalSince1970: 1_557_987_295))
        #expect(stamp.utcOffsetSeconds == nil)
        // Read as UTC it would be nine hours late.
        #expect(CarrierTimestamp.parse("2019-05-16 15:14:55", carrierZone: T.utc)?.date
            == stamp.date.addingTimeInterval(9 * 3600))
    }

    @Test(arguments: [
        ("2024-03-05T14:30:00+09:00", "2024-03-05T05:30:00Z", 32_400),
        ("2024-03-05T14:30:00+0900", "2024-03-05T05:30:00Z", 32_400),
        ("2024-03-05 05:30:00Z", "2024-03-05T05:30:00Z", 0),
        ("2024-03-04T23:30:00-06:00", "2024-03-05T05:30:00Z", -21_600),
        ("2024-03-05T11:00+05:30", "2024-03-05T05:30:00Z", 19_800),
    ])
    func aWrittenOffsetWinsOverTheCarrierZone(text: String, utc: String, offset: Int) throws {
        let stamp = try #require(CarrierTimestamp.parse(text, carrierZone: T.seoul))
        #expect(stamp.date == T.instant(utc))
        #expect(stamp.utcOffsetSeconds == offset)
    }

    @Test func fractionsDotsAndBareDatesAreAccepted() {
        #expect(CarrierTimestamp.parse("2024-03-05T14:30:00.250+09:00", carrierZone: T.utc)?.date
            == T.instant("2024-03-05T05:30:00Z").addingTimeInterval(0.25))
        #expect(CarrierTimestamp.parse("2019.05.16 15:14", carrierZone: T.seoul)?.date
            == T.instant("2019-05-16T06:14:00Z"))
        #expect(CarrierTimestamp.parse("2024-03-05", carrierZone: T.seoul)?.date == T.instant("2024-03-04T15:00:00Z"))
    }

    @Test func karrioSplitDateAndTimeAreJoined() {
        let denver = TimeZone(identifier: "America/Denver")!
        #expect(CarrierTimestamp.parse(date: "2023-05-25", time: "07:53", carrierZone: denver)?.date
            == T.instant("2023-05-25T13:53:00Z"))
        #expect(CarrierTimestamp.parse(date: "2023-05-25", time: nil, carrierZone: denver)?.date
            == T.instant("2023-05-25T06:00:00Z"))
    }

    @Test func aLocalTimeInASpringForwardGapStillParses() {
        let newYork = TimeZone(identifier: "America/New_York")!
        #expect(CarrierTimestamp.parse("2024-03-10 02:30:00", carrierZone: newYork) != nil)
    }

    @Test(arguments: [
        "", "yesterday", "2023-02-30 10:00", "2023-13-01", "2024-03-05 25:00", "2024-03-05 10:61",
        "2024-03-05T14:30:00+09:00 extra", "2024-03-05T14:30:00+15:00", "24-03-05 10:00", "2024-03-05T",
    ])
    func malformedOrImpossibleTimesAreRefused(text: String) {
        #expect(CarrierTimestamp.parse(text, carrierZone: T.seoul) == nil)
    }
}
