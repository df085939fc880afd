import Foundation

/// An ISO 4217 alphabetic currency code that money in an order can be denominated in.
///
/// Only currencies that circulate as money are accepted: ISO's fund codes (`CLF`, `USN`, …),
/// units of account (`XDR`, `XAD`, …), precious metals, bond units, `XTS` and `XXX` are valid
/// ISO codes but nothing a customer can pay in, so they are refused here.
public struct CurrencyCode: Hashable, Sendable, Codable, RawRepresentable {
    public let rawValue: String

    /// Strict: the wire format is the canonical upper-case code, so decoding `"usd"` fails.
    public init?(rawValue: String) {
        guard Self.exponents[rawValue] != nil else { return nil }
        self.rawValue = rawValue
    }

    /// Lenient entry point for human input: surrounding whitespace and case are forgiven.
    public init?(_ code: String) {
        self.init(rawValue: code.trimmingCharacters(in: .whitespacesAndNewlines).uppercased())
    }

    /// Digits after the decimal separator in ISO 4217 (`KRW` 0, `USD` 2, `BHD` 3); amounts are stored
    /// as integers of `10^-minorUnitExponent` units so they never pass through floating point.
    public var minorUnitExponent: Int {
        // Every instance was checked against the table when it was made.
        Self.exponents[rawValue] ?? 2
    }

    /// Display text such as `₩12,000`, `$12.50` or `12,50 €`, following `locale` (`"ko"`, `"en"`, `"de_DE"`).
    ///
    /// The fraction digits come from ISO 4217, not from the locale data: ICU's CLDR tables disagree
    /// with ISO for a few currencies (`IQD`, `LAK`, …), and a shown amount must match what is charged.
    public func format(minorUnits: Int64, locale: String) -> String {
        let exponent = minorUnitExponent
        let amount = Decimal(
            sign: minorUnits < 0 ? .minus : .plus,
            exponent: -exponent,
            significand: Decimal(minorUnits.magnitude)
        )
        // Decimal's format style rather than NumberFormatter: on Linux, NumberFormatter goes through
        // Double and drops the last minor unit of amounts past 2^53.
        let style = Decimal.FormatStyle.Currency(code: rawValue, locale: Locale(identifier: locale))
            .precision(.fractionLength(exponent))
        return amount.formatted(style)
    }

    /// Every accepted code, sorted, for pickers and API documentation.
    public static var all: [CurrencyCode] {
        exponents.keys.sorted().compactMap(CurrencyCode.init(rawValue:))
    }

    // ISO 4217 List One, published 2026-01-01, tender currencies only. Recent changes worth knowing:
    // XCG replaced ANG (2025), ZWG replaced ZWL (2024), SLE replaced SLL; BGN left when Bulgaria
    // joined the euro (2026-01-01), as HRK did with Croatia in 2023; CUC is gone too.
    static let exponents: [String: Int] = [
        "AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2,
        "AZN": 2, "BAM": 2, "BBD": 2, "BDT": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2,
        "BOB": 2, "BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BZD": 2, "CAD": 2,
        "CDF": 2, "CHF": 2, "CLP": 0, "CNY": 2, "COP": 2, "CRC": 2, "CUP": 2, "CVE": 2,
        "CZK": 2, "DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2, "EGP": 2, "ERN": 2, "ETB": 2,
        "EUR": 2, "FJD": 2, "FKP": 2, "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2,
        "GNF": 0, "GTQ": 2, "GYD": 2, "HKD": 2, "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2,
        "ILS": 2, "INR": 2, "IQD": 3, "IRR": 2, "ISK": 0, "JMD": 2, "JOD": 3, "JPY": 0,
        "KES": 2, "KGS": 2, "KHR": 2, "KMF": 0, "KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2,
        "KZT": 2, "LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2, "LYD": 3, "MAD": 2,
        "MDL": 2, "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2,
        "MVR": 2, "MWK": 2, "MXN": 2, "MYR": 2, "MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2,
        "NOK": 2, "NPR": 2, "NZD": 2, "OMR": 3, "PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2,
        "PKR": 2, "PLN": 2, "PYG": 0, "QAR": 2, "RON": 2, "RSD": 2, "RUB": 2, "RWF": 0,
        "SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2, "SHP": 2, "SLE": 2,
        "SOS": 2, "SRD": 2, "SSP": 2, "STN": 2, "SVC": 2, "SYP": 2, "SZL": 2, "THB": 2,
        "TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2,
        "UAH": 2, "UGX": 0, "USD": 2, "UYU": 2, "UZS": 2, "VED": 2, "VES": 2, "VND": 0,
        "VUV": 0, "WST": 2, "XAF": 0, "XCD": 2, "XCG": 2, "XOF": 0, "XPF": 0, "YER": 2,
        "ZAR": 2, "ZMW": 2, "ZWG": 2,
    ]
}
