import Foundation

/// When a warehouse ships: orders placed before the cut-off (warehouse local time) on a pick-up day
/// start handling that day; later ones the next pick-up day. Handling takes `handlingDays` pick-up
/// days (0 = out the same day) until observed history says otherwise.
public struct WarehouseSchedule: Sendable {
    public var id: String
    /// The region promises are learned for (a province or state), the origin of a lane.
    public var region: String
    public var timeZone: TimeZone
    public var cutoffMinutes: Int
    public var handlingDays: Int
    /// Pick-up days: the country's working days minus the warehouse's days with no pick-up.
    public var pickup: BusinessCalendar

    public init(id: String, region: String, timeZone: TimeZone, cutoffMinutes: Int, handlingDays: Int,
                pickup: BusinessCalendar) {
        self.id = id
        self.region = region
        self.timeZone = timeZone
        self.cutoffMinutes = min(max(cutoffMinutes, 0), 24 * 60)
        self.handlingDays = max(handlingDays, 0)
        self.pickup = pickup
    }

    /// The day handling starts for an order placed at `date`, and whether the cut-off was missed.
    public func handlingStart(for date: Date) -> (day: LocalDay, cutoffMissed: Bool) {
        let seconds = Int(date.timeIntervalSince1970) + timeZone.secondsFromGMT(for: date)
        let day = LocalDay(ordinal: Int((Double(seconds) / 86_400).rounded(.down)))
        let minute = ((seconds % 86_400) + 86_400) % 86_400 / 60
        if pickup.isOpen(day) {
            return minute < cutoffMinutes ? (day, false) : (pickup.adding(1, after: day), true)
        }
        return (pickup.nextOpen(onOrAfter: day), false)
    }
}

/// A period the shop knows is slow (a sale, 설날, Black Friday to Christmas): promises made for
/// orders placed in it add `extraDays` delivery days, or — when the shop leaves that to Waybill —
/// what the history learned about the same window (`TransitModel.peakExtraDays`).
public struct PeakWindow: Sendable, Hashable, Codable {
    public var name: String
    public var first: LocalDay
    public var last: LocalDay
    public var extraDays: Int?

    public init(name: String, first: LocalDay, last: LocalDay, extraDays: Int? = nil) {
        self.name = name
        self.first = first
        self.last = last
        self.extraDays = extraDays
    }

    public func contains(_ day: LocalDay) -> Bool { day >= first && day <= last }
}

extension StallRule {
    /// Silence counted on a business calendar: the carrier's working days with its country's holidays
    /// and the shop's days off, so 설날 does not stall every parcel in Korea.
    public init(businessDays: Int, timeZone: TimeZone, calendar: BusinessCalendar) {
        self.init(businessDays: businessDays, timeZone: timeZone) { parts in
            guard let year = parts.year, let month = parts.month, let day = parts.day,
                  let local = LocalDay(year: year, month: month, day: day) else { return true }
            return calendar.isOpen(local)
        }
    }
}
