import Foundation
import Testing
@testable import WaybillCore

@Suite struct CarrierRegistryTests {
    @Test func everyBuiltInCarrierIsValidAndUnique() {
        for carrier in BuiltInCarriers.all {
            #expect(carrier.validationErrors().isEmpty, "\(carrier.code)")
        }
        #expect(Set(BuiltInCarriers.all.map(\.code)).count == BuiltInCarriers.all.count)
        #expect(BuiltInCarriers.all.map(\.code.rawValue) == [
            "cj", "kpost", "kpost_ems", "hanjin", "lotte", "logen", "ups", "fedex", "usps", "dhl_express", "sandbox",
        ])
    }

    @Test func koreanCarriersReadLocalTimesInSeoul() {
        for code in [CarrierCode.cj, .kpost, .kpostEMS, .hanjin, .lotte, .logen] {
            #expect(CarrierRegistry.builtIn.timeZone(for: code)?.identifier == "Asia/Seoul")
            #expect(CarrierRegistry.builtIn.carrier(code)?.nameKo != nil)
        }
        #expect(CarrierRegistry.builtIn.carrier("nope") == nil)
    }

    @Test func trackingURLsCarryTheNumber() {
        #expect(BuiltInCarriers.cj.trackingURL(for: "631693783814")
            == "https://trace.cjlogistics.com/next/tracking.html?wblNo=631693783814")
        #expect(BuiltInCarriers.ups.trackingURL(for: "1Z5R89390357567127").hasSuffix("tracknum=1Z5R89390357567127"))
        #expect(BuiltInCarriers.ups.trackingURL(for: "A&B").hasSuffix("tracknum=A%26B"))
    }

    @Test func aShopCarrierDecodesFromSnakeCaseJSONWithDefaults() throws {
        let json = Data("""
            {"code": "acme", "name_en": "Acme Express", "country": "KR", "time_zone": "Asia/Seoul",
             "tracking_url_template": "https://acme.example/t?n={number}",
             "number_patterns": [{"name": "Acme", "regex": "ACME[0-9]{8}"}]}
            """.utf8)
        let acme = try JSONDecoder().decode(CarrierDefinition.self, from: json)
        #expect(acme.stalledAfterBusinessDays == 3)
        #expect(acme.numberPatterns == [NumberPattern(name: "Acme", regex: "ACME[0-9]{8}", confidence: 0.5)])
        #expect(acme.validationErrors().isEmpty)
    }

    @Test func definitionsRoundTripThroughJSON() throws {
        let data = try JSONEncoder().encode(BuiltInCarriers.all)
        #expect(try JSONDecoder().decode([CarrierDefinition].self, from: data) == BuiltInCarriers.all)
        #expect(String(decoding: data, as: UTF8.self).contains(#""check_digit":"upu_s10""#))
    }

    private static func custom(
        code: CarrierCode = "acme", template: String = "https://acme.example/{number}",
        patterns: [NumberPattern] = [NumberPattern(name: "Acme", regex: "ACME[0-9]{8}")],
        country: String = "KR", timeZone: String = "Asia/Seoul"
    ) -> CarrierDefinition {
        CarrierDefinition(code: code, nameEn: "Acme", country: country, timeZone: timeZone,
                          trackingURLTemplate: template, numberPatterns: patterns)
    }

    private func refusal(_ definitions: [CarrierDefinition]) -> [CarrierConfigError] {
        do {
            _ = try CarrierRegistry(custom: definitions)
            return []
        } catch {
            return error.errors
        }
    }

    @Test func aBadRegexIsRefusedNamingThePatternField() {
        let errors = refusal([Self.custom(patterns: [NumberPattern(name: "x", regex: "ACME[0-9")])])
        #expect(errors.map(\.field) == ["carriers[0].number_patterns[0].regex"])
    }

    @Test func aTemplateWithoutThePlaceholderIsRefused() {
        let errors = refusal([Self.custom(template: "https://acme.example/track")])
        #expect(errors == [.templateWithoutPlaceholder(field: "carriers[0].tracking_url_template")])
        #expect(refusal([Self.custom(template: "javascript:{number}")]).map(\.field)
            == ["carriers[0].tracking_url_template"])
    }

    @Test func aDuplicateCodeIsRefusedWhetherBuiltInOrRepeated() {
        #expect(refusal([Self.custom(code: "cj")]) == [.duplicateCode(field: "carriers[0].code", code: "cj")])
        #expect(refusal([Self.custom(), Self.custom()]) == [.duplicateCode(field: "carriers[1].code", code: "acme")])
    }

    @Test func everyProblemIsReportedAtOnce() {
        let bad = Self.custom(
            code: "Acme Co", template: "https://x.example/",
            patterns: [NumberPattern(name: "both", mask: "####", regex: "[0-9]{4}"),
                       NumberPattern(name: "m", mask: "##-##"), NumberPattern(name: "c", regex: "A", confidence: 2)],
            country: "UK", timeZone: "Mars/Olympus")
        let fields = refusal([bad]).map(\.field)
        #expect(fields == [
            "carriers[0].code", "carriers[0].country", "carriers[0].time_zone",
            "carriers[0].tracking_url_template", "carriers[0].number_patterns[0]",
            "carriers[0].number_patterns[1].mask", "carriers[0].number_patterns[2].confidence",
        ])
        let failure = CarrierConfigFailure(errors: refusal([bad]))
        #expect(failure.validationFailure.issues.map(\.code).contains("invalid_time_zone"))
    }

    @Test func carrierCodesAreLowerCaseIdentifiers() {
        #expect(CarrierCode("dhl_express").isWellFormed)
        #expect(!CarrierCode("DHL").isWellFormed)
        #expect(!CarrierCode("1ups").isWellFormed)
        #expect(!CarrierCode("a").isWellFormed)
        #expect(!CarrierCode("택배").isWellFormed)
    }
}
