import Foundation
@testable import WaybillCore

/// Generated demand histories with known structure, seeded so every run sees the same numbers.
enum DemandFixtures {
    /// Additive weekday effects (sum 0): quiet early week, busy weekend.
    static let weekdayEffect: [Double] = [-6, -3, -1, 0, 2, 5, 3]

    /// The noise-free mean on day t: level 30, +0.1 a day, plus the weekday effect.
    static func trueMean(_ t: Int) -> Double { 30 + 0.1 * Double(t) + weekdayEffect[t % 7] }

    /// 16 weeks of that mean plus normal noise of σ 1.5, rounded to whole units.
    static func trendingWeekly(days: Int = 112, seed: UInt64 = 7) -> [Int64] {
        var random = SplitMix64Generator(seed: seed)
        return (0..<days).map { max(0, Int64((trueMean($0) + 1.5 * random.nextGaussian()).rounded())) }
    }

    /// One year of a retail SKU: about 20 a day growing 25 % over the year, a weekly pattern, a three-week
    /// holiday peak (days 320–340, ×1.6, ×2.4, ×1.8) and noise of 30 % of the mean.
    static func retailYear(seed: UInt64 = 2027) -> [Int64] {
        let weekday: [Double] = [0.8, 0.85, 0.9, 1.0, 1.1, 1.35, 1.0]
        var random = SplitMix64Generator(seed: seed)
        return (0..<365).map { day in
            var mean = 20 * (1 + 0.25 * Double(day) / 365) * weekday[day % 7]
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
