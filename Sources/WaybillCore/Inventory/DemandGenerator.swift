import Foundation

/// Generated daily demand with a known shape, for the backtest CLI, the benchmarks and the tests: real
/// shops' histories are private, and a known shape tells whether the forecaster finds what is there.
public enum DemandGenerator {
    /// One year of a retail SKU: about `base` a day growing 25 % over the year, a weekly pattern (busy
    /// Saturday), a three-week holiday peak (days 320–340, ×1.6, ×2.4, ×1.8) and noise of 30 % of the mean.
    /// The same seed gives the same year.
    public static func retailYear(seed: UInt64 = 2027, base: Double = 20) -> [Int64] {
        let weekday: [Double] = [0.8, 0.85, 0.9, 1.0, 1.1, 1.35, 1.0]
        var random = SplitMix64Generator(seed: seed)
        return (0..<365).map { day in
            var mean = base * (1 + 0.25 * Double(day) / 365) * weekday[day % 7]
            switch day {
            case 320..<327: mean *= 1.6
            case 327..<334: mean *= 2.4
            case 334..<341: mean *= 1.8
            default: break
            }
            return max(0, Int64((mean * (1 + 0.3 * random.nextGaussian())).rounded()))
        }
    }
}
