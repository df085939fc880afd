import Foundation
import Testing
@testable import WaybillCore

@Suite struct CurrencyTests {
    @Test(arguments: [
        ("KRW", 0), ("JPY", 0), ("USD", 2), ("EUR", 2), ("BHD", 3), ("KWD", 3), ("CLP", 0),
        ("ISK", 0), ("VND", 0), ("JOD", 3), ("TND", 3), ("IQD", 3), ("UGX", 0), ("XOF", 0),
        ("XPF", 0), ("GBP", 2), ("CNY", 2), ("XCG", 2), ("ZWG", 2), ("SLE", 2),
    ])
    func activeCodesCarryTheirISOMinorUnits(code: String, exponent: Int) throws {
        let currency = try #require(CurrencyCode(code))
        #expect(currency.rawValue == code)
        #expect(currency.minorUnitExponent == exponent)
    }

    @Test(arguments: [
        "", "US", "USDD", "ABC", "123",
        // Withdrawn: replaced by XCG, ZWG, SLE, the euro (twice) and CUP.
        "ANG", "ZWL", "SLL", "HRK", "BGN", "CUC",
        // Real ISO codes, but nothing a customer can pay in.
        "XXX", "XTS", "XAU", "XDR", "CLF", "USN", "UYW",
    ])
    func unknownWithdrawnAndNonTenderCodesAreRefused(code: String) {
        #expect(CurrencyCode(code) == nil)
    }

    @Test(arguments: [(" usd ", "USD"), ("krw", "KRW"), ("Eur\n", "EUR")])
    func humanInputIsTrimmedAndUppercased(input: String, expected: String) {
        #expect(CurrencyCode(input)?.rawValue == expected)
    }

    @Test func rawValueAcceptsOnlyTheCanonicalSpelling() {
        #expect(CurrencyCode(rawValue: "usd") == nil)
        #expect(CurrencyCode(rawValue: " USD") == nil)
        #expect(CurrencyCode(rawValue: "USD")?.rawValue == "USD")
    }

    @Test func theTableHoldsEveryTenderCurrencyOfISO4217() {
        #expect(CurrencyCode.all.count == 155)
        #expect(CurrencyCode.all.map(\.rawValue) == CurrencyCode.all.map(\.rawValue).sorted())
        #expect(CurrencyCode.exponents.values.allSatisfy { [0, 2, 3].contains($0) })
    }

    @Test func encodesAsItsBareCode() throws {
        let data = try JSONEncoder().encode([CurrencyCode("KRW")])
        #expect(String(decoding: data, as: UTF8.self) == #"["KRW"]"#)
        let decoded = try JSONDecoder().decode([CurrencyCode].self, from: Data(#"["JPY"]"#.utf8))
        #expect(decoded == [CurrencyCode("JPY")])
    }

    @Test(arguments: [#""XYZ""#, #""usd""#, #""""#])
    func decodingAnUnknownCodeFails(json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CurrencyCode.self, from: Data(json.utf8))
        }
    }

    @Test(arguments: [
        ("KRW", 12_000, "ko", "₩12,000"),
        ("KRW", 1_234_567, "en", "₩1,234,567"),
        ("USD", 1_250, "en", "$12.50"),
        ("USD", 5, "en", "$0.05"),
        ("USD", -1_250, "en", "-$12.50"),
        ("USD", 1_250, "ko", "US$12.50"),
        ("EUR", 1_250, "en", "€12.50"),
        ("EUR", 1_250, "de", "12,50\u{A0}€"),
        ("JPY", 500, "en", "¥500"),
        ("BHD", 12_345, "en", "BHD\u{A0}12.345"),
        // CLDR shows the dinar without decimals; the amount charged is in fils, so ISO's 3 wins.
        ("IQD", 12_345, "en", "IQD\u{A0}12.345"),
        ("CLP", 9_990, "en", "CLP\u{A0}9,990"),
    ] as [(String, Int64, String, String)])
    func formatsMinorUnitsForDisplay(code: String, minorUnits: Int64, locale: String, expected: String) throws {
        let currency = try #require(CurrencyCode(code))
        #expect(currency.format(minorUnits: minorUnits, locale: locale) == expected)
    }

    @Test func formattingLargeAmountsKeepsEveryMinorUnit() throws {
        let currency = try #require(CurrencyCode("USD"))
        // Doubles lose the last cent past 2^53; the amount must stay a Decimal all the way.
        #expect(currency.format(minorUnits: 9_007_199_254_740_993, locale: "en")
            == "$90,071,992,547,409.93")
        #expect(currency.format(minorUnits: .max, locale: "en") == "$92,233,720,368,547,758.07")
        #expect(currency.format(minorUnits: .min, locale: "en") == "-$92,233,720,368,547,758.08")
    }
}
