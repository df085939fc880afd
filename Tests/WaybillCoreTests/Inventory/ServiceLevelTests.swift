import Foundation
import Testing
@testable import WaybillCore

@Suite("Service level z-values (F1)")
struct ServiceLevelTests {
    /// Standard normal table values.
    @Test(arguments: [(0.5, 0.0), (0.9, 1.2816), (0.95, 1.6449), (0.99, 2.3263), (0.999, 3.0902)])
    func zMatchesTheNormalTable(probability: Double, z: Double) throws {
        #expect(abs(try ServiceLevel(probability).z - z) < 1e-3)
    }

    @Test func theRefinedQuantileInvertsTheCDFToMachinePrecision() {
        for p in stride(from: 0.001, through: 0.999, by: 0.001) {
            #expect(abs(StandardNormal.cdf(StandardNormal.quantile(p)) - p) < 1e-13, "p = \(p)")
        }
        // Far tails, where Acklam's tail form applies.
        #expect(abs(StandardNormal.quantile(1e-6) + 4.753424308822899) < 1e-9)
        #expect(abs(StandardNormal.quantile(0.999999) - 4.753424308822899) < 1e-9)
    }

    @Test(arguments: [0.0, 0.3, 0.4999, 1.0, 1.2, -0.5, Double.nan, Double.infinity])
    func targetsOutsideOneHalfToOneAreRefused(probability: Double) {
        #expect {
            _ = try ServiceLevel(probability)
        } throws: { ($0 as? ValidationFailure)?.issues.map(\.field) == ["service_level"] }
    }

    @Test func theDefaultTargetIsNinetyFivePercent() {
        #expect(ServiceLevel.standard.probability == 0.95)
        #expect(abs(ServiceLevel.standard.z - 1.644853626951472) < 1e-12)
    }

    @Test func aServiceLevelTravelsAsABareNumberAndRefusesBadOnes() throws {
        #expect(String(decoding: try JSONEncoder().encode(ServiceLevel.standard), as: UTF8.self) == "0.95")
        #expect(try JSONDecoder().decode(ServiceLevel.self, from: Data("0.99".utf8)).probability == 0.99)
        #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode(ServiceLevel.self, from: Data("1.5".utf8)) }
    }
}
