import Foundation

/// Units of one SKU sold at one location on one day, and whether the shelf was empty at some point that day.
public struct DemandDay: Hashable, Sendable, Codable {
    /// The day (its UTC midnight). Every calendar day must be present: a missing date is treated as unknown.
    public var date: Date
    public var quantity: Int64
    /// Sales on such a day are censored — they show what was left to sell, not what people wanted.
    public var stockedOut: Bool

    public init(date: Date, quantity: Int64, stockedOut: Bool = false) {
        self.date = date
        self.quantity = quantity
        self.stockedOut = stockedOut
    }
}

/// A daily demand forecast for one SKU at one location, and the error figures safety stock needs (F1).
///
/// Model: additive Holt–Winters with a damped trend and a 7-day season. Retail demand series are short
/// (a few months to a year per SKU), carry a strong weekday pattern that adds to the level rather than
/// scaling it (many slow movers sell 0–3 a day, where multiplicative seasons break down) and drift up or
/// down as a product finds or loses its audience. An undamped trend extrapolates that drift linearly
/// forever — one good month would order for a boom that never comes. Damping (φ < 1) lets the trend fade
/// over the horizon; Gardner & McKenzie (1985) introduced it for this reason and it has been a robust
/// default in forecasting competitions since (M3, Makridakis & Hibon 2000). Parameters come from a small grid that minimises one-step-ahead squared
/// error, because each SKU behaves differently and nobody tunes 150,000 series by hand.
///
/// Stocked-out days are treated as missing, not as low demand: a day at zero stock sells zero whatever the
/// demand was. Averaging those zeros in lowers the forecast, which lowers the reorder point, which causes
/// more stock-outs — a spiral. Each such day is imputed with the model's own one-step prediction while
/// fitting (see `HoltWinters.run`), so it neither teaches the model nor counts as error.
public struct DemandForecast: Hashable, Sendable, Codable {
    public enum Method: String, Sendable, Codable, CaseIterable {
        case holtWintersDamped = "holt_winters_damped"
        /// Fewer than two weeks of usable days cannot separate a weekday pattern from noise.
        case simpleExponential = "simple_exponential"
        /// Fewer than three usable days: their plain mean (0 with none).
        case mean
    }

    public var method: Method
    /// Nil unless the method is Holt–Winters.
    public var parameters: HoltWintersParameters?
    /// σ of one-step-ahead errors on usable days: the σ_d of safety stock. Forecast error, not raw demand
    /// spread, is what the stock has to absorb once a forecast is used (Silver, Pyke & Thomas).
    public var residualStdDev: Double
    public var usableDays: Int
    /// Days treated as unknown: stocked out, or absent from the history.
    public var imputedDays: Int
    /// The day `next(_:)` starts on; nil with no history.
    public var firstForecastDate: Date?
    var state: HoltWinters.State
    var seen: Int
    var phi: Double

    /// Expected units for each of the next `days` days, never negative.
    public func next(_ days: Int) -> [Double] {
        HoltWinters.forecast(state, phi: phi, seen: seen, days: days).map { max($0, 0) }
    }

    /// Mean of the next `days` days' forecast. A whole number of weeks lets the weekday pattern cancel out.
    public func meanDailyDemand(over days: Int = 7) -> Double {
        let values = next(max(days, 1))
        return values.reduce(0, +) / Double(values.count)
    }

    /// Fits the history (in any order). Only the last `maximumHistoryDays` days are used: older sales say
    /// little about next month and would slow replenishment for every SKU.
    public static func fit(
        _ history: [DemandDay], grid: HoltWintersGrid = .standard, maximumHistoryDays: Int = 371
    ) -> DemandForecast {
        let series = DemandSeries(history, maximumDays: maximumHistoryDays)
        let usable = series.values.compactMap { $0 }
        let base = DemandForecast(
            method: .mean, parameters: nil, residualStdDev: 0, usableDays: usable.count,
            imputedDays: series.values.count - usable.count, firstForecastDate: series.nextDate,
            state: HoltWinters.State(level: 0, trend: 0, seasonal: Array(repeating: 0, count: HoltWinters.period)),
            seen: series.values.count, phi: 1)
        if usable.count >= 2 * HoltWinters.period, let fitted = holtWinters(series.values, base: base, grid: grid) {
            return fitted
        }
        if usable.count >= 3 { return simpleExponential(series.values, base: base) }
        var mean = base
        let level = usable.isEmpty ? 0 : usable.reduce(0, +) / Double(usable.count)
        mean.state.level = level
        if usable.count > 1 {
            let variance = usable.reduce(0) { $0 + ($1 - level) * ($1 - level) } / Double(usable.count - 1)
            mean.residualStdDev = variance.squareRoot()
        }
        return mean
    }

    private static func holtWinters(_ y: [Double?], base: DemandForecast, grid: HoltWintersGrid) -> DemandForecast? {
        let initial = HoltWinters.initialState(y)
        // The first two weeks built the initial state, so their errors flatter every candidate alike; score
        // after them when there is anything after them.
        let scoreFrom = y[(2 * HoltWinters.period)...].contains { $0 != nil } ? 2 * HoltWinters.period : 0
        let prepared = HoltWinters.Prepared(y)
        var best: (HoltWintersParameters, HoltWinters.Run)?
        for candidate in grid.all {
            let run = HoltWinters.run(prepared, candidate, from: initial, scoreFrom: scoreFrom, giveUpAt: best?.1.squaredError ?? .infinity)
            if best == nil || run.squaredError < (best?.1.squaredError ?? .infinity) { best = (candidate, run) }
        }
        guard let (parameters, run) = best, run.scored > 0 else { return nil }
        var forecast = base
        forecast.method = .holtWintersDamped
        forecast.parameters = parameters
        forecast.state = run.state
        forecast.phi = parameters.phi
        forecast.residualStdDev = (run.squaredError / Double(run.scored)).squareRoot()
        return forecast
    }

    /// Simple exponential smoothing: a level only, α from a short grid, started at the first known day.
    private static func simpleExponential(_ y: [Double?], base: DemandForecast) -> DemandForecast {
        var best: (level: Double, squaredError: Double, scored: Int)?
        for alpha in [0.1, 0.2, 0.3, 0.5] {
            var level: Double?
            var squaredError = 0.0
            var scored = 0
            for case let observed? in y {
                guard let current = level else { level = observed; continue }
                let error = observed - current
                squaredError += error * error
                scored += 1
                level = current + alpha * error
            }
            if best == nil || squaredError < (best?.squaredError ?? .infinity) {
                best = (level ?? 0, squaredError, scored)
            }
        }
        var forecast = base
        forecast.method = .simpleExponential
        forecast.state.level = best?.level ?? 0
        if let best, best.scored > 0 { forecast.residualStdDev = (best.squaredError / Double(best.scored)).squareRoot() }
        return forecast
    }
}
