import Foundation

/// Silence is an event (F5): a shipment with no scan for N business days is `stalled`,
/// without the carrier saying anything.
///
/// Days are counted in the carrier's zone, whole business days after the day of the last scan:
/// a Friday scan with N = 2 and weekends off stalls at Monday-and-Tuesday's end, Wednesday 00:00.
public struct StallRule: Sendable {
    public var businessDays: Int
    public var timeZone: TimeZone
    /// Gets a day's `year`, `month`, `day` and `weekday` (1 = Sunday … 7 = Saturday).
    public var isBusinessDay: @Sendable (DateComponents) -> Bool

    public init(businessDays: Int, timeZone: TimeZone, isBusinessDay: @escaping @Sendable (DateComponents) -> Bool) {
        self.businessDays = businessDays
        self.timeZone = timeZone
        self.isBusinessDay = isBusinessDay
    }

    /// Weekends (or any `nonWorkingWeekdays`) and `holidays` off. Holidays are compared by
    /// year, month and day only; any other component set on them is ignored.
    public init(
        businessDays: Int, timeZone: TimeZone, nonWorkingWeekdays: Set<Int> = [1, 7],
        holidays: Set<DateComponents> = []
    ) {
        let days = Set(holidays.map { DateComponents(year: $0.year, month: $0.month, day: $0.day) })
        self.init(businessDays: businessDays, timeZone: timeZone) { day in
            guard let weekday = day.weekday, !nonWorkingWeekdays.contains(weekday) else { return false }
            return !days.contains(DateComponents(year: day.year, month: day.month, day: day.day))
        }
    }

    /// The carrier's own threshold and zone.
    public init(carrier: CarrierDefinition, holidays: Set<DateComponents> = []) {
        self.init(businessDays: carrier.stalledAfterBusinessDays,
                  timeZone: TimeZone(identifier: carrier.timeZone) ?? .gmt, holidays: holidays)
    }

    /// The first instant at which a shipment last scanned at `lastScan` counts as stalled, or nil
    /// when no business day comes within a year (a calendar with every day off never stalls).
    public func stalledAt(lastScan: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var day = calendar.startOfDay(for: lastScan)
        var counted = 0
        for _ in 0..<(366 + businessDays * 7) {
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = next
            if counted == max(businessDays, 0) { return day }
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if isBusinessDay(parts) { counted += 1 }
        }
        return nil
    }

    public func isStalled(lastScan: Date, now: Date) -> Bool {
        guard let deadline = stalledAt(lastScan: lastScan) else { return false }
        return now >= deadline
    }
}
