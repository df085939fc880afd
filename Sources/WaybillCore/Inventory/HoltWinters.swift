import Foundation

/// Smoothing parameters of additive Holt–Winters with a damped trend (notation of Hyndman & Athanasopoulos,
/// *Forecasting: Principles and Practice*, 3rd ed., §8.3 and §8.2 for the damping).
public struct HoltWintersParameters: Hashable, Sendable, Codable {
    /// α level, β trend, γ season (each in (0, 1)); φ trend damping in (0, 1].
    public var alpha: Double
    public var beta: Double
    public var gamma: Double
    public var phi: Double

    public init(alpha: Double, beta: Double, gamma: Double, phi: Double) {
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.phi = phi
    }
}

/// The candidate parameters the fit searches; every combination is tried.
public struct HoltWintersGrid: Hashable, Sendable, Codable {
    public var alphas: [Double]
    public var betas: [Double]
    public var gammas: [Double]
    public var phis: [Double]

    public init(alphas: [Double], betas: [Double], gammas: [Double], phis: [Double]) {
        self.alphas = alphas
        self.betas = betas
        self.gammas = gammas
        self.phis = phis
    }

    /// 4 × 3 × 3 × 3 = 108 fits. Small on purpose: replenishment runs for every SKU × warehouse, and the
    /// one-step error surface is flat enough that finer steps change forecasts far less than the noise.
    public static let standard = HoltWintersGrid(
        alphas: [0.05, 0.15, 0.3, 0.5], betas: [0.01, 0.05, 0.15], gammas: [0.05, 0.15, 0.3], phis: [0.8, 0.9, 0.98])

    var all: [HoltWintersParameters] {
        alphas.flatMap { a in betas.flatMap { b in gammas.flatMap { g in
            phis.map { HoltWintersParameters(alpha: a, beta: b, gamma: g, phi: $0) }
        } } }
    }
}

/// The model recursion on a dense daily series where `nil` is a day whose demand is unknown.
enum HoltWinters {
    static let period = 7

    struct State: Hashable, Sendable, Codable {
        var level: Double
        var trend: Double
        /// Indexed by day number modulo 7, so day t reads `seasonal[t % 7]`.
        var seasonal: [Double]
    }

    struct Run {
        var state: State
        var squaredError: Double
        var scored: Int
    }

    /// The state just before day 0, from the first two weeks: each week's mean sits at its middle day
    /// (3 and 10), so the trend is their difference over 7 days and the level is week 1's mean walked back
    /// 4 days; each weekday's index is its average deviation from that line. Unknown days are skipped; a
    /// week with no known day leaves the trend at 0. Requires day 0 to be known.
    static func initialState(_ y: [Double?]) -> State {
        func weekMean(_ week: Int) -> Double? {
            let days = (week * period..<min((week + 1) * period, y.count)).compactMap { y[$0] }
            return days.isEmpty ? nil : days.reduce(0, +) / Double(days.count)
        }
        let first = weekMean(0) ?? 0
        let second = weekMean(1)
        let trend = second.map { ($0 - first) / Double(period) } ?? 0
        let level = first - 4 * trend
        var seasonal = [Double](repeating: 0, count: period)
        for weekday in 0..<period {
            let deviations = [weekday, weekday + period].compactMap { t -> Double? in
                guard t < y.count, let value = y[t] else { return nil }
                return value - (level + Double(t + 1) * trend)
            }
            if !deviations.isEmpty { seasonal[weekday] = deviations.reduce(0, +) / Double(deviations.count) }
        }
        // Seasonal indices of an additive model sum to zero, or they smuggle level into the season.
        let mean = seasonal.reduce(0, +) / Double(period)
        return State(level: level, trend: trend, seasonal: seasonal.map { $0 - mean })
    }

    /// The series split into values and a known-mask once, so the grid search's inner loop reads plain doubles.
    struct Prepared {
        var values: [Double]
        var known: [Bool]

        init(_ y: [Double?]) {
            values = y.map { $0 ?? 0 }
            known = y.map { $0 != nil }
        }
    }

    /// Runs the damped additive recursion over `y`, scoring one-step errors from day `scoreFrom` on.
    ///
    /// An unknown day is imputed with its own one-step prediction ŷ = ℓ + φb + s. Substituting ŷ into the
    /// update equations leaves the level at ℓ + φb, the trend at φb and the season unchanged: the model
    /// carries its state across the gap without learning from it, exactly as a state-space filter treats a
    /// missing observation, and the day adds nothing to the error being minimised.
    /// `giveUpAt`: once the squared error reaches it the run stops and reports an infinite error. The error
    /// only grows, so a grid search passing its best so far gets the same winner with less work.
    static func run(_ y: Prepared, _ p: HoltWintersParameters, from initial: State, scoreFrom: Int,
                    giveUpAt: Double = .infinity) -> Run {
        var level = initial.level
        var trend = initial.trend
        var seasonal = initial.seasonal
        var squaredError = 0.0
        var scored = 0
        var weekday = 0
        // This loop runs |grid| × days times per SKU and location; unchecked buffers keep it a few ns a step.
        y.values.withUnsafeBufferPointer { values in
            y.known.withUnsafeBufferPointer { known in
                seasonal.withUnsafeMutableBufferPointer { season in
                    for t in 0..<values.count {
                        let s = season[weekday]
                        let base = level + p.phi * trend
                        if known[t] {
                            let observed = values[t]
                            let error = observed - (base + s)
                            if t >= scoreFrom {
                                squaredError += error * error
                                scored += 1
                                if squaredError >= giveUpAt {
                                    squaredError = .infinity
                                    break
                                }
                            }
                            let newLevel = p.alpha * (observed - s) + (1 - p.alpha) * base
                            trend = p.beta * (newLevel - level) + (1 - p.beta) * p.phi * trend
                            season[weekday] = p.gamma * (observed - base) + (1 - p.gamma) * s
                            level = newLevel
                        } else {
                            level = base
                            trend *= p.phi
                        }
                        weekday = weekday == period - 1 ? 0 : weekday + 1
                    }
                }
            }
        }
        return Run(state: State(level: level, trend: trend, seasonal: seasonal),
                   squaredError: squaredError, scored: scored)
    }

    /// ŷ(n−1+h) = ℓ + (φ + φ² + … + φʰ)·b + s(n−1+h) for h = 1…days, where n days have been seen.
    static func forecast(_ state: State, phi: Double, seen n: Int, days: Int) -> [Double] {
        var damping = 0.0
        var power = 1.0
        return (0..<max(days, 0)).map { step in
            power *= phi
            damping += power
            return state.level + damping * state.trend + state.seasonal[(n + step) % period]
        }
    }
}
