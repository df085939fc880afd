import Foundation
import Testing
@testable import WaybillCore

@Suite("Holiday tables")
struct HolidayTableTests {
    typealias F = PromiseFixtures

    @Test(arguments: [
        ("KR", "2025-01-27", "임시공휴일"), ("KR", "2025-01-28", "설날 전날"), ("KR", "2025-01-29", "설날"),
        ("KR", "2025-01-30", "설날 다음날"), ("KR", "2025-10-05", "추석 전날"), ("KR", "2025-10-06", "추석"),
        ("KR", "2025-10-07", "추석 다음날"), ("KR", "2025-10-08", "추석 대체 휴일"), ("KR", "2025-03-03", "삼일절 대체 휴일"),
        ("US", "2025-11-27", "Thanksgiving Day"), ("US", "2026-07-03", "Independence Day (observed)"),
        ("US", "2026-07-04", "Independence Day"),
    ])
    func bundledTablesHoldKnownHolidays(country: String, iso: String, name: String) throws {
        let holiday = try #require(HolidayTable.bundled[country]?[F.day(iso)])
        #expect(holiday.nameLocal == name)
        #expect(holiday.day == F.day(iso))
    }

    @Test func bundledNamesComeInBothLanguages() {
        let seollal = HolidayTable.bundled["KR"]?[F.day("2025-01-29")]
        #expect(seollal?.nameEnglish == "Korean New Year")
        // Ordinary working days are not in the table.
        #expect(HolidayTable.bundled["KR"]?[F.day("2025-01-31")] == nil)
        #expect(HolidayTable.bundled["KR"]?[F.day("2025-10-10")] == nil)
        #expect(HolidayTable.bundled["US"]?[F.day("2025-11-28")] == nil)
        #expect(HolidayTable.bundled["JP"] == nil)
        #expect(Set(HolidayTable.bundled.keys) == ["KR", "US", "BR"])
    }

    @Test func parsesTheShopFormat() throws {
        let csv = "Country , Date,name\r\nkr,2025-08-14,택배 없는 날\r\n\r\nUS,2025-12-24\r\n\n"
        let table = try HolidayTable.parse(csv: csv)
        #expect(table["KR"]?[F.day("2025-08-14")]?.nameLocal == "택배 없는 날")
        #expect(table["KR"]?[F.day("2025-08-14")]?.nameEnglish == "택배 없는 날")
        #expect(table["US"]?[F.day("2025-12-24")]?.nameLocal == "")
        #expect(table.keys.sorted() == ["KR", "US"])
    }

    @Test(arguments: [
        ("", 1, "header"),
        ("country,day\nKR,2025-01-01", 1, "date"),
        ("nation,date\nKR,2025-01-01", 1, "country"),
        ("country,date\nKOR,2025-01-01", 2, "country"),
        ("country,date\nKR,2025-01-01\nK1,2025-01-02", 3, "country"),
        ("country,date\nKR,2025-01-01\n,2025-01-02", 3, "country"),
        ("country,date\nKR,2025-02-29", 2, "date"),
        ("country,date\nKR,2025/01/01", 2, "date"),
        ("country,date\nKR", 2, "date"),
        ("country,date\nKR,1899-12-31", 2, "date"),
        ("country,date\r\nKR,2025-01-01\r\n\r\nUS,tomorrow", 4, "date"),
    ])
    func parseErrorsNameTheLineAndField(csv: String, line: Int, field: String) {
        let error = #expect(throws: HolidayTable.ParseError.self) { try HolidayTable.parse(csv: csv) }
        #expect(error?.line == line)
        #expect(error?.field == field)
        #expect(error?.description.hasPrefix("line \(line): \(field) ") == true)
    }

    /// The bundled KR and US rows for 2024–2027 are exactly the dates of the reference table in
    /// `../shared/data/holidays` (generated independently from the same source). Outside CI, without
    /// that folder, this reports itself skipped; with CI=true a missing file fails.
    @Test(.enabled(if: SharedPromiseData.holidaysAvailable || SharedPromiseData.inCI,
                   "../shared/data/holidays is not here (a user's clone); CI has it"))
    func bundledKRAndUS2024To2027MatchTheSharedTable() throws {
        let path = SharedPromiseData.holidays.path
        #expect(SharedPromiseData.holidaysAvailable, "CI must have \(path)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // Read independently of HolidayTable.parse: the first two columns of every row after the header.
        var shared: [String: Set<LocalDay>] = [:]
        var rows = 0
        for line in text.split(whereSeparator: \.isNewline).dropFirst() where !line.isEmpty {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            let day = try #require(LocalDay(iso: cells[1]), "bad date in \(line)")
            shared[String(cells[0]), default: []].insert(day)
            rows += 1
        }
        #expect(Set(shared.keys) == ["KR", "US"])
        #expect(rows == shared.values.map(\.count).reduce(0, +), "one row per (country, date)")
        for country in ["KR", "US"] {
            let expected = shared[country] ?? []
            let bundled = Set((HolidayTable.bundled[country] ?? [:]).keys.filter { (2024...2027).contains($0.year) })
            #expect(bundled == expected, """
                \(country): bundled but not shared \(bundled.subtracting(expected).sorted()), \
                shared but not bundled \(expected.subtracting(bundled).sorted())
                """)
        }
    }
}

@Suite("Business calendars")
struct BusinessCalendarTests {
    typealias F = PromiseFixtures

    @Test func koreanCalendarIsClosedOnSeollalAndChuseok2025() {
        for iso in ["2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-10-03", "2025-10-06",
                    "2025-10-07", "2025-10-08", "2025-10-09", "2025-01-25", "2025-01-26"] {
            #expect(!F.kr.isOpen(F.day(iso)), "\(iso)")
        }
        for iso in ["2025-01-24", "2025-01-31", "2025-10-02", "2025-10-10", "2025-02-04"] {
            #expect(F.kr.isOpen(F.day(iso)), "\(iso)")
        }
        #expect(F.kr.hasHolidayData && F.kr.name == "KR")
    }

    @Test func americanCalendarIsClosedOnThanksgivingAndObservedIndependenceDay() {
        #expect(!F.us.isOpen(F.day("2025-11-27")))
        #expect(F.us.isOpen(F.day("2025-11-28")))
        #expect(!F.us.isOpen(F.day("2026-07-03")))  // Friday, observed for Saturday the 4th
        #expect(F.us.adding(1, after: F.day("2026-07-02")) == F.day("2026-07-06"))
        #expect(F.us.adding(1, after: F.day("2025-11-26")) == F.day("2025-11-28"))
    }

    @Test func shopExtrasMergeWithThePublicHolidays() throws {
        let extra = [
            F.day("2025-08-14"): Holiday(day: F.day("2025-08-14"), nameLocal: "택배 없는 날", nameEnglish: "No-parcel day"),
            F.day("2025-10-06"): Holiday(day: F.day("2025-10-06"), nameLocal: "창고 휴무", nameEnglish: "Warehouse closed"),
        ]
        let calendar = try BusinessCalendar.country("kr", extra: extra)
        #expect(calendar.name == "KR")
        #expect(!calendar.isOpen(F.day("2025-08-14")))          // the shop's day
        #expect(!calendar.isOpen(F.day("2025-08-15")))          // 광복절 still there
        #expect(calendar.holidays[F.day("2025-10-06")]?.nameLocal == "창고 휴무")  // the shop's name wins
        #expect(calendar.holidays.count == HolidayTable.bundled["KR"]!.count + 1)
        #expect(F.kr.isOpen(F.day("2025-08-14")))               // the plain calendar is untouched
        #expect(calendar.adding(1, after: F.day("2025-08-13")) == F.day("2025-08-18"))
    }

    @Test func aCountryWithoutATableHasWeekendsOnly() {
        #expect(!F.jp.hasHolidayData)
        #expect(F.jp.holidays.isEmpty)
        #expect(F.jp.isOpen(F.day("2025-01-01")))   // a Wednesday; no table says otherwise
        #expect(F.jp.isOpen(F.day("2025-01-29")))
        #expect(!F.jp.isOpen(F.day("2025-02-08")))  // Saturday
        #expect(!F.jp.isOpen(F.day("2025-02-09")))  // Sunday
        #expect(F.jp.openDays(after: F.day("2025-01-24"), through: F.day("2025-02-03")) == 6)
    }

    @Test func invalidWeekSetupsThrow() {
        #expect(throws: BusinessCalendar.Invalid.self) { try BusinessCalendar(name: "never", closedWeekdays: Set(0...6)) }
        #expect(throws: BusinessCalendar.Invalid.self) { try BusinessCalendar.country("KR", closedWeekdays: Set(0...6)) }
        #expect(throws: BusinessCalendar.Invalid.self) { try BusinessCalendar(name: "bad", closedWeekdays: [7]) }
        #expect(throws: BusinessCalendar.Invalid.self) { try BusinessCalendar.country("KR", closedWeekdays: [0, 1, 2, 3, 4, 5, 6]) }
        #expect(throws: Never.self) { try BusinessCalendar(name: "sundays", closedWeekdays: [0, 1, 2, 3, 4, 5]) }
    }

    @Test func addingAndCountingAroundSeollal() {
        let friday = F.day("2025-01-24")
        #expect(F.kr.adding(0, after: friday) == friday)
        #expect(F.kr.adding(1, after: friday) == F.day("2025-01-31"))
        #expect(F.kr.adding(2, after: friday) == F.day("2025-02-03"))
        #expect(F.kr.openDays(after: friday, through: F.day("2025-02-03")) == 2)
        #expect(F.kr.openDays(after: F.day("2025-02-03"), through: friday) == -2)
        #expect(F.kr.openDays(after: friday, through: friday) == 0)
        #expect(F.kr.nextOpen(onOrAfter: F.day("2025-01-27")) == F.day("2025-01-31"))
        #expect(F.kr.nextOpen(onOrAfter: friday) == friday)
        // Outside the precomputed span: weekends only in 2045 (no table).
        #expect(F.kr.adding(5, after: F.day("2045-01-02")) == F.day("2045-01-09"))
        #expect(F.kr.openDays(after: F.day("2040-12-28"), through: F.day("2041-01-04")) == 5)
        #expect(F.kr.adding(1, after: F.day("2009-12-31")) == F.day("2010-01-01"))
    }

    /// `adding` and `openDays` against a plain day-by-day walk, on several calendars, from days inside
    /// and outside 2010–2040 and across both of its ends.
    @Test func addingAndOpenDaysAgreeWithANaiveWalk() throws {
        let sixDays = try BusinessCalendar(name: "six", closedWeekdays: [0], holidays: [
            F.day("2045-03-06"): Holiday(day: F.day("2045-03-06"), nameLocal: "x", nameEnglish: "x"),
            F.day("2009-12-25"): Holiday(day: F.day("2009-12-25"), nameLocal: "y", nameEnglish: "y"),
        ])
        let calendars = [F.kr, F.us, F.jp, sixDays, try BusinessCalendar.country("KR", closedWeekdays: [0, 3, 6])]
        func naiveOpen(_ calendar: BusinessCalendar, _ day: LocalDay) -> Bool {
            !calendar.closedWeekdays.contains(day.weekday) && calendar.holidays[day] == nil
        }
        func naiveAdding(_ calendar: BusinessCalendar, _ count: Int, after day: LocalDay) -> LocalDay {
            var current = day
            var left = count
            while left > 0 {
                current = current.adding(days: 1)
                if naiveOpen(calendar, current) { left -= 1 }
            }
            return current
        }
        func naiveCount(_ calendar: BusinessCalendar, after from: LocalDay, through: LocalDay) -> Int {
            guard from <= through else { return -naiveCount(calendar, after: through, through: from) }
            return (from.ordinal + 1 ..< through.ordinal + 1).filter { naiveOpen(calendar, LocalDay(ordinal: $0)) }.count
        }
        var random = SplitMix64Generator(seed: 0x5EED)
        var starts = ["2009-12-20", "2009-12-31", "2010-01-01", "2024-12-20", "2025-01-24", "2025-09-30",
                      "2026-06-30", "2040-12-15", "2040-12-31", "2041-01-01", "2045-03-01", "1999-05-05"].map(F.day)
        for _ in 0..<16 { starts.append(LocalDay(ordinal: random.nextInt(in: F.day("2005-01-01").ordinal...F.day("2048-12-31").ordinal))) }
        for calendar in calendars {
            for start in starts {
                for count in 0...40 {
                    let added = calendar.adding(count, after: start)
                    let expected = naiveAdding(calendar, count, after: start)
                    guard added == expected else {
                        Issue.record("\(calendar.name): adding(\(count), after: \(start)) = \(added), walk says \(expected)")
                        continue
                    }
                    if count > 0 { #expect(calendar.isOpen(added)) }
                    if calendar.openDays(after: start, through: added) != count || calendar.openDays(after: added, through: start) != -count {
                        Issue.record("\(calendar.name): openDays(after: \(start), through: \(added)) is not \(count)")
                    }
                }
                let other = start.adding(days: random.nextInt(in: -90...90))
                #expect(calendar.openDays(after: start, through: other) == naiveCount(calendar, after: start, through: other),
                        "\(calendar.name) \(start)…\(other)")
            }
        }
    }

    @Test func holidaysInARangeAreInDateOrderAndExcludeTheFirstDay() {
        let seollal = F.kr.holidays(after: F.day("2025-01-24"), through: F.day("2025-02-03")).map(\.day.iso)
        #expect(seollal == ["2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30"])
        #expect(F.kr.holidays(after: F.day("2025-01-27"), through: F.day("2025-01-28")).map(\.day.iso) == ["2025-01-28"])
        #expect(F.kr.holidays(after: F.day("2025-02-03"), through: F.day("2025-01-24")).isEmpty)
        #expect(F.kr.holidays(after: F.day("2025-01-29"), through: F.day("2025-01-29")).isEmpty)
        // A range longer than the table takes the other path; the result has the same shape.
        let year = F.kr.holidays(after: F.day("2024-12-31"), through: F.day("2025-12-31"))
        #expect(year.count == 19)
        #expect(year.first?.day.iso == "2025-01-01" && year.last?.day.iso == "2025-12-25")
        #expect(year.map(\.day) == year.map(\.day).sorted())
        #expect(F.jp.holidays(after: F.day("2024-12-31"), through: F.day("2025-12-31")).isEmpty)
    }
}

@Suite("Warehouse schedules")
struct WarehouseScheduleTests {
    typealias F = PromiseFixtures

    @Test(arguments: [
        ("2025-02-04 13:59", "2025-02-04", false),  // Tuesday before the 14:00 cut-off
        ("2025-02-04 14:00", "2025-02-05", true),   // at the cut-off: missed
        ("2025-02-04 00:00", "2025-02-04", false),
        ("2025-02-04 23:59", "2025-02-05", true),
        ("2025-02-07 15:00", "2025-02-10", true),   // Friday after the cut-off → Monday
        ("2025-02-08 10:00", "2025-02-10", false),  // Saturday: no pick-up, no cut-off missed
        ("2025-02-09 23:00", "2025-02-10", false),  // Sunday
        ("2025-01-28 10:00", "2025-01-31", false),  // 설날 전날
        ("2025-01-24 16:00", "2025-01-31", true),   // Friday before 설날, after the cut-off
        ("2025-10-02 13:00", "2025-10-02", false),
        ("2025-10-02 14:30", "2025-10-10", true),   // 개천절, weekend, 추석 and 한글날 in between
    ])
    func handlingStartInSeoul(orderedAt: String, start: String, missed: Bool) {
        let result = F.warehouse().handlingStart(for: F.kst(orderedAt))
        #expect(result.day == F.day(start))
        #expect(result.cutoffMissed == missed)
    }

    @Test func theCutOffIsReadInTheWarehouseZone() {
        let warehouse = F.warehouse()
        // 04:59 UTC is 13:59 in Seoul; 05:00 UTC is 14:00.
        #expect(warehouse.handlingStart(for: F.instant("2025-02-04T04:59:00Z")) == (F.day("2025-02-04"), false))
        #expect(warehouse.handlingStart(for: F.instant("2025-02-04T05:00:00Z")) == (F.day("2025-02-05"), true))
        // Monday 23:30 UTC is Tuesday 08:30 in Seoul.
        #expect(warehouse.handlingStart(for: F.instant("2025-02-03T23:30:00Z")) == (F.day("2025-02-04"), false))
        // A New York warehouse on the US calendar: Wednesday 17:00 EST before Thanksgiving → Friday.
        let newYork = WarehouseSchedule(id: "JFK", region: "NY", timeZone: F.newYork, cutoffMinutes: 16 * 60,
                                        handlingDays: 1, pickup: F.us)
        #expect(newYork.handlingStart(for: F.instant("2025-11-26T22:00:00Z")) == (F.day("2025-11-28"), true))
        #expect(newYork.handlingStart(for: F.instant("2025-11-26T20:59:00Z")) == (F.day("2025-11-26"), false))
    }

    @Test func cutOffAndHandlingDaysAreClamped() {
        let never = F.warehouse(handlingDays: -3, cutoff: 2_000)
        #expect(never.cutoffMinutes == 1_440 && never.handlingDays == 0)
        #expect(never.handlingStart(for: F.kst("2025-02-04 23:59")) == (F.day("2025-02-04"), false))
        let always = F.warehouse(cutoff: -5)
        #expect(always.cutoffMinutes == 0)
        #expect(always.handlingStart(for: F.kst("2025-02-04 00:00")) == (F.day("2025-02-05"), true))
    }

    @Test func peakWindowsIncludeBothEnds() {
        let window = PeakWindow(name: "설날", first: F.day("2025-01-20"), last: F.day("2025-01-31"))
        #expect(window.contains(F.day("2025-01-20")) && window.contains(F.day("2025-01-31")))
        #expect(!window.contains(F.day("2025-01-19")) && !window.contains(F.day("2025-02-01")))
        #expect(window.extraDays == nil)
    }
}

@Suite("Silence on a business calendar")
struct StallCalendarTests {
    typealias F = PromiseFixtures

    /// CJ scans Monday to Saturday. A parcel last scanned Friday 24 January 2025 (KST), two business days:
    /// Saturday the 25th, then 설날 closes the 27th (temporary holiday) to the 30th, so the second day is
    /// Friday the 31st and it stalls at Saturday 1 February 00:00 KST; weekends alone would say Tuesday.
    @Test func holidaysDoNotStallParcels() throws {
        let seoul = TimeZone(identifier: "Asia/Seoul")!
        let cj = try BusinessCalendar.country("KR", closedWeekdays: [0])
        let scan = F.instant("2025-01-24T06:00:00Z")
        let rule = StallRule(businessDays: 2, timeZone: seoul, calendar: cj)
        #expect(rule.stalledAt(lastScan: scan) == F.instant("2025-01-31T15:00:00Z"))
        #expect(!rule.isStalled(lastScan: scan, now: F.instant("2025-01-31T14:59:00Z")))
        let weekendsOnly = StallRule(businessDays: 2, timeZone: seoul, nonWorkingWeekdays: [1])
        #expect(weekendsOnly.stalledAt(lastScan: scan) == F.instant("2025-01-27T15:00:00Z"))
    }
}
