import Foundation

/// A tiny seeded generator (SplitMix64, Steele, Lea & Flood 2014) so simulations and property tests replay exactly.
///
/// Uniform doubles, integers and normals are derived here rather than through the standard library's
/// `random(in:using:)`, whose algorithms may change between Swift releases: a seed must give the same
/// draws on every toolchain, or a backtest figure in the docs stops being reproducible.
public struct SplitMix64Generator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits (a double's whole mantissa).
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in `range`. The multiply-shift bias is below 2⁻³² for ranges this code uses.
    public mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        guard span > 0 else { return range.lowerBound &+ Int(truncatingIfNeeded: next()) }
        return range.lowerBound &+ Int(truncatingIfNeeded: next().multipliedFullWidth(by: span).high)
    }

    /// Standard normal draw by Box–Muller; `1 − u` keeps the logarithm's argument in (0, 1].
    public mutating func nextGaussian() -> Double {
        let u1 = 1 - nextUnit()
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
