import Foundation

/// What a postal code check concluded, with the canonical spelling when the code is good.
public enum PostalCodeCheck: Hashable, Sendable {
    case valid(normalized: String)
    /// `expectedFormat` is an example a person can copy the shape of (`"123-4567"`).
    case invalid(expectedFormat: String)
    /// The country has no postal codes; whatever was typed should be dropped, not refused.
    case noPostalCodes
    /// Not an upper-case ISO 3166-1 alpha-2 code.
    case unknownCountry
}

/// Postal-code formats by country, so a typo is caught at checkout rather than by the carrier.
public enum PostalCodeRule {
    public static func check(_ code: String, country: String) -> PostalCodeCheck {
        guard CountryCode.isValid(country) else { return .unknownCountry }
        if countriesWithoutPostalCodes.contains(country) { return .noPostalCodes }

        let input = clean(code)
        // Eircodes exist but are not required for delivery, so an Irish address may lack one.
        if country == "IE", input.isEmpty { return .noPostalCodes }

        guard let rule = rules[country] else { return genericCheck(input) }
        for format in rule.formats {
            let range = NSRange(input.startIndex..., in: input)
            let regex = format.regex
            if let match = regex.firstMatch(in: input, range: range), match.range == range {
                return .valid(normalized: regex.replacementString(
                    for: match, in: input, offset: 0, template: format.template))
            }
        }
        return .invalid(expectedFormat: rule.example)
    }

    /// Trims, folds full-width characters (common in Japanese and Chinese input) to ASCII,
    /// upper-cases, drops a leading `〒` and collapses runs of whitespace to one space.
    static func clean(_ code: String) -> String {
        var text = code.folding(options: .widthInsensitive, locale: nil).uppercased()
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("〒") { text = String(text.dropFirst()) }
        return text
            .components(separatedBy: .whitespacesAndNewlines)
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    /// Countries without a specific rule still get a shape check, so free text is refused
    /// without blocking real codes we have not described yet.
    private static let genericShape = CompiledRegex(constant: #"^[A-Z0-9](?:[A-Z0-9 -]{0,8}[A-Z0-9])?$"#)

    private static func genericCheck(_ input: String) -> PostalCodeCheck {
        guard input.count >= 2, genericShape.matches(in: input) else {
            return .invalid(expectedFormat: "2–10 letters, digits, spaces or hyphens")
        }
        return .valid(normalized: input)
    }

    private struct Format {
        /// ICU regular expression matched against the whole cleaned input.
        let pattern: String
        /// How the captured groups are put back together in the canonical spelling.
        let template: String

        /// Compiled once, with the table.
        let compiled: CompiledRegex
        var regex: NSRegularExpression { compiled.regex }

        init(pattern: String, template: String) {
            self.pattern = pattern
            self.template = template
            compiled = CompiledRegex(constant: pattern)
        }
    }

    private struct Rule {
        let example: String
        let formats: [Format]

        init(_ example: String, _ formats: (String, String)...) {
            self.example = example
            self.formats = formats.map { Format(pattern: $0.0, template: $0.1) }
        }
    }

    private static let fiveDigits = Rule("12345", (#"^([0-9]{5})$"#, "$1"))
    private static let fourDigits = Rule("1234", (#"^([0-9]{4})$"#, "$1"))
    private static let fourDigitsNoLeadingZero = Rule("1010", (#"^([1-9][0-9]{3})$"#, "$1"))
    private static let sixDigits = Rule("123456", (#"^([0-9]{6})$"#, "$1"))

    // UK grammar: outward code in its six shapes (A9, A99, AA9, AA99, A9A, AA9A) with the letters
    // Royal Mail never uses in each position left out, then the inward code 9AA.
    private static let ukOutward =
        "[A-PR-UWYZ](?:[0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9]{1,2}|[A-HK-Y][0-9][ABEHMNPRV-Y])"
    private static let ukInward = "[0-9][ABD-HJLNP-UW-Z]{2}"
    // Canada never uses D F I O Q U, nor W Z as the first letter.
    private static let caLetter = "[ABCEGHJ-NPRSTV-Z]"

    private static let rules: [String: Rule] = [
        "KR": fiveDigits,
        "US": Rule("12345 or 12345-6789",
                   (#"^([0-9]{5})$"#, "$1"),
                   (#"^([0-9]{5})[- ]?([0-9]{4})$"#, "$1-$2")),
        "JP": Rule("123-4567", (#"^([0-9]{3})[- ]?([0-9]{4})$"#, "$1-$2")),
        "CN": sixDigits,
        "GB": Rule("SW1A 1AA",
                   (#"^(GIR) ?(0AA)$"#, "$1 $2"),
                   ("^(\(ukOutward)) ?(\(ukInward))$", "$1 $2")),
        "DE": fiveDigits,
        "FR": Rule("75008", (#"^([0-9]{5})$"#, "$1")),
        "IT": Rule("00144", (#"^([0-9]{5})$"#, "$1")),
        // The first two digits are the province, 01–52.
        "ES": Rule("28013", (#"^((?:0[1-9]|[1-4][0-9]|5[0-2])[0-9]{3})$"#, "$1")),
        "MX": Rule("06600", (#"^([0-9]{5})$"#, "$1")),
        "CA": Rule("K1A 0B1",
                   ("^([ABCEGHJ-NPRSTVXY][0-9]\(caLetter)) ?([0-9]\(caLetter)[0-9])$", "$1 $2")),
        "AU": Rule("2000", (#"^([0-9]{4})$"#, "$1")),
        "NZ": Rule("6011", (#"^([0-9]{4})$"#, "$1")),
        "BR": Rule("01310-100", (#"^([0-9]{5})-?([0-9]{3})$"#, "$1-$2")),
        // PostNL does not issue the letter pairs SA, SD and SS.
        "NL": Rule("1234 AB", (#"^([1-9][0-9]{3}) ?((?!SA|SD|SS)[A-Z]{2})$"#, "$1 $2")),
        "SE": Rule("114 55", (#"^([1-9][0-9]{2}) ?([0-9]{2})$"#, "$1 $2")),
        "CH": fourDigitsNoLeadingZero,
        "AT": fourDigitsNoLeadingZero,
        "BE": fourDigitsNoLeadingZero,
        "SG": sixDigits,
        // Three digits identify the district; the five- and six-digit forms add the delivery section.
        "TW": Rule("100 or 10041 or 100001", (#"^([0-9]{3}(?:[0-9]{2,3})?)$"#, "$1")),
        // Eircode: routing key (letter + two digits, or the odd D6W) and a four-character identifier.
        "IE": Rule("D02 X285",
                   (#"^([AC-FHKNPRTV-Y][0-9]{2}|D6W) ?([0-9AC-FHKNPRTV-Y]{4})$"#, "$1 $2")),
        // PIN codes are often written 110 001; India Post's canonical form has no space.
        "IN": Rule("110001", (#"^([1-9][0-9]{2}) ?([0-9]{3})$"#, "$1$2")),
        // Viet Nam moved to five digits in 2018; six-digit codes still appear on older records.
        "VN": Rule("10000", (#"^([0-9]{5,6})$"#, "$1")),
    ]

    // Places where mail is delivered by name and P.O. box only.
    private static let countriesWithoutPostalCodes: Set<String> = [
        "AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BO", "BQ", "BS", "BW", "BZ", "CD", "CF", "CG",
        "CI", "CK", "CM", "CW", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK",
        "KI", "KM", "KN", "KP", "ML", "MO", "MR", "MW", "NR", "NU", "QA", "RW", "SB", "SC", "SL",
        "SR", "ST", "SX", "SY", "TD", "TG", "TK", "TL", "TO", "TV", "UG", "VU", "YE", "ZW",
    ]
}

/// ISO 3166-1 alpha-2 country codes and their international calling codes.
public enum CountryCode {
    /// True only for an assigned code written in upper case (`"KR"`, not `"kr"` or `"UK"`).
    public static func isValid(_ code: String) -> Bool {
        all.contains(code)
    }

    /// The ITU calling code without `+` (`"82"` for KR, `"1"` for US and CA), or nil for places
    /// with no telephone numbering of their own (Antarctica, Bouvet Island, …).
    public static func callingCode(_ country: String) -> String? {
        callingCodes[country]
    }

    // All 249 officially assigned codes.
    static let all: Set<String> = [
        "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
        "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
        "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
        "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
        "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
        "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
        "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
        "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
        "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
        "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
        "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
        "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
        "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
        "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
        "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
        "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
    ]

    // From the ITU assignments as libphonenumber records them; several territories share a code.
    static let callingCodes: [String: String] = [
        "AD": "376", "AE": "971", "AF": "93", "AG": "1", "AI": "1", "AL": "355", "AM": "374", "AO": "244",
        "AR": "54", "AS": "1", "AT": "43", "AU": "61", "AW": "297", "AX": "358", "AZ": "994", "BA": "387",
        "BB": "1", "BD": "880", "BE": "32", "BF": "226", "BG": "359", "BH": "973", "BI": "257", "BJ": "229",
        "BL": "590", "BM": "1", "BN": "673", "BO": "591", "BQ": "599", "BR": "55", "BS": "1", "BT": "975",
        "BW": "267", "BY": "375", "BZ": "501", "CA": "1", "CC": "61", "CD": "243", "CF": "236", "CG": "242",
        "CH": "41", "CI": "225", "CK": "682", "CL": "56", "CM": "237", "CN": "86", "CO": "57", "CR": "506",
        "CU": "53", "CV": "238", "CW": "599", "CX": "61", "CY": "357", "CZ": "420", "DE": "49", "DJ": "253",
        "DK": "45", "DM": "1", "DO": "1", "DZ": "213", "EC": "593", "EE": "372", "EG": "20", "EH": "212",
        "ER": "291", "ES": "34", "ET": "251", "FI": "358", "FJ": "679", "FK": "500", "FM": "691", "FO": "298",
        "FR": "33", "GA": "241", "GB": "44", "GD": "1", "GE": "995", "GF": "594", "GG": "44", "GH": "233",
        "GI": "350", "GL": "299", "GM": "220", "GN": "224", "GP": "590", "GQ": "240", "GR": "30", "GT": "502",
        "GU": "1", "GW": "245", "GY": "592", "HK": "852", "HN": "504", "HR": "385", "HT": "509", "HU": "36",
        "ID": "62", "IE": "353", "IL": "972", "IM": "44", "IN": "91", "IO": "246", "IQ": "964", "IR": "98",
        "IS": "354", "IT": "39", "JE": "44", "JM": "1", "JO": "962", "JP": "81", "KE": "254", "KG": "996",
        "KH": "855", "KI": "686", "KM": "269", "KN": "1", "KP": "850", "KR": "82", "KW": "965", "KY": "1",
        "KZ": "7", "LA": "856", "LB": "961", "LC": "1", "LI": "423", "LK": "94", "LR": "231", "LS": "266",
        "LT": "370", "LU": "352", "LV": "371", "LY": "218", "MA": "212", "MC": "377", "MD": "373", "ME": "382",
        "MF": "590", "MG": "261", "MH": "692", "MK": "389", "ML": "223", "MM": "95", "MN": "976", "MO": "853",
        "MP": "1", "MQ": "596", "MR": "222", "MS": "1", "MT": "356", "MU": "230", "MV": "960", "MW": "265",
        "MX": "52", "MY": "60", "MZ": "258", "NA": "264", "NC": "687", "NE": "227", "NF": "672", "NG": "234",
        "NI": "505", "NL": "31", "NO": "47", "NP": "977", "NR": "674", "NU": "683", "NZ": "64", "OM": "968",
        "PA": "507", "PE": "51", "PF": "689", "PG": "675", "PH": "63", "PK": "92", "PL": "48", "PM": "508",
        "PR": "1", "PS": "970", "PT": "351", "PW": "680", "PY": "595", "QA": "974", "RE": "262", "RO": "40",
        "RS": "381", "RU": "7", "RW": "250", "SA": "966", "SB": "677", "SC": "248", "SD": "249", "SE": "46",
        "SG": "65", "SH": "290", "SI": "386", "SJ": "47", "SK": "421", "SL": "232", "SM": "378", "SN": "221",
        "SO": "252", "SR": "597", "SS": "211", "ST": "239", "SV": "503", "SX": "1", "SY": "963", "SZ": "268",
        "TC": "1", "TD": "235", "TG": "228", "TH": "66", "TJ": "992", "TK": "690", "TL": "670", "TM": "993",
        "TN": "216", "TO": "676", "TR": "90", "TT": "1", "TV": "688", "TW": "886", "TZ": "255", "UA": "380",
        "UG": "256", "US": "1", "UY": "598", "UZ": "998", "VA": "39", "VC": "1", "VE": "58", "VG": "1",
        "VI": "1", "VN": "84", "VU": "678", "WF": "681", "WS": "685", "YE": "967", "YT": "262", "ZA": "27",
        "ZM": "260", "ZW": "263",
    ]
}
