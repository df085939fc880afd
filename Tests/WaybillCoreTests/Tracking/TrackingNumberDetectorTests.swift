import Testing
@testable import WaybillCore

@Suite struct TrackingNumberDetectorTests {
    typealias F = TrackingNumberFixtures

    private func ranked(_ number: String, to destination: String? = nil) -> [String] {
        TrackingNumberDetector.detect(number, destinationCountry: destination).map(\.carrier.rawValue)
    }

    @Test(arguments: [
        (F.ups, ["ups"]), (F.fedex15, ["fedex"]), (F.fedexGround96, ["fedex"]),
        (F.fedexSmartPost20, ["fedex"]), (F.fedexSSCC20, ["fedex", "usps"]),
        (F.usps20 + F.usps20Implied91 + F.usps26, ["usps"]),
        (F.usps22, ["usps"]), (F.fedexSmartPost22, ["usps", "fedex"]),
        (F.fedex12, ["fedex", "cj", "hanjin", "lotte"]),
        (F.dhl10, ["dhl_express", "cj", "hanjin"]), (F.dhl11, ["dhl_express", "logen"]),
        (F.koreaS10, ["kpost_ems", "usps"]), (["RB123456785US"], ["usps", "kpost_ems"]),
        (F.cj12, ["cj", "hanjin", "lotte"]),
    ])
    func realNumbersRankTheIssuingCarrierFirst(numbers: [String], expected: [String]) {
        for number in numbers {
            #expect(ranked(number) == expected, "\(number)")
        }
    }

    @Test func aVerifiedCheckDigitIsReportedWithItsFormat() throws {
        let match = try #require(TrackingNumberDetector.detect("1Z5R89390357567127").first)
        #expect(match == CarrierMatch(carrier: .ups, format: "UPS 1Z", normalizedNumber: "1Z5R89390357567127",
                                      confidence: 0.99, checkDigitVerified: true))
    }

    @Test func labelSpacingDashesAndCaseAreNormalised() {
        let matches = TrackingNumberDetector.detect(" 1z5r8939-0357 5671\t27 ")
        #expect(matches.map(\.normalizedNumber) == ["1Z5R89390357567127"])
        #expect(ranked("0414 4176 0228 964") == ["fedex"])
        #expect(TrackingNumberNormalizer.normalize("ee 123-456-785 kr") == "EE123456785KR")
    }

    @Test func aNumberFailingItsCheckDigitIsNotOfferedForThatFormat() {
        #expect(ranked("1Z5R89390357567128").isEmpty)
        // One digit off a FedEx number: still twelve digits, so only the pattern-only carriers remain.
        let matches = TrackingNumberDetector.detect("996578788855")
        #expect(matches.map(\.carrier) == [.cj, .hanjin, .lotte])
        #expect(matches.allSatisfy { !$0.checkDigitVerified })
        #expect(ranked("RB123456785XX").isEmpty)
    }

    @Test func patternOnlyMatchesRankBelowAVerifiedCheckDigitEvenInTheirOwnCountry() {
        let matches = TrackingNumberDetector.detect("986578788855", destinationCountry: "KR")
        #expect(matches.map(\.carrier) == [.fedex, .cj, .hanjin, .lotte])
        #expect(matches.map(\.confidence) == [0.75, 0.55, 0.45, 0.43])
        #expect(matches.map(\.checkDigitVerified) == [true, false, false, false])
    }

    @Test func destinationOrOriginCountryRaisesItsCarriers() {
        #expect(TrackingNumberDetector.detect("631693783814").first?.confidence == 0.45)
        #expect(TrackingNumberDetector.detect("631693783814", destinationCountry: "KR").first?.confidence == 0.55)
        #expect(TrackingNumberDetector.detect("631693783814", originCountry: "KR").first?.confidence == 0.55)
        // A foreign postal item is delivered by the post of the country it is going to.
        #expect(ranked("RB123456785GB") == ["kpost_ems", "usps"])
        #expect(ranked("RB123456785GB", to: "US") == ["usps", "kpost_ems"])
        #expect(ranked("EE123456785KR", to: "US") == ["kpost_ems", "usps"])
    }

    @Test func koreanDomesticShapesMatchByPatternOnly() {
        #expect(ranked("6012345678901") == ["kpost"])
        #expect(ranked("12345678901") == ["logen"])
        let cj10 = TrackingNumberDetector.detect("1234567890")
        #expect(cj10.map(\.carrier) == [.cj, .hanjin])
        #expect(cj10.allSatisfy { !$0.checkDigitVerified })
    }

    @Test(arguments: ["", "   ", "hello", "1Z5R8939035756712!", "택배123", String(repeating: "1", count: 41), "12345"])
    func textThatIsNotATrackingNumberMatchesNothing(input: String) {
        #expect(TrackingNumberDetector.detect(input).isEmpty)
    }

    @Test func aRegistryWithAShopCarrierDetectsItsNumbers() throws {
        let acme = CarrierDefinition(
            code: "acme", nameEn: "Acme Express", country: "KR", timeZone: "Asia/Seoul",
            trackingURLTemplate: "https://acme.example/track/{number}",
            numberPatterns: [NumberPattern(name: "Acme", regex: "ACME[0-9]{8}|AC[0-9]{10}", confidence: 0.8)])
        let registry = try CarrierRegistry(custom: [acme])
        #expect(registry.detector.detect("acme-1234 5678").map(\.carrier) == ["acme"])
        // The second alternative must match the whole number, not just a prefix.
        #expect(registry.detector.detect("AC1234567890").map(\.carrier) == ["acme"])
        #expect(registry.detector.detect("ACME1234567").isEmpty)
        // Built-ins still work alongside it.
        #expect(registry.detector.detect("1Z5R89390357567127").map(\.carrier) == [.ups])
    }
}
