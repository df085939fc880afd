import Foundation

/// One carrier a tracking number could belong to, and how sure detection is.
public struct CarrierMatch: Hashable, Sendable, Codable {
    public var carrier: CarrierCode
    /// The `NumberPattern.name` that matched (`"UPS 1Z"`, `"CJ 12"`).
    public var format: String
    /// Spaces and dashes removed, upper case: the form to store and to send to the carrier.
    public var normalizedNumber: String
    /// 0…1, comparable across carriers; see `BuiltInCarriers` for how the built-ins are set.
    public var confidence: Double
    /// True only when the format publishes a check digit and it agreed.
    public var checkDigitVerified: Bool

    public init(carrier: CarrierCode, format: String, normalizedNumber: String, confidence: Double,
                checkDigitVerified: Bool) {
        self.carrier = carrier
        self.format = format
        self.normalizedNumber = normalizedNumber
        self.confidence = confidence
        self.checkDigitVerified = checkDigitVerified
    }
}

/// Guesses the carrier of a tracking number, best first (F5): no shop picks a carrier by hand.
///
/// A number failing a published check digit is not offered for that format at all; a number
/// matching only a bare pattern is offered with low confidence. Several carriers share shapes
/// (twelve digits are CJ, Hanjin, Lotte or FedEx), so ambiguous numbers return every candidate.
public struct TrackingNumberDetector: Sendable {
    /// Added when the carrier is based in the shipment's destination or origin country. Small
    /// enough that a bare Korean pattern (≤ 0.45) never passes a verified check digit (≥ 0.6).
    public static let countryBonus = 0.1

    private let codes: [CarrierCode]
    private let countries: [String]
    /// Mask patterns bucketed by length, so a number is only tried against same-length shapes.
    private let masksByLength: [[MaskEntry]]
    private let regexes: [RegexEntry]

    public init(carriers: [CarrierDefinition]) {
        codes = carriers.map(\.code)
        countries = carriers.map(\.country)
        var buckets = [[MaskEntry]](repeating: [], count: 41)
        var regexes: [RegexEntry] = []
        for (carrier, definition) in carriers.enumerated() {
            for pattern in definition.numberPatterns {
                let rule = Rule(carrier: carrier, name: pattern.name, checkDigit: pattern.checkDigit,
                                confidence: pattern.confidence)
                if let text = pattern.mask, let mask = NumberMask(text) {
                    buckets[mask.count].append(MaskEntry(rule: rule, mask: mask))
                } else if let text = pattern.regex, let regex = try? NSRegularExpression(pattern: "^(?:\(text))$") {
                    regexes.append(RegexEntry(rule: rule, regex: CompiledRegex(regex)))
                }
                // An invalid pattern is skipped here: `CarrierRegistry` refuses it before it gets this far.
            }
        }
        masksByLength = buckets
        self.regexes = regexes
    }

    public static let builtIn = CarrierRegistry.builtIn.detector

    /// Detection against the built-in carriers.
    public static func detect(
        _ number: String, destinationCountry: String? = nil, originCountry: String? = nil
    ) -> [CarrierMatch] {
        builtIn.detect(number, destinationCountry: destinationCountry, originCountry: originCountry)
    }

    public func detect(
        _ number: String, destinationCountry: String? = nil, originCountry: String? = nil
    ) -> [CarrierMatch] {
        guard let bytes = TrackingNumberNormalizer.normalizedBytes(number) else { return [] }
        var hits: [Hit] = []
        for entry in masksByLength[bytes.count] where entry.mask.matches(bytes) {
            consider(entry.rule, bytes, into: &hits)
        }
        if !regexes.isEmpty {
            let text = String(decoding: bytes, as: UTF8.self)
            for entry in regexes where entry.regex.matchesWhole(text) {
                consider(entry.rule, bytes, into: &hits)
            }
        }
        guard !hits.isEmpty else { return [] }
        for i in hits.indices {
            let home = countries[hits[i].rule.carrier]
            let bonus = home == destinationCountry || home == originCountry ? Self.countryBonus : 0
            hits[i].confidence = (min(hits[i].rule.confidence + bonus, 0.99) * 100).rounded() / 100
        }
        // Sorted before building results, so the hot path allocates only the hits and the answer.
        hits.sort { a, b in
            if a.confidence != b.confidence { return a.confidence > b.confidence }
            if a.verified != b.verified { return a.verified }
            return a.rule.carrier < b.rule.carrier
        }
        let normalized = String(decoding: bytes, as: UTF8.self)
        return hits.map { hit in
            CarrierMatch(carrier: codes[hit.rule.carrier], format: hit.rule.name, normalizedNumber: normalized,
                         confidence: hit.confidence, checkDigitVerified: hit.verified)
        }
    }

    /// Keeps one hit per carrier: its most confident format that matched and passed its check.
    private func consider(_ rule: Rule, _ bytes: [UInt8], into hits: inout [Hit]) {
        var verified = false
        if let algorithm = rule.checkDigit {
            guard algorithm.verify(bytes) else { return }
            verified = true
        }
        if let i = hits.firstIndex(where: { $0.rule.carrier == rule.carrier }) {
            if hits[i].rule.confidence < rule.confidence {
                hits[i] = Hit(rule: rule, verified: verified, confidence: rule.confidence)
            }
        } else {
            hits.append(Hit(rule: rule, verified: verified, confidence: rule.confidence))
        }
    }

    private struct Rule: Sendable {
        let carrier: Int
        let name: String
        let checkDigit: CheckDigitAlgorithm?
        let confidence: Double
    }

    private struct Hit {
        let rule: Rule
        let verified: Bool
        /// The rule's confidence plus any country bonus.
        var confidence: Double
    }

    private struct MaskEntry: Sendable {
        let rule: Rule
        let mask: NumberMask
    }

    private struct RegexEntry: Sendable {
        let rule: Rule
        let regex: CompiledRegex
    }
}

/// A pattern compiled once (a shop's tracking-number pattern, the P.O. box and postal-code rules): compiling
/// costs far more than matching. `@unchecked Sendable` is safe: Foundation documents `NSRegularExpression`
/// as immutable and thread-safe, and this wrapper adds no state.
final class CompiledRegex: @unchecked Sendable {
    let regex: NSRegularExpression

    init(_ regex: NSRegularExpression) { self.regex = regex }

    /// For patterns that are constants of the code: a bad one is a programming error the tests catch.
    convenience init(constant pattern: String) {
        self.init(try! NSRegularExpression(pattern: pattern))
    }

    /// Whether the pattern matches anywhere in `text`.
    func matches(in text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    func matchesWhole(_ text: String) -> Bool {
        // The pattern was wrapped in ^(?:…)$, so any match spans the whole number.
        matches(in: text)
    }
}
