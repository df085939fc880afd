import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer
@testable import WaybillCore

@Suite("Stock levels as CSV (F1)")
struct StockCSVTests {
    @Test func importingCountsStockedSKUsReceivesNewOnesAndRefusesBadRowsWithReasons() async throws {
        try await withTestApp { t in
            try await t.warehouses([("ICN", "경기"), ("PUS", "부산")])
            try await t.move("receipts", [("JAR-1", 10)])
            let csv = """
                sku,location,on_hand
                JAR-1,ICN,7
                JAR-2,PUS,12
                GHOST,ICN,3
                JAR-2,ICN,-1
                JAR-1,MARS,1
                """
            let parsed = try StockCSV.parse(csv)
            #expect(parsed.refused.map(\.line) == [5])
            let result = try await StockCSV.load(parsed, shopID: try t.shop.requireID(), application: t.app, progress: ProgressReporter { _ in })
            #expect(result.accepted == 2)
            #expect(result.refused.map(\.line) == [4, 5, 6])
            #expect(try await t.level("JAR-1") == (7, 0, 7))
            #expect(try await t.level("JAR-2", at: "PUS") == (12, 0, 12))
            let ledger = try await t.send(.GET, "/api/v1/inventory/movements?sku=JAR-1")
            #expect((try ledger.json()["data"] as? [[String: Any]])?.first?["reason"] as? String == "cycle_count")
            let export = try await t.send(.GET, "/api/v1/inventory/levels.csv")
            #expect(export.headers.contentType?.subType == "csv")
            #expect(export.text.hasPrefix("sku,location,warehouse,on_hand"))
            #expect(export.text.contains("JAR-2,PUS,PUS,12,0,12,0,0"))
            try await t.expectNoDrift()
        }
    }

    @Test func aCountBelowWhatOrdersReservedImportsNothing() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-1", 5), ("JAR-2", 5)])
            _ = try await t.order(sku: "JAR-1", quantity: 4, email: "a@example.com")
            let parsed = try StockCSV.parse("sku,location,on_hand\nJAR-2,ICN,9\nJAR-1,ICN,2\n")
            await #expect(throws: ValidationFailure.self) {
                _ = try await StockCSV.load(parsed, shopID: try t.shop.requireID(), application: t.app, progress: ProgressReporter { _ in })
            }
            #expect(try await t.level("JAR-2") == (5, 0, 5))
            #expect(try await t.level("JAR-1") == (5, 4, 1))
        }
    }
}
