/// Checks an address is complete and well-formed for its country, and normalises it.
public enum AddressValidator {
    static let maxLength = 200
    /// Countries whose addresses are not deliverable without a state or province.
    static let regionRequired: Set<String> = ["US", "CA", "AU", "BR", "CN", "MX", "IN"]

    public static func validate(_ address: Address, field: String, issues: inout IssueList) -> Address {
        var out = address
        out.name = clean(address.name)
        out.company = address.company.map(clean).flatMap { $0.isEmpty ? nil : $0 }
        out.line1 = clean(address.line1)
        out.line2 = address.line2.map(clean).flatMap { $0.isEmpty ? nil : $0 }
        out.city = clean(address.city)
        out.region = address.region.map(clean).flatMap { $0.isEmpty ? nil : $0 }
        out.country = clean(address.country).uppercased()

        for (key, value) in [("name", out.name), ("line1", out.line1), ("city", out.city)] where value.isEmpty {
            issues.add("\(field).\(key)", "required", "\(key) is required")
        }
        let texts: [(String, String?)] = [
            ("name", out.name), ("company", out.company), ("line1", out.line1), ("line2", out.line2),
            ("city", out.city), ("region", out.region),
        ]
        for (key, value) in texts {
            guard let value else { continue }
            if value.count > maxLength {
                issues.add("\(field).\(key)", "too_long", "\(key) must be at most \(maxLength) characters")
            }
            if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                issues.add("\(field).\(key)", "invalid_characters", "\(key) contains control characters")
            }
        }

        guard CountryCode.isValid(out.country) else {
            issues.add("\(field).country", out.country.isEmpty ? "required" : "invalid_country",
                       "country must be an ISO 3166-1 alpha-2 code")
            return out
        }
        if regionRequired.contains(out.country) && out.region == nil {
            issues.add("\(field).region", "required", "region (state or province) is required in \(out.country)")
        }

        let postal = address.postalCode.map(clean) ?? ""
        switch PostalCodeRule.check(postal, country: out.country) {
        case .valid(let normalized):
            out.postalCode = normalized
        case .invalid(let expected):
            issues.add("\(field).postal_code", postal.isEmpty ? "required" : "invalid_postal_code",
                       "postal code for \(out.country) must look like \(expected)")
        case .noPostalCodes:
            out.postalCode = postal.isEmpty ? nil : postal
        case .unknownCountry:
            if postal.isEmpty {
                issues.add("\(field).postal_code", "required", "postal code is required")
            } else if postal.count > 16 {
                issues.add("\(field).postal_code", "too_long", "postal code must be at most 16 characters")
            }
            out.postalCode = postal.isEmpty ? nil : postal
        }

        if let phone = address.phone.map(clean), !phone.isEmpty {
            if let e164 = PhoneRule.normalizeE164(phone, defaultCountry: out.country) {
                out.phone = e164
            } else {
                issues.add("\(field).phone", "invalid_phone", "phone must be a valid E.164 number, e.g. +821012345678")
            }
        } else {
            out.phone = nil
        }
        return out
    }

    static func clean(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
