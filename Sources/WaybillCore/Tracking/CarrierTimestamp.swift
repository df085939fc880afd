import Foundation

/// A moment as a carrier reported it: the instant, and the UTC offset it was written with.
///
/// Carriers send local times. With an offset (`2024-03-05T14:30:00+09:00`, `…Z`) the offset is
/// used; without one (`2019-05-16 15:14:55`, as every Korean carrier writes) the time is read in
/// the carrier's zone, so the event sorts correctly against events from other carriers and zones.
public struct CarrierTimestamp: Hashable, Sendable, Codable {
    public var date: Date
    /// Seconds east of UTC as written by the carrier; nil when it gave none and the zone was assumed.
    public var utcOffsetSeconds: Int?

    public init(date: Date, utcOffsetSeconds: Int?) {
        self.date = date
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    enum CodingKeys: String, CodingKey {
        case date
        case utcOffsetSeconds = "utc_offset_seconds"
    }

    /// Accepts `yyyy-MM-dd`, `yyyy.MM.dd` or `yyyy/MM/dd`, then `T` or spaces, `HH:mm[:ss[.fff]]`,
    /// then optionally `Z` or `±HH[:]mm`. A date alone means local midnight. Nil for anything else,
    /// including impossible dates (`2023-02-30`), so a bad payload is refused rather than misfiled.
    public static func parse(_ text: String, carrierZone: TimeZone) -> CarrierTimestamp? {
        var scanner = Scan(Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
        guard let year = scanner.number(digits: 4...4), scanner.separator(in: "-./"),
              let month = scanner.number(digits: 1...2), scanner.separator(in: "-./"),
              let day = scanner.number(digits: 1...2)
        else { return nil }
        var hour = 0, minute = 0, second = 0, nanos = 0
        var offset: Int?
        if !scanner.atEnd {
            guard scanner.skip(in: "T "), let h = scanner.number(digits: 1...2), scanner.separator(in: ":"),
                  let m = scanner.number(digits: 2...2)
            else { return nil }
            (hour, minute) = (h, m)
            if scanner.separator(in: ":") {
                guard let s = scanner.number(digits: 2...2) else { return nil }
                second = s
                if scanner.separator(in: ".,") {
                    guard let fraction = scanner.fraction() else { return nil }
                    nanos = fraction
                }
            }
            _ = scanner.skip(in: " ")
            if !scanner.atEnd {
                guard let parsed = scanner.offset() else { return nil }
                offset = parsed
            }
        }
        guard scanner.atEnd, (1...12).contains(month), (0...23).contains(hour), (0...59).contains(minute),
              (0...59).contains(second)
        else { return nil }

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = offset.flatMap { TimeZone(secondsFromGMT: $0) } ?? carrierZone
        let parts = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute,
                                   second: second, nanosecond: nanos)
        // Foundation rolls Feb 30 over to March; a spring-forward gap (02:30 that never happened)
        // moves forward within the same day. So a changed day means the date was impossible.
        guard let date = calendar.date(from: parts), calendar.component(.day, from: date) == day else {
            return nil
        }
        return CarrierTimestamp(date: date, utcOffsetSeconds: offset)
    }

    /// Karrio and others split the date (`2023-05-25`) and the time (`07:53`).
    public static func parse(date: String, time: String?, carrierZone: TimeZone) -> CarrierTimestamp? {
        guard let time, !time.isEmpty else { return parse(date, carrierZone: carrierZone) }
        return parse(date + " " + time, carrierZone: carrierZone)
    }
}

/// A cursor over ASCII bytes for the fixed grammar above; no `DateFormatter`, which is neither
/// cheap nor strict about trailing garbage.
private struct Scan {
    let bytes: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { i == bytes.count }

    mutating func number(digits: ClosedRange<Int>) -> Int? {
        var value = 0, count = 0
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57, count < digits.upperBound {
            value = value * 10 + Int(bytes[i] - 48)
            i += 1
            count += 1
        }
        return digits.contains(count) ? value : nil
    }

    mutating func separator(in set: String) -> Bool {
        guard i < bytes.count, set.utf8.contains(bytes[i]) else { return false }
        i += 1
        return true
    }

    /// Skips one or more characters from `set`; false if there was none.
    mutating func skip(in set: String) -> Bool {
        let start = i
        while i < bytes.count, set.utf8.contains(bytes[i]) { i += 1 }
        return i > start
    }

    /// Up to nine fractional digits as nanoseconds; more are read and dropped.
    mutating func fraction() -> Int? {
        var nanos = 0, count = 0
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
            if count < 9 { nanos = nanos * 10 + Int(bytes[i] - 48) }
            count += 1
            i += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<max(count, 9) { nanos *= 10 }
        return nanos
    }

    mutating func offset() -> Int? {
        guard i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: "Z") {
            i += 1
            return 0
        }
        guard bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") else { return nil }
        let sign = bytes[i] == UInt8(ascii: "-") ? -1 : 1
        i += 1
        guard let hours = number(digits: 2...2), hours <= 14 else { return nil }
        _ = separator(in: ":")
        let minutes = atEnd ? 0 : number(digits: 2...2)
        guard let minutes, minutes < 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }
}
