import Foundation

/// A day off: a public holiday from the bundled tables, or a day a shop adds (a regional holiday,
/// a carrier's 택배 없는 날, a warehouse stock-take).
public struct Holiday: Sendable, Hashable, Codable {
    public var day: LocalDay
    public var nameLocal: String
    public var nameEnglish: String

    public init(day: LocalDay, nameLocal: String, nameEnglish: String) {
        self.day = day
        self.nameLocal = nameLocal
        self.nameEnglish = nameEnglish
    }
}

/// Holiday tables in one CSV shape: `country,date[,name_local][,name_en]` with a header row,
/// the shape of the bundled table (`scripts/generate-holidays`) and of a shop's own additions.
public enum HolidayTable {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var field: String
        public var message: String
        public var description: String { "line \(line): \(field) \(message)" }
    }

    /// Holidays by ISO country code (upper case).
    public static func parse(csv: String) throws(ParseError) -> [String: [LocalDay: Holiday]] {
        var lines = csv.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        guard let header = lines.first else { throw ParseError(line: 1, field: "header", message: "is missing") }
        let names = header.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let countryColumn = names.firstIndex(of: "country") else {
            throw ParseError(line: 1, field: "country", message: "column is missing")
        }
        guard let dateColumn = names.firstIndex(of: "date") else {
            throw ParseError(line: 1, field: "date", message: "column is missing")
        }
        let localColumn = names.firstIndex(of: "name_local") ?? names.firstIndex(of: "name")
        let englishColumn = names.firstIndex(of: "name_en") ?? localColumn
        var table: [String: [LocalDay: Holiday]] = [:]
        for (index, line) in lines.enumerated().dropFirst() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            func cell(_ column: Int?) -> String { column.flatMap { $0 < cells.count ? cells[$0] : nil } ?? "" }
            let country = cell(countryColumn).uppercased()
            guard country.count == 2, country.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw ParseError(line: index + 1, field: "country", message: "must be a two-letter ISO code")
            }
            guard let day = LocalDay(iso: cell(dateColumn)), (1900...2200).contains(day.year) else {
                throw ParseError(line: index + 1, field: "date", message: "must be a date as YYYY-MM-DD")
            }
            let local = cell(localColumn)
            let english = cell(englishColumn)
            table[country, default: [:]][day] = Holiday(
                day: day, nameLocal: local.isEmpty ? english : local, nameEnglish: english.isEmpty ? local : english)
        }
        return table
    }

    /// KR, US and BR public holidays, 2016–2027.
    public static let bundled: [String: [LocalDay: Holiday]] = {
        // The bundled text is generated and checked by a test; it cannot fail to parse.
        (try? parse(csv: bundledCSV)) ?? [:]
    }()
}

/// Which days something happens on: working weekdays minus holidays. A warehouse's pick-up days,
/// a carrier's delivery days and a country's working days are each one of these, and a promise
/// counts handling on the first and transit on the second.
///
/// Counting and adding open days is O(1) inside the precomputed span (2010–2040) — two arrays, no
/// calendar arithmetic — and a bounded walk outside it.
public struct BusinessCalendar: Sendable {
    public struct Invalid: Error, Sendable, Equatable { public var message: String }

    public let name: String
    /// 0 = Sunday … 6 = Saturday.
    public let closedWeekdays: Set<Int>
    public let holidays: [LocalDay: Holiday]
    /// False for a country with no holiday table (weekends only).
    public let hasHolidayData: Bool

    private let base: Int
    /// `cumulative[i]` = open days in `[base, base + i]`.
    private let cumulative: [Int32]
    /// The open days in order, as ordinals.
    private let openDays: [Int32]

    private static let span = LocalDay(year: 2010, month: 1, day: 1)!.ordinal...LocalDay(year: 2040, month: 12, day: 31)!.ordinal

    public init(name: String, closedWeekdays: Set<Int> = [0, 6], holidays: [LocalDay: Holiday] = [:],
                hasHolidayData: Bool = true) throws(Invalid) {
        guard closedWeekdays.allSatisfy({ (0...6).contains($0) }) else {
            throw Invalid(message: "weekdays are numbered 0 (Sunday) to 6 (Saturday)")
        }
        guard closedWeekdays.count < 7 else { throw Invalid(message: "\(name) is closed every day of the week") }
        self.name = name
        self.closedWeekdays = closedWeekdays
        self.holidays = holidays
        self.hasHolidayData = hasHolidayData
        base = Self.span.lowerBound
        var cumulative: [Int32] = []
        var open: [Int32] = []
        cumulative.reserveCapacity(Self.span.count)
        var count: Int32 = 0
        for ordinal in Self.span {
            let day = LocalDay(ordinal: ordinal)
            if !closedWeekdays.contains(day.weekday) && holidays[day] == nil {
                count += 1
                open.append(Int32(ordinal))
            }
            cumulative.append(count)
        }
        self.cumulative = cumulative
        openDays = open
    }

    /// A country's working days (Monday–Friday unless told otherwise) with its bundled public holidays
    /// and `extra` days off. Any two-letter code works; one without a bundled table has weekends only
    /// (`hasHolidayData` false) — a promise says so in its reasons.
    public static func country(_ code: String, closedWeekdays: Set<Int> = [0, 6],
                               extra: [LocalDay: Holiday] = [:]) throws(Invalid) -> BusinessCalendar {
        let country = code.uppercased()
        let bundled = HolidayTable.bundled[country]
        return try BusinessCalendar(
            name: country, closedWeekdays: closedWeekdays,
            holidays: (bundled ?? [:]).merging(extra) { _, shop in shop }, hasHolidayData: bundled != nil || !extra.isEmpty)
    }

    public func isOpen(_ day: LocalDay) -> Bool {
        !closedWeekdays.contains(day.weekday) && holidays[day] == nil
    }

    /// `day` itself when open, else the next open day.
    public func nextOpen(onOrAfter day: LocalDay) -> LocalDay {
        isOpen(day) ? day : adding(1, after: day)
    }

    /// The `count`-th open day strictly after `day`; `day` itself for 0.
    public func adding(_ count: Int, after day: LocalDay) -> LocalDay {
        guard count > 0 else { return day }
        let index = day.ordinal - base
        if index >= 0, index < cumulative.count {
            let position = Int(cumulative[index]) + count - 1
            if position < openDays.count { return LocalDay(ordinal: Int(openDays[position])) }
        }
        var current = day
        var left = count
        // At least one weekday is open, so an open day comes within every 7 + holidays.
        for _ in 0..<(count * 7 + 3_660) {
            current = current.adding(days: 1)
            if isOpen(current) {
                left -= 1
                if left == 0 { return current }
            }
        }
        return current
    }

    /// Open days in `(from, through]`; negative when `through` is before `from`.
    public func openDays(after from: LocalDay, through: LocalDay) -> Int {
        if through < from { return -openDays(after: through, through: from) }
        let a = from.ordinal - base
        let b = through.ordinal - base
        if a >= 0, b < cumulative.count { return Int(cumulative[b] - cumulative[a]) }
        var count = 0
        var day = from
        while day < through {
            day = day.adding(days: 1)
            if isOpen(day) { count += 1 }
        }
        return count
    }

    /// Holidays (not weekends) in `(from, through]`, in date order.
    public func holidays(after from: LocalDay, through: LocalDay) -> [Holiday] {
        guard from < through else { return [] }
        if through.ordinal - from.ordinal < holidays.count {
            return (from.ordinal + 1...through.ordinal).compactMap { holidays[LocalDay(ordinal: $0)] }
        }
        return holidays.values.filter { $0.day > from && $0.day <= through }.sorted { $0.day < $1.day }
    }
}
