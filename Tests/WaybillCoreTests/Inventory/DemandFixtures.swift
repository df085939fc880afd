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

    /// One year of a retail SKU with a holiday peak (see `DemandGenerator.retailYear`).
    static func retailYear(seed: UInt64 = 2027) -> [Int64] { DemandGenerator.retailYear(seed: seed) }
}
