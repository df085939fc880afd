import Foundation
import Testing
@testable import WaybillCore

@Suite("LocalDay")
struct LocalDayTests {
    typealias F = PromiseFixtures

    @Test(arguments: [
        ("1970-01-01", 0), ("2000-01-01", 10_957), ("2000-02-29", 11_016), ("2024-02-29", 19_782),
        ("2026-11-30", 20_787), ("1969-12-28", -4), ("1900-01-01", -25_567), ("0001-01-01", -719_162),
    ])
    func isoRoundTripsThroughTheOrdinal(iso: String, ordinal: Int) throws {
        let day = try #require(LocalDay(iso: iso))
        #expect(day.ordinal == ordinal)
        #expect(day.iso == iso)
        #expect(day.description == iso)
        #expect(LocalDay(ordinal: ordinal).iso == iso)
        let parts = iso.split(separator: "-").map { Int($0)! }
        #expect(day.year == parts[0] && day.month == parts[1] && day.day == parts[2])
    }

    @Test func everyDayOfFourHundredYearsRoundTrips() {
        // One Gregorian cycle, 1900-01-01 onwards: iso → day → iso and consecutive ordinals.
        var previous = LocalDay(iso: "1899-12-31")!
        for ordinal in -25_567..<(-25_567 + 146_097) {
            let day = LocalDay(ordinal: ordinal)
            guard let parsed = LocalDay(iso: day.iso), parsed == day, parsed.ordinal == previous.ordinal + 1 else {
                Issue.record("round trip broke at ordinal \(ordinal) (\(day.iso))")
                return
            }
            previous = parsed
        }
        #expect(previous.iso == "2299-12-31")
    }

    @Test(arguments: [
        "2025-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-02-30", "2024-01-00", "1900-02-29",
        "2100-02-29", "2024-1-01", "2024-01-1", "24-01-01", "2024/01/01", "20240101", "", "2024-01-01T00:00",
        "abcd-ef-gh", "2024-01-01-",
    ])
    func invalidDatesAreRejected(iso: String) {
        #expect(LocalDay(iso: iso) == nil)
    }

    @Test func invalidComponentsAreRejected() {
        #expect(LocalDay(year: 2025, month: 2, day: 29) == nil)
        #expect(LocalDay(year: 2024, month: 13, day: 1) == nil)
        #expect(LocalDay(year: 2024, month: 6, day: 31) == nil)
        #expect(LocalDay(year: 2024, month: 6, day: 0) == nil)
        #expect(LocalDay(year: 2024, month: 6, day: 30)?.iso == "2024-06-30")
    }

    @Test(arguments: [
        ("2026-11-30", 1), ("1970-01-01", 4), ("1969-12-28", 0), ("2000-01-01", 6), ("2025-01-29", 3),
        ("1900-01-01", 1), ("0001-01-01", 1), ("2025-02-08", 6), ("2045-03-06", 1),
    ])
    func weekdayOfKnownDates(iso: String, weekday: Int) {
        #expect(LocalDay(iso: iso)!.weekday == weekday)
    }

    @Test(arguments: [(1900, false), (2000, true), (2023, false), (2024, true), (2100, false), (2400, true)])
    func leapYears(year: Int, leap: Bool) {
        #expect((LocalDay(year: year, month: 2, day: 29) != nil) == leap)
        let first = LocalDay(year: year, month: 1, day: 1)!
        #expect(first.days(until: LocalDay(year: year + 1, month: 1, day: 1)!) == (leap ? 366 : 365))
        #expect(LocalDay(year: year, month: 2, day: 28)!.adding(days: 1).iso == (leap ? "\(year)-02-29" : "\(year)-03-01"))
    }

    @Test func addingAndCountingDays() {
        #expect(F.day("2024-12-31").adding(days: 1) == F.day("2025-01-01"))
        #expect(F.day("2025-01-01").adding(days: -1) == F.day("2024-12-31"))
        #expect(F.day("2025-01-01").days(until: F.day("2025-12-31")) == 364)
        #expect(F.day("2025-12-31").days(until: F.day("2025-01-01")) == -364)
        #expect(F.day("2025-01-31") < F.day("2025-02-01"))
    }

    @Test func anInstantFallsOnTheDayOfItsZone() {
        // 20:00 UTC on Sunday 29 November 2026 is already 05:00 on Monday the 30th in Seoul.
        let instant = F.instant("2026-11-29T20:00:00Z")
        let utcDay = LocalDay(instant, in: F.utc)
        let seoulDay = LocalDay(instant, in: F.seoul)
        #expect(utcDay.iso == "2026-11-29" && utcDay.weekday == 0)
        #expect(seoulDay.iso == "2026-11-30" && seoulDay.weekday == 1)
        // 03:00 UTC on Monday is still Sunday evening in New York.
        #expect(LocalDay(F.instant("2026-11-30T03:00:00Z"), in: F.newYork).iso == "2026-11-29")
        // Midnight belongs to the day it starts; a second before, to the one before; before 1970 rounds down.
        #expect(LocalDay(F.instant("2025-01-29T00:00:00+09:00"), in: F.seoul).iso == "2025-01-29")
        #expect(LocalDay(F.instant("2025-01-28T23:59:59+09:00"), in: F.seoul).iso == "2025-01-28")
        #expect(LocalDay(F.instant("1969-12-31T23:59:59Z"), in: F.utc).ordinal == -1)
    }

    @Test(arguments: [
        ("2026-11-30", "Asia/Seoul", "2026-11-29T15:00:00Z"),
        ("2026-11-30", "UTC", "2026-11-30T00:00:00Z"),
        ("2026-11-30", "America/New_York", "2026-11-30T05:00:00Z"),
        ("2025-03-09", "America/New_York", "2025-03-09T05:00:00Z"),  // DST starts at 02:00 that day
        ("2025-11-02", "America/New_York", "2025-11-02T04:00:00Z"),  // DST ends at 02:00 that day
        ("2025-03-30", "Europe/Berlin", "2025-03-29T23:00:00Z"),
        ("2025-10-26", "Europe/Berlin", "2025-10-25T22:00:00Z"),
        ("2025-01-01", "Asia/Kolkata", "2024-12-31T18:30:00Z"),
    ])
    func startIsLocalMidnight(iso: String, zone: String, utc: String) {
        let timeZone = TimeZone(identifier: zone)!
        let start = F.day(iso).start(in: timeZone)
        #expect(start == F.instant(utc))
        #expect(LocalDay(start, in: timeZone).iso == iso)
        #expect(LocalDay(start.addingTimeInterval(-1), in: timeZone) == F.day(iso).adding(days: -1))
    }

    @Test func startRoundTripsEveryDayOfTwoYearsInZonesWithoutMidnightTransitions() {
        for zone in ["Asia/Seoul", "America/New_York", "America/Los_Angeles", "Europe/Berlin", "UTC", "Asia/Kolkata"] {
            let timeZone = TimeZone(identifier: zone)!
            for ordinal in F.day("2024-01-01").ordinal...F.day("2025-12-31").ordinal {
                let day = LocalDay(ordinal: ordinal)
                let start = day.start(in: timeZone)
                if LocalDay(start, in: timeZone) != day || LocalDay(start.addingTimeInterval(-1), in: timeZone) == day {
                    Issue.record("\(day) in \(zone): start(in:) is \(start)")
                }
            }
        }
    }

    @Test func startOnADaylightSavingDayOfAZoneAheadOfUTCByMoreThanTheSwitchHour() {
        // Auckland leaves DST at 03:00 NZDT on 6 April 2025 (14:00 UTC on the 5th) and enters it at 02:00
        // NZST on 28 September 2025: local midnight is 11:00 UTC and 12:00 UTC the day before — the
        // offset at local midnight, not the one at UTC midnight, which is already past the switch.
        let auckland = TimeZone(identifier: "Pacific/Auckland")!
        #expect(F.day("2025-04-06").start(in: auckland) == F.instant("2025-04-05T11:00:00Z"))
        #expect(F.day("2025-09-28").start(in: auckland) == F.instant("2025-09-27T12:00:00Z"))
        #expect(LocalDay(F.day("2025-09-28").start(in: auckland), in: auckland).iso == "2025-09-28")
    }

    @Test func codableAsAnISOString() throws {
        let data = try JSONEncoder().encode([F.day("2025-01-29")])
        #expect(String(decoding: data, as: UTF8.self) == #"["2025-01-29"]"#)
        #expect(try JSONDecoder().decode([LocalDay].self, from: data) == [F.day("2025-01-29")])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([LocalDay].self, from: Data(#"["2025-02-29"]"#.utf8)) }
    }
}
