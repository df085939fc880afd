import Testing
@testable import WaybillCore

@Suite struct EmailRuleTests {
    @Test(arguments: [
        ("user@example.com", "user@example.com"),
        ("  User.Name+tag@Example.COM \n", "User.Name+tag@example.com"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("a@b.co", "a@b.co"),
        ("first.last@mail.sub.example.co.kr", "first.last@mail.sub.example.co.kr"),
        ("user@한국.kr", "user@한국.kr"),
        ("user@한국.KR", "user@한국.kr"),
        ("홍길동@회사.한국", "홍길동@회사.한국"),
        ("用户@例子.广告", "用户@例子.广告"),
        ("USER@BÜCHER.DE", "USER@bücher.de"),
        ("user@xn--3e0b707e.xn--3e0b707e", "user@xn--3e0b707e.xn--3e0b707e"),
        ("x!#$%&*/=?^_`{|}~-@example.com", "x!#$%&*/=?^_`{|}~-@example.com"),
        ("user@my-shop.example", "user@my-shop.example"),
    ])
    func acceptsAndNormalisesAddresses(input: String, expected: String) {
        #expect(EmailRule.normalize(input) == expected)
    }

    @Test(arguments: [
        "", "plainaddress", "@example.com", "user@", "user@@example.com", "user@a@example.com",
        "us er@example.com", "user@exa mple.com", ".user@example.com", "user.@example.com",
        "us..er@example.com", "user@example", "user@example.c", "user@example.c0m", "user@-example.com",
        "user@example-.com", "user@exa..mple.com", "user@example.com.", "user@.example.com",
        "<user@example.com>", "\"user\"@example.com", "user\u{7}@example.com", "user@[192.168.0.1]",
        "user＠example.com", "홍길동@한국.k", "user@한국 .kr", "user(comment)@example.com",
        "user@exam_ple.com", "user,name@example.com", "user\u{A0}@example.com",
    ])
    func refusesWhatIsNotAnAddress(input: String) {
        #expect(EmailRule.normalize(input) == nil)
    }

    @Test func enforcesTheLengthLimits() {
        let local64 = String(repeating: "a", count: 64)
        let label63 = String(repeating: "b", count: 63)
        #expect(EmailRule.normalize("\(local64)@example.com") != nil)
        #expect(EmailRule.normalize("\(local64)a@example.com") == nil)
        #expect(EmailRule.normalize("user@\(label63).com") != nil)
        #expect(EmailRule.normalize("user@\(label63)b.com") == nil)

        // 64 + "@" + 189 = 254 octets, the most SMTP carries.
        func domain(thirdLabel length: Int) -> String {
            "\(label63).\(label63).\(String(repeating: "c", count: length)).com"
        }
        #expect(EmailRule.normalize("\(local64)@\(domain(thirdLabel: 57))") != nil)
        #expect(EmailRule.normalize("\(local64)@\(domain(thirdLabel: 58))") == nil)
        // 22 Hangul syllables are 66 octets, beyond the 64 a local part may have.
        #expect(EmailRule.normalize("\(String(repeating: "가", count: 22))@example.com") == nil)
    }
}

@Suite struct PhoneRuleTests {
    @Test(arguments: [
        ("+82 10-1234-5678", nil, "+821012345678"),
        ("010-1234-5678", "KR", "+821012345678"),
        ("010.1234.5678", "KR", "+821012345678"),
        ("010 1234 5678", "kr", "+821012345678"),
        ("02-312-3456", "KR", "+8223123456"),
        ("+82 (0)10-1234-5678", nil, "+821012345678"),
        ("0082-10-1234-5678", "US", "+821012345678"),
        ("＋８２ １０－１２３４－５６７８", nil, "+821012345678"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("1-415-555-2671", "US", "+14155552671"),
        ("415.555.2671", "CA", "+14155552671"),
        ("+1 (415) 555-2671", nil, "+14155552671"),
        ("011 82 10 1234 5678", "US", "+821012345678"),
        ("0044 20 7946 0958", nil, "+442079460958"),
        ("+44 (0)20 7946 0958", "KR", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("090-1234-5678", "JP", "+819012345678"),
        ("06 1234 5678", "IT", "+390612345678"),
        ("8 (912) 345-67-89", "RU", "+79123456789"),
        ("0412 345 678", "AU", "+61412345678"),
    ] as [(String, String?, String)])
    func normalisesToE164(input: String, country: String?, expected: String) {
        #expect(PhoneRule.normalizeE164(input, defaultCountry: country) == expected)
    }

    @Test(arguments: [
        ("010-1234-5678", nil),          // national, but whose?
        ("010-1234-5678", "ZZ"),
        ("1012345678", "KR"),            // no trunk prefix: maybe a foreign number missing its +
        ("12345", "KR"),
        ("", "KR"),
        ("+0 123 456 789", nil),         // no country code starts with 0
        ("+1234567", nil),               // 7 digits
        ("+1234567890123456", nil),      // 16 digits, beyond E.164
        ("+82 10 1234 5678 ext 9", nil),
        ("+82-10-1234-5678#", nil),
        ("+82+1012345678", nil),
        ("call me", "US"),
        ("(415) 555-267", "US"),         // nine digits
        ("(115) 555-2671", "US"),        // area codes never start with 1
        ("2-415-555-2671", "US"),
        ("010/1234/5678", "KR"),
        ("공일공-1234-5678", "KR"),
    ] as [(String, String?)])
    func refusesWhatCannotBeDialled(input: String, country: String?) {
        #expect(PhoneRule.normalizeE164(input, defaultCountry: country) == nil)
    }
}

@Suite struct POBoxRuleTests {
    @Test(arguments: [
        "PO Box 123", "P.O. Box 4567", "p o box 12", "P.O.Box 9", "po. box 3", "Post Office Box 77",
        "POB 12", "pob12", "P.O.B. 8", "POBox 12", "Postfach 10 20 30", "Boîte postale 45",
        "BOITE POSTALE 45", "BP 123", "B.P. 123", "Caixa Postal 1234", "Apartado de Correos 28",
        "Apartado Postal 120", "Casilla de Correo 55", "Postbus 1000", "Casella Postale 7",
        "私書箱 12号", "東京中央郵便局私書箱第100号", "서울특별시 강남구 사서함 123", "강남우체국사서함 제100호",
        "邮政信箱 100", "北京市邮政信箱8888", "ＰＯ Ｂｏｘ １２", "1 Main St, PO Box 5",
    ])
    func recognisesPostOfficeBoxes(line: String) {
        #expect(POBoxRule.looksLikePOBox(line))
    }

    @Test(arguments: [
        "Boxer Street 12", "Pobox Lane", "12 Hopbox Road", "Jupiter Rd 5", "123 Main St",
        "Apollo Box Road 4", "Bishop Oak Street 3", "BPM Tower", "Postal Road 9", "Postfachweg 3",
        "서울특별시 강남구 테헤란로 123", "서울 서초구 서초대로 77길 54", "東京都千代田区丸の内1-1",
        "Boite Street 2", "",
    ])
    func leavesStreetAddressesAlone(line: String) {
        #expect(!POBoxRule.looksLikePOBox(line))
    }
}
