import Testing
@testable import WaybillCore

@Suite struct PostalCodeTests {
    @Test(arguments: [
        ("KR", "06236", "06236"), ("KR", " 06236 ", "06236"),
        ("US", "94105", "94105"), ("US", "94105-1234", "94105-1234"), ("US", "941051234", "94105-1234"),
        ("JP", "100-0001", "100-0001"), ("JP", "1000001", "100-0001"), ("JP", "〒100-0001", "100-0001"),
        ("JP", "１００－０００１", "100-0001"),
        ("CN", "100000", "100000"),
        ("GB", "SW1A 1AA", "SW1A 1AA"), ("GB", "sw1a1aa", "SW1A 1AA"), ("GB", "EC1A 1BB", "EC1A 1BB"),
        ("GB", "W1A 0AX", "W1A 0AX"), ("GB", "m1 1ae", "M1 1AE"), ("GB", "B33 8TH", "B33 8TH"),
        ("GB", "CR2 6XH", "CR2 6XH"), ("GB", "DN55  1PT", "DN55 1PT"), ("GB", "gir0aa", "GIR 0AA"),
        ("DE", "10115", "10115"), ("FR", "75008", "75008"), ("IT", "00144", "00144"),
        ("ES", "28013", "28013"), ("ES", "52001", "52001"), ("MX", "06600", "06600"),
        ("CA", "K1A 0B1", "K1A 0B1"), ("CA", "k1a0b1", "K1A 0B1"), ("CA", "V6B 4Y8", "V6B 4Y8"),
        ("AU", "2000", "2000"), ("AU", "0800", "0800"), ("NZ", "6011", "6011"),
        ("BR", "01310-100", "01310-100"), ("BR", "01310100", "01310-100"),
        ("NL", "1012 AB", "1012 AB"), ("NL", "1012ab", "1012 AB"),
        ("SE", "114 55", "114 55"), ("SE", "11455", "114 55"),
        ("CH", "8001", "8001"), ("AT", "1010", "1010"), ("BE", "1000", "1000"), ("SG", "018956", "018956"),
        ("TW", "100", "100"), ("TW", "10041", "10041"), ("TW", "100001", "100001"),
        ("IE", "D02 X285", "D02 X285"), ("IE", "d02x285", "D02 X285"), ("IE", "D6W 1234", "D6W 1234"),
        ("IN", "110001", "110001"), ("IN", "110 001", "110001"),
        ("VN", "10000", "10000"), ("VN", "100000", "100000"),
        // No specific rule: only the shape is checked.
        ("PL", "00-950", "00-950"), ("PT", "1000-001", "1000-001"),
    ])
    func acceptsAndNormalisesRealCodes(country: String, input: String, normalized: String) {
        #expect(PostalCodeRule.check(input, country: country) == .valid(normalized: normalized))
    }

    @Test(arguments: [
        ("KR", "0623", "12345"), ("KR", "062366", "12345"), ("KR", "06-236", "12345"), ("KR", "", "12345"),
        ("KR", "강남구", "12345"),
        ("US", "9410", "12345 or 12345-6789"), ("US", "94105-12", "12345 or 12345-6789"),
        ("JP", "100-00001", "123-4567"), ("JP", "10-00001", "123-4567"),
        ("CN", "10000", "123456"),
        ("GB", "QA1 1AA", "SW1A 1AA"), ("GB", "SW1A 1AC", "SW1A 1AA"), ("GB", "GIR 1AA", "SW1A 1AA"),
        ("GB", "SW1A", "SW1A 1AA"), ("GB", "1AA SW1", "SW1A 1AA"),
        ("DE", "1011", "12345"), ("ES", "53001", "28013"), ("ES", "00001", "28013"),
        ("CA", "D1A 0B1", "K1A 0B1"), ("CA", "W1A 0B1", "K1A 0B1"), ("CA", "K1A 0B", "K1A 0B1"),
        ("AU", "20000", "2000"), ("BR", "0131-0100", "01310-100"),
        ("NL", "1012 SA", "1234 AB"), ("NL", "0123 AB", "1234 AB"),
        ("SE", "014 55", "114 55"), ("CH", "0800", "1010"), ("SG", "01895", "123456"),
        ("TW", "1004", "100 or 10041 or 100001"), ("IE", "B02 X285", "D02 X285"),
        ("IN", "011001", "110001"), ("VN", "1000", "10000"),
        ("PL", "not a code!", "2–10 letters, digits, spaces or hyphens"),
        ("PL", "", "2–10 letters, digits, spaces or hyphens"),
    ])
    func refusesMalformedCodesWithAnExample(country: String, input: String, example: String) {
        #expect(PostalCodeRule.check(input, country: country) == .invalid(expectedFormat: example))
    }

    @Test(arguments: [("HK", ""), ("HK", "999077"), ("AE", "00000"), ("QA", ""), ("IE", ""), ("IE", "  ")])
    func placesWithoutPostalCodesSaySo(country: String, input: String) {
        #expect(PostalCodeRule.check(input, country: country) == .noPostalCodes)
    }

    @Test(arguments: ["XX", "UK", "kr", "EU", "", "KOR", " KR"])
    func unknownCountriesAreReported(country: String) {
        #expect(PostalCodeRule.check("12345", country: country) == .unknownCountry)
    }

    @Test(arguments: ["KR", "US", "GB", "JP", "AQ", "AX", "SS", "BQ", "PS", "ZW"])
    func assignedCountryCodesAreValid(code: String) {
        #expect(CountryCode.isValid(code))
    }

    @Test(arguments: ["UK", "EU", "XK", "AN", "YU", "kr", "Kr", "KOR", "", "K"])
    func unassignedOrMisspelledCountryCodesAreNot(code: String) {
        #expect(!CountryCode.isValid(code))
    }

    @Test func theCountryListIsComplete() {
        #expect(CountryCode.all.count == 249)
        #expect(CountryCode.all.allSatisfy { $0.count == 2 && $0 == $0.uppercased() })
        #expect(Set(CountryCode.callingCodes.keys).isSubset(of: CountryCode.all))
    }

    @Test(arguments: [
        ("KR", "82"), ("US", "1"), ("JP", "81"), ("CN", "86"), ("GB", "44"), ("DE", "49"), ("FR", "33"),
        ("CA", "1"), ("AU", "61"), ("BR", "55"), ("IT", "39"), ("ES", "34"), ("NL", "31"), ("SE", "46"),
        ("CH", "41"), ("AT", "43"), ("BE", "32"), ("SG", "65"), ("TW", "886"), ("HK", "852"),
        ("IE", "353"), ("NZ", "64"), ("IN", "91"), ("MX", "52"), ("VN", "84"), ("AE", "971"), ("RU", "7"),
    ])
    func callingCodes(country: String, code: String) {
        #expect(CountryCode.callingCode(country) == code)
    }

    @Test(arguments: ["AQ", "BV", "ZZ", "kr", ""])
    func placesWithoutTelephoneNumberingHaveNoCallingCode(country: String) {
        #expect(CountryCode.callingCode(country) == nil)
    }
}
