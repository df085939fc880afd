import Foundation

/// Checks and canonicalises the e-mail address an order's notifications go to.
public enum EmailRule {
    /// The trimmed address with its domain in lower case, or nil when it cannot be an address.
    ///
    /// A pragmatic subset of RFC 5321/5322 with RFC 6531 internationalisation: dot-atoms only (no
    /// quoted local parts, comments or IP literals), because those are typos far more often than
    /// real addresses. The local part keeps its case: only the receiving server may fold it.
    public static func normalize(_ s: String) -> String? {
        // NFC so the same Hangul or accented address typed on different keyboards compares equal.
        let text = s.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
        // SMTP counts octets, and UTF-8 is how an internationalised address travels.
        guard text.utf8.count <= 254 else { return nil }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let local = String(parts[0])
        let domain = parts[1].lowercased()
        guard isValidLocalPart(local), isValidDomain(domain) else { return nil }
        return "\(local)@\(domain)"
    }

    private static let atextSymbols = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)

    private static func isValidLocalPart(_ local: String) -> Bool {
        guard (1...64).contains(local.utf8.count),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..")
        else { return false }
        return local.unicodeScalars.allSatisfy { scalar in
            scalar == "." || isLetterOrDigit(scalar) || atextSymbols.contains(scalar)
        }
    }

    private static func isValidDomain(_ domain: String) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let tld = labels.last else { return false }
        // Counted in characters: the 63-octet limit really applies to the punycode form, which
        // is always longer, so this lets through nothing that limit would allow.
        let labelsOK = labels.allSatisfy { label in
            (1...63).contains(label.count)
                && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { $0 == "-" || isLetterOrDigit($0) }
        }
        return labelsOK && isValidTopLevelDomain(tld)
    }

    /// Letters only (`com`, `kr`, `한국`), or the punycode form of an internationalised one (`xn--3e0b707e`).
    private static func isValidTopLevelDomain(_ tld: Substring) -> Bool {
        if tld.hasPrefix("xn--") {
            return tld.count > 4 && tld.unicodeScalars.allSatisfy { $0 == "-" || isLetterOrDigit($0) }
        }
        return tld.count >= 2 && tld.unicodeScalars.allSatisfy { $0.properties.isAlphabetic }
    }

    private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        // Marks are needed for scripts such as Devanagari, whose vowel signs combine with letters.
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .decimalNumber:
            return true
        default:
            return false
        }
    }
}

/// Turns the phone numbers people type into E.164 (`+821012345678`) for SMS and carriers.
public enum PhoneRule {
    /// `s` in E.164, or nil when it is not a phone number that can be dialled from abroad.
    ///
    /// Numbers written without an international prefix are read as national numbers of
    /// `defaultCountry` (the shipping country, usually), whose trunk prefix is dropped.
    public static func normalizeE164(_ s: String, defaultCountry: String?) -> String? {
        var text = s.folding(options: .widthInsensitive, locale: nil)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let isInternational = text.hasPrefix("+") || text.hasPrefix("00")
        if isInternational {
            // "+44 (0)20 …": the bracketed trunk zero is dialled only from inside the country.
            text = text.replacingOccurrences(of: "(0)", with: "")
        }
        let separators: Set<Character> = ["-", ".", "(", ")"]
        let compact = String(text.filter { !$0.isWhitespace && !separators.contains($0) })

        if compact.hasPrefix("+") { return international(compact.dropFirst()) }
        if compact.hasPrefix("00") { return international(compact.dropFirst(2)) }

        guard let country = defaultCountry?.uppercased(),
              let callingCode = CountryCode.callingCode(country),
              isDigits(compact)
        else { return nil }
        // North America dials abroad with 011, not 00.
        if callingCode == "1", compact.hasPrefix("011") { return international(compact.dropFirst(3)) }
        guard let national = nationalSignificantNumber(compact, country: country, callingCode: callingCode)
        else { return nil }
        return international(Substring(callingCode + national))
    }

    /// E.164 allows at most 15 digits, and no country code starts with 0; fewer than 8 digits
    /// is not a reachable subscriber anywhere we ship.
    private static func international(_ digits: Substring) -> String? {
        guard (8...15).contains(digits.count), isDigits(digits), digits.first != "0" else { return nil }
        return "+" + digits
    }

    private static func nationalSignificantNumber(_ digits: String, country: String, callingCode: String) -> String? {
        if callingCode == "1" {
            // NANP: ten digits, area code never starting with 0 or 1; a leading 1 is the trunk prefix.
            let number = digits.count == 11 && digits.hasPrefix("1") ? String(digits.dropFirst()) : digits
            guard number.count == 10, let first = number.first, first >= "2" else { return nil }
            return number
        }
        if countriesWithoutTrunkPrefix.contains(country) {
            // Here a leading 0 is part of the number itself (Italy's +39 06 …).
            return digits
        }
        let trunk = otherTrunkPrefixes[country] ?? "0"
        // Without the trunk prefix we cannot tell a national number from a mistyped foreign one.
        guard digits.hasPrefix(trunk) else { return nil }
        let number = digits.dropFirst(trunk.count)
        guard let first = number.first, first != "0" else { return nil }
        return String(number)
    }

    private static func isDigits<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
    }

    // From libphonenumber's metadata: most countries dial a national number with a leading 0.
    private static let otherTrunkPrefixes: [String: String] = [
        "BY": "80", "HU": "06", "KZ": "8", "MH": "1", "RU": "8", "TM": "8",
    ]

    // Closed numbering plans: the number is dialled the same at home and after the country code.
    private static let countriesWithoutTrunkPrefix: Set<String> = [
        "AD", "AO", "AW", "BF", "BH", "BI", "BJ", "BN", "BQ", "BT", "BW", "BZ", "CF", "CG", "CI", "CK",
        "CL", "CM", "CR", "CV", "CW", "CY", "CZ", "DJ", "DK", "EE", "ES", "FJ", "FK", "FM", "FO", "GA",
        "GI", "GL", "GM", "GN", "GQ", "GR", "GT", "GW", "GY", "HK", "HN", "HT", "IO", "IS", "IT", "KM",
        "KW", "LS", "LU", "LV", "ML", "MO", "MR", "MT", "MU", "MV", "MX", "MZ", "NC", "NE", "NF", "NI",
        "NO", "NR", "NU", "OM", "PA", "PF", "PG", "PL", "PT", "PW", "QA", "SB", "SC", "SG", "SH", "SJ",
        "SM", "SN", "SR", "ST", "SV", "SZ", "TD", "TG", "TJ", "TK", "TL", "TN", "TO", "TV", "UZ", "VA",
        "VU", "WF", "WS",
    ]
}

/// Spots P.O. box address lines, which carriers that need a doorstep (couriers, freight) refuse.
public enum POBoxRule {
    /// True when `line` names a post-office box in any of the languages we ship to.
    ///
    /// Matching is case-, accent- and width-insensitive and anchored at word boundaries, so
    /// "Boxer Street", "Hopbox" or "Apollo Box Rd" are not mistaken for boxes.
    public static func looksLikePOBox(_ line: String) -> Bool {
        let folded = line.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        if wordsWithoutBoundaries.contains(where: { folded.contains($0) }) { return true }
        return anyPattern.matches(in: folded)
    }

    // CJK and Hangul are written without spaces and take particles, so a plain substring is the right test.
    private static let wordsWithoutBoundaries = ["私書箱", "사서함", "邮政信箱", "郵政信箱"]

    private static let anyPattern = CompiledRegex(constant: patterns.map { "(?:\($0))" }.joined(separator: "|"))

    // Applied to the folded (lower-case, accent-free) line.
    private static let patterns = [
        #"\bp[\s.]+o[\s.]*box\b"#,                    // P.O. Box, P O Box, P.O.Box
        #"\bpo[\s.]+box\b"#,                          // PO Box
        #"\bpobox\s*(?:no\.?|#)?\s*\d"#,              // POBox 12 (but not "Pobox Lane")
        #"\bp\.?\s?o\.?\s?b\.?\s*(?:no\.?|#)?\s*\d"#, // POB 12, P.O.B. 12
        #"\bpost\s+office\s+box\b"#,
        #"\bpostfach\b"#,                             // German
        #"\bboite\s+postale\b"#,                      // French
        #"\bb\.?\s?p\.?\s*\d"#,                       // BP 123, B.P. 123
        #"\bcaixa\s+postal\b"#,                       // Portuguese
        #"\bapartado\s+(?:de\s+)?correos?\b"#,        // Spanish
        #"\bapartado\s+postal\b"#,                    // Mexican Spanish
        #"\bcasilla\s+de\s+correos?\b"#,              // Argentine, Chilean Spanish
        #"\bcasella\s+postale\b"#,                    // Italian
        #"\bpostbus\s*\d"#,                           // Dutch
        #"\bpostboks\b"#,                             // Danish, Norwegian
    ]
}
