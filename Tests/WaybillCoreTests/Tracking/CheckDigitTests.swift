import Testing
@testable import WaybillCore

@Suite struct CheckDigitTests {
    typealias F = TrackingNumberFixtures

    static let valid: [(CheckDigitAlgorithm, String)] =
        F.ups.map { (.ups1Z, $0) } + F.fedex12.map { (.fedexMod11, $0) } + F.fedex15.map { (.gs1Mod10, $0) }
        + F.fedexGround96.map { (.fedexGround96, $0) } + F.fedexSmartPost20.map { (.gs1Mod10Implied92, $0) }
        + F.fedexSmartPost22.map { (.gs1Mod10, $0) } + F.fedexSSCC20.map { (.gs1Mod10, $0) }
        + F.usps20.map { (.gs1Mod10, $0) } + F.usps20Implied91.map { (.gs1Mod10Implied91, $0) }
        + F.usps22.map { (.gs1Mod10, $0) } + F.usps26.map { (.gs1Mod10, $0) }
        + (F.dhl10 + F.dhl11).map { (.mod7, $0) } + (F.s10 + F.koreaS10).map { (.upuS10, $0) }

    @Test(arguments: valid)
    func publishedNumbersPassTheirCheck(algorithm: CheckDigitAlgorithm, number: String) {
        #expect(algorithm.verify(Array(number.utf8)))
    }

    @Test(arguments: valid)
    func anyOtherCheckDigitFails(algorithm: CheckDigitAlgorithm, number: String) {
        let checkIndex = algorithm == .upuS10 ? 10 : number.utf8.count - 1
        var bytes = Array(number.utf8)
        let original = bytes[checkIndex]
        for digit in UInt8(ascii: "0")...UInt8(ascii: "9") where digit != original {
            bytes[checkIndex] = digit
            #expect(!algorithm.verify(bytes), "\(number) with check \(digit - 48) passed")
        }
    }

    /// Weights 1/3 (GS1), 1/2 (UPS) and powers of ten mod 7 all move the sum when one digit goes up
    /// by one, so these schemes catch every such typo. (FedEx's mod 11 and S10 fold two remainders
    /// onto one digit, so they catch most but provably not all; their own cases are below.)
    @Test(arguments: valid.filter { [.gs1Mod10, .ups1Z, .mod7].contains($0.0) })
    func everySingleDigitTypoFails(algorithm: CheckDigitAlgorithm, number: String) {
        let bytes = Array(number.utf8)
        for i in bytes.indices where bytes[i] >= 48 && bytes[i] <= 57 && !(algorithm == .ups1Z && i < 2) {
            var typo = bytes
            typo[i] = 48 + (bytes[i] - 48 + 1) % 10
            #expect(!algorithm.verify(typo), "\(number) with position \(i) changed passed")
        }
    }

    // The invalid examples published next to the valid ones, each one character off a valid number.
    @Test(arguments: [
        (CheckDigitAlgorithm.fedexMod11, "996578788855"), (.gs1Mod10, "568283610012732"),
        (.gs1Mod10, "03071790000523483742"), (.gs1Mod10, "9261292700768711948020"),
        (.mod7, "3318810010"), (.mod7, "3318810034"), (.mod7, "3318810011"),
        (.upuS10, "RB123456786US"), (.upuS10, "RB123456785XX"), (.upuS10, "EE123456795KR"),
        (.ups1Z, "1Z5R89390357567128"), (.fedexGround96, "9611020987654312345673"),
    ])
    func publishedInvalidNumbersFail(algorithm: CheckDigitAlgorithm, number: String) {
        #expect(!algorithm.verify(Array(number.utf8)))
    }

    @Test func s10FoldsTenToZeroAndElevenToFive() {
        // Serial 00000000: sum 0 → 11 − 0 = 11 → 5.
        #expect(CheckDigitAlgorithm.upuS10.verify(Array("EE000000005KR".utf8)))
        // Serial 00300000: weight 4 × 3 = 12, 12 mod 11 = 1 → 11 − 1 = 10 → 0.
        #expect(CheckDigitAlgorithm.upuS10.verify(Array("EE003000000KR".utf8)))
    }

    @Test func lettersInTheWrongPlaceFailRatherThanCrash() {
        #expect(!CheckDigitAlgorithm.gs1Mod10.verify(Array("12A4".utf8)))
        #expect(!CheckDigitAlgorithm.mod7.verify(Array("X".utf8)))
        #expect(!CheckDigitAlgorithm.fedexGround96.verify(Array("961".utf8)))
        #expect(!CheckDigitAlgorithm.upuS10.verify(Array("EE12345678KR".utf8)))
    }
}
