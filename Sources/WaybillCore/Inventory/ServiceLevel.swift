import Foundation

/// A cycle service level target: the probability of not running out during one replenishment lead time.
public struct ServiceLevel: Hashable, Sendable, Codable, CustomStringConvertible {
    public let probability: Double

    /// The issue's default target (F1).
    public static let standard = ServiceLevel(unchecked: 0.95)

    /// Accepts 0.5 ≤ p < 1. Below one half z is negative (a target that plans to run out more often than
    /// not, with a negative safety stock); at 1 it is infinite (no finite stock guarantees never running out).
    public init(_ probability: Double) throws(ValidationFailure) {
        guard probability.isFinite, probability >= 0.5, probability < 1 else {
            throw ValidationFailure([FieldIssue(field: "service_level", code: "out_of_range",
                                                message: "service level must be at least 0.5 and below 1")])
        }
        self.probability = probability
    }

    private init(unchecked probability: Double) { self.probability = probability }

    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(Double.self)
        do {
            try self.init(value)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "service level must be at least 0.5 and below 1"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(probability)
    }

    /// Standard normal quantile of the target: how many σ of lead-time demand the safety stock covers.
    public var z: Double { StandardNormal.quantile(probability) }

    public var description: String { "\(probability * 100)%" }
}

/// The standard normal distribution, as far as safety stock needs it.
public enum StandardNormal {
    /// Φ(x), through the C library's `erfc`, which keeps full relative precision in the tails.
    public static func cdf(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// Φ⁻¹(p) for 0 < p < 1 (±∞ at the ends, NaN outside).
    ///
    /// Peter J. Acklam's rational approximation (2003; relative error below 1.15 × 10⁻⁹ over the whole range),
    /// refined by one step of Halley's method on Φ(x) − p, which roughly triples the number of correct digits,
    /// so the result is limited by `erfc` itself: the tests find Φ(Φ⁻¹(p)) within 1 × 10⁻¹³ of p for
    /// p = 0.001…0.999, far more than a safety-stock table (four decimals) ever needs.
    public static func quantile(_ p: Double) -> Double {
        guard p > 0, p < 1 else {
            if p == 0 { return -.infinity }
            if p == 1 { return .infinity }
            return .nan
        }
        let x = acklam(p)
        // Halley: with e = Φ(x) − p and u = e / φ(x), x ← x − u / (1 + x·u/2).
        let e = cdf(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        return x - u / (1 + x * u / 2)
    }

    private static let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    private static let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                            6.680131188771972e+01, -1.328068155288572e+01]
    private static let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    private static let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                            3.754408661907416e+00]
    /// Below this (and above 1 − it) the tail form is used; between them the central form.
    private static let tail = 0.02425

    private static func acklam(_ p: Double) -> Double {
        if p < tail {
            return tailForm((-2 * log(p)).squareRoot())
        }
        if p > 1 - tail {
            return -tailForm((-2 * log(1 - p)).squareRoot())
        }
        let q = p - 0.5
        let r = q * q
        let numerator = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        let denominator = ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1
        return numerator / denominator
    }

    private static func tailForm(_ q: Double) -> Double {
        let numerator = ((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]
        let denominator = (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
        return numerator / denominator
    }
}
