import Foundation

/// Everything Waybill knows about a carrier without asking it: names, home, number formats.
///
/// Built-in carriers live in `BuiltInCarriers`; a shop adds its own as JSON (snake_case keys),
/// checked by `validationErrors(at:)` before use.
public struct CarrierDefinition: Hashable, Sendable, Codable {
    public var code: CarrierCode
    public var nameEn: String
    public var nameKo: String?
    /// ISO 3166-1 alpha-2 country the carrier is based in; ranks it up for shipments there.
    public var country: String
    /// IANA zone of the local times the carrier reports (`Asia/Seoul` for Korean carriers).
    public var timeZone: String
    /// Public tracking page, with `{number}` where the tracking number goes.
    public var trackingURLTemplate: String
    public var numberPatterns: [NumberPattern]
    /// Business days without a scan after which a shipment with this carrier counts as stalled.
    public var stalledAfterBusinessDays: Int

    public init(
        code: CarrierCode, nameEn: String, nameKo: String? = nil, country: String, timeZone: String,
        trackingURLTemplate: String, numberPatterns: [NumberPattern], stalledAfterBusinessDays: Int = 3
    ) {
        self.code = code
        self.nameEn = nameEn
        self.nameKo = nameKo
        self.country = country
        self.timeZone = timeZone
        self.trackingURLTemplate = trackingURLTemplate
        self.numberPatterns = numberPatterns
        self.stalledAfterBusinessDays = stalledAfterBusinessDays
    }

    /// The carrier's own tracking page for `number`, percent-encoded.
    public func trackingURL(for number: String) -> String {
        let encoded = number.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? number
        return trackingURLTemplate.replacingOccurrences(of: "{number}", with: encoded)
    }

    enum CodingKeys: String, CodingKey {
        case code, country
        case nameEn = "name_en", nameKo = "name_ko", timeZone = "time_zone"
        case trackingURLTemplate = "tracking_url_template", numberPatterns = "number_patterns"
        case stalledAfterBusinessDays = "stalled_after_business_days"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(CarrierCode.self, forKey: .code)
        nameEn = try c.decode(String.self, forKey: .nameEn)
        nameKo = try c.decodeIfPresent(String.self, forKey: .nameKo)
        country = try c.decode(String.self, forKey: .country)
        timeZone = try c.decode(String.self, forKey: .timeZone)
        trackingURLTemplate = try c.decode(String.self, forKey: .trackingURLTemplate)
        numberPatterns = try c.decode([NumberPattern].self, forKey: .numberPatterns)
        // Optional in shop configuration: most shops never tune it.
        stalledAfterBusinessDays = try c.decodeIfPresent(Int.self, forKey: .stalledAfterBusinessDays) ?? 3
    }
}

/// One shape of tracking number a carrier issues, and how sure a match on it makes us.
///
/// Give a `mask` (fast, used by every built-in) or a `regex` (ICU, matched against the whole
/// normalised number; for shop-defined carriers). Mask characters: `#` a digit, `@` a letter,
/// `*` a letter or digit; anything else must appear literally (`1Z****************`).
public struct NumberPattern: Hashable, Sendable, Codable {
    public var name: String
    public var mask: String?
    public var regex: String?
    public var checkDigit: CheckDigitAlgorithm?
    /// 0…1. Built-ins keep verified check digits at 0.6 or more and pattern-only formats at 0.45
    /// or less, so a country bonus never lifts a bare pattern over a verified check digit.
    public var confidence: Double

    public init(
        name: String, mask: String? = nil, regex: String? = nil,
        checkDigit: CheckDigitAlgorithm? = nil, confidence: Double = 0.5
    ) {
        self.name = name
        self.mask = mask
        self.regex = regex
        self.checkDigit = checkDigit
        self.confidence = confidence
    }

    enum CodingKeys: String, CodingKey {
        case name, mask, regex, confidence
        case checkDigit = "check_digit"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        mask = try c.decodeIfPresent(String.self, forKey: .mask)
        regex = try c.decodeIfPresent(String.self, forKey: .regex)
        checkDigit = try c.decodeIfPresent(CheckDigitAlgorithm.self, forKey: .checkDigit)
        confidence = try c.decodeIfPresent(Double.self, forKey: .confidence) ?? 0.5
    }
}
