import Foundation

/// A demand history laid out as one value per calendar day, `nil` where demand is unknown.
struct DemandSeries {
    /// Starts at the first known day of the window (earlier unknown days carry nothing to learn).
    var values: [Double?]
    /// The day after the last day of history.
    var nextDate: Date?

    init(_ history: [DemandDay], maximumDays: Int) {
        let sorted = history.sorted { $0.date < $1.date }
        guard let origin = sorted.first?.date, let last = sorted.last?.date else {
            values = []
            nextDate = nil
            return
        }
        func index(_ date: Date) -> Int { Int((date.timeIntervalSince(origin) / 86_400).rounded()) }
        // Several rows for one day (two channels, a late correction) add up; one stocked-out row makes the day unknown.
        var days: [Int: (quantity: Double, stockedOut: Bool)] = [:]
        for day in sorted {
            let previous = days[index(day.date)] ?? (0, false)
            // Negative "sales" (returns booked as sales) are not demand.
            days[index(day.date)] = (previous.quantity + Double(max(day.quantity, 0)), previous.stockedOut || day.stockedOut)
        }
        let lastIndex = index(last)
        let windowStart = max(0, lastIndex - max(maximumDays, 1) + 1)
        let known = { (i: Int) -> Double? in
            guard let day = days[i], !day.stockedOut else { return nil }
            return day.quantity
        }
        let start = (windowStart...lastIndex).first { known($0) != nil } ?? lastIndex + 1
        values = (start..<(lastIndex + 1)).map(known)
        nextDate = origin.addingTimeInterval(Double(lastIndex + 1) * 86_400)
    }
}
