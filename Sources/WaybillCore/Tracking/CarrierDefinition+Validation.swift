import Foundation

/// Why a carrier definition was refused, naming the configuration field at fault.
///
/// `field` is a JSON-path-like pointer (`carriers[2].number_patterns[0].regex`) so the console
/// can show the message next to the input a shop got wrong.
public enum CarrierConfigError: Error, Hashable, Sendable {
    case invalidCode(field: String, code: String)
    case duplicateCode(field: String, code: CarrierCode)
    case blankName(field: String)
    case invalidCountry(field: String, value: String)
    case invalidTimeZone(field: String, value: String)
    case templateWithoutPlaceholder(field: String)
    case invalidURLTemplate(field: String)
    case noPatterns(field: String)
    /// A pattern must have exactly one of `mask` or `regex`.
    case maskOrRegexRequired(field: String)
    case invalidRegex(field: String, reason: String)
    case invalidMask(field: String)
    case confidenceOutOfRange(field: String)
    case invalidStallDays(field: String)

    public var field: String {
        switch self {
        case .invalidCode(let f, _), .duplicateCode(let f, _), .blankName(let f), .invalidCountry(let f, _),
            .invalidTimeZone(let f, _), .templateWithoutPlaceholder(let f), .invalidURLTemplate(let f),
            .noPatterns(let f), .maskOrRegexRequired(let f), .invalidRegex(let f, _), .invalidMask(let f),
            .confidenceOutOfRange(let f), .invalidStallDays(let f):
            return f
        }
    }

    /// The same refusal in the shape every other Core validator reports.
    public var fieldIssue: FieldIssue {
        switch self {
        case .invalidCode(let f, let code):
            FieldIssue(field: f, code: "invalid_format", message: "'\(code)' is not a-z, 0-9 and _, 2–32 long")
        case .duplicateCode(let f, let code):
            FieldIssue(field: f, code: "duplicate", message: "carrier code '\(code)' is already taken")
        case .blankName(let f): FieldIssue(field: f, code: "required", message: "a name is required")
        case .invalidCountry(let f, let v):
            FieldIssue(field: f, code: "invalid_country", message: "'\(v)' is not an ISO 3166-1 alpha-2 code")
        case .invalidTimeZone(let f, let v):
            FieldIssue(field: f, code: "invalid_time_zone", message: "'\(v)' is not an IANA time zone")
        case .templateWithoutPlaceholder(let f):
            FieldIssue(field: f, code: "missing_placeholder", message: "the URL template needs {number}")
        case .invalidURLTemplate(let f):
            FieldIssue(field: f, code: "invalid_url", message: "the URL template must be an http(s) URL")
        case .noPatterns(let f): FieldIssue(field: f, code: "required", message: "at least one number pattern")
        case .maskOrRegexRequired(let f):
            FieldIssue(field: f, code: "mask_or_regex", message: "give exactly one of mask or regex")
        case .invalidRegex(let f, let reason): FieldIssue(field: f, code: "invalid_regex", message: reason)
        case .invalidMask(let f):
            FieldIssue(field: f, code: "invalid_mask", message: "a mask is 1–40 ASCII letters, digits, # @ *")
        case .confidenceOutOfRange(let f):
            FieldIssue(field: f, code: "out_of_range", message: "confidence must be between 0 and 1")
        case .invalidStallDays(let f):
            FieldIssue(field: f, code: "out_of_range", message: "stalled_after_business_days must be 1–60")
        }
    }
}

extension CarrierDefinition {
    /// Every problem with this definition; empty when it can be used. `path` prefixes each field.
    public func validationErrors(at path: String = "") -> [CarrierConfigError] {
        let p = path.isEmpty ? "" : path + "."
        var errors: [CarrierConfigError] = []
        if !code.isWellFormed { errors.append(.invalidCode(field: p + "code", code: code.rawValue)) }
        if nameEn.trimmingCharacters(in: .whitespaces).isEmpty { errors.append(.blankName(field: p + "name_en")) }
        if !CountryCode.isValid(country) { errors.append(.invalidCountry(field: p + "country", value: country)) }
        if TimeZone(identifier: timeZone) == nil {
            errors.append(.invalidTimeZone(field: p + "time_zone", value: timeZone))
        }
        if !trackingURLTemplate.contains("{number}") {
            errors.append(.templateWithoutPlaceholder(field: p + "tracking_url_template"))
        } else if !Self.isHTTPURL(trackingURLTemplate.replacingOccurrences(of: "{number}", with: "X"))
                    && !Self.isOwnPath(trackingURLTemplate) {
            errors.append(.invalidURLTemplate(field: p + "tracking_url_template"))
        }
        if !(1...60).contains(stalledAfterBusinessDays) {
            errors.append(.invalidStallDays(field: p + "stalled_after_business_days"))
        }
        if numberPatterns.isEmpty { errors.append(.noPatterns(field: p + "number_patterns")) }
        for (i, pattern) in numberPatterns.enumerated() {
            errors += pattern.validationErrors(at: p + "number_patterns[\(i)]")
        }
        return errors
    }

    /// A path on Waybill itself (`/console/shipments?q={number}`): carriers without a public page.
    static func isOwnPath(_ template: String) -> Bool {
        template.hasPrefix("/") && !template.hasPrefix("//") && !template.contains("\\") && template.count <= 500
    }

    private static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), url.host != nil else {
            return false
        }
        return scheme == "https" || scheme == "http"
    }
}

extension NumberPattern {
    func validationErrors(at path: String) -> [CarrierConfigError] {
        var errors: [CarrierConfigError] = []
        switch (mask, regex) {
        case (let mask?, nil):
            if NumberMask(mask) == nil { errors.append(.invalidMask(field: path + ".mask")) }
        case (nil, let regex?):
            do {
                _ = try NSRegularExpression(pattern: regex)
            } catch {
                errors.append(.invalidRegex(field: path + ".regex", reason: "'\(regex)' does not compile"))
            }
        default:
            errors.append(.maskOrRegexRequired(field: path))
        }
        if !(0...1).contains(confidence) { errors.append(.confidenceOutOfRange(field: path + ".confidence")) }
        return errors
    }

}
