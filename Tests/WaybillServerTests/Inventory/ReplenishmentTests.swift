import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

@Suite("Replenishment suggestions and alerts (F1)")
struct ReplenishmentTests {
    @Test func steadySalesRunningDownStockSuggestAnOrderWithItsReasons() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-1", 24), ("JAR-2", 400)])
            for day in 0..<20 {
                t.time.advance(by: 86_400)
                let r = try await t.order(sku: "JAR-1", quantity: 1, email: "day\(day)@example.com")
                #expect(r.status == .created)
            }
            let response = try await t.send(.GET, "/api/v1/inventory/replenishment")
            let rows = try response.json()["data"] as? [[String: Any]] ?? []
            let jar = try #require(rows.first { $0["sku"] as? String == "JAR-1" })
            #expect(jar["available"] as? Int == 4)
            let demand = try #require(jar["mean_daily_demand"] as? Double)
            #expect(demand > 0.6 && demand < 1.5)
            let reorderPoint = try #require(jar["reorder_point"] as? Double)
            #expect(reorderPoint > 7)
            #expect((jar["suggested_quantity"] as? Int ?? 0) >= 20)
            #expect((jar["reason"] as? String)?.contains("below the reorder point") == true)
            let quiet = try #require(rows.first { $0["sku"] as? String == "JAR-2" })
            #expect(quiet["suggested_quantity"] as? Int == 0)
            _ = try await InventoryScheduler(application: t.app).pass(since: nil)
            let alerts = try await t.send(.GET, "/api/v1/inventory/alerts")
            let kinds = (try alerts.json()["data"] as? [[String: Any]] ?? []).map { "\($0["sku"] ?? ""):\($0["kind"] ?? "")" }
            #expect(kinds.contains("JAR-1:low_stock"))
            let onlySuggested = try await t.send(.GET, "/api/v1/inventory/replenishment?suggested_only=true")
            #expect((try onlySuggested.json()["data"] as? [[String: Any]])?.compactMap { $0["sku"] as? String } == ["JAR-1"])
            let page = try await t.send(.GET, "/api/v1/inventory/replenishment?limit=1").json()
            #expect((page["data"] as? [[String: Any]])?.first?["sku"] as? String == "JAR-1")
            let cursor = try #require(page["next_cursor"] as? String)
            let second = try await t.send(.GET, "/api/v1/inventory/replenishment?limit=1&after=\(cursor)").json()
            #expect((second["data"] as? [[String: Any]])?.first?["sku"] as? String == "JAR-2")
            // The stock table's light reading of every position agrees with the full suggestions, a day later too
            // (the stored forecast moved on), and with stock on order.
            for _ in 0..<2 {
                let replenishment = Replenishment(application: t.app, now: t.time.current)
                let full = try await replenishment.suggestions(shopID: try t.shop.requireID())
                let light = try await replenishment.positions(shopID: try t.shop.requireID())
                #expect(light.count == full.count && full.count == 2)
                for s in full {
                    let p = try #require(light.first { $0.sku == s.sku && $0.location == s.location })
                    #expect(p.available == s.available && p.daysOfCover == s.daysOfCover && p.reorderNow == (s.suggestedQuantity > 0))
                    #expect(s.onHand - s.reserved == s.available)
                }
                t.time.advance(by: 86_400)
                #expect(try await t.send(.POST, "/api/v1/purchase-orders",
                    json: #"{"number":"PO-\#(Int(t.time.current.timeIntervalSince1970))","supplier":"이천","location":"ICN","expected_at":"2026-12-30T00:00:00Z","lines":[{"sku":"JAR-1","quantity":3}]}"#).status == .created)
            }
            #expect(try await t.send(.GET, "/api/v1/inventory/replenishment?limit=0").errorFields() == ["limit"])
            #expect(try await t.send(.GET, "/api/v1/inventory/replenishment?suggested_only=yes").errorFields() == ["suggested_only"])
        }
    }

    @Test func aDayThatEndedWithNothingAvailableIsNotAZeroDemandDay() {
        let today = 20_000
        // Stock 2 received 10 days ago and sold out the same day: after that, demand is unknown, not zero.
        let days = [ReplenishmentPlanner.DayTotals(day: today - 10, demand: 2, availableDelta: 0)]
        let history = ReplenishmentPlanner.history(days, endingAvailable: 0, today: today, firstDay: today - 10)
        #expect(history.count == 11)
        #expect(history.first?.quantity == 2)
        #expect(history.first?.stockedOut == true)
        #expect(history.dropFirst().allSatisfy { $0.stockedOut && $0.quantity == 0 })
    }

    @Test func aDayThatEndedWithStockLeftIsAGenuineZero() {
        let today = 20_000
        let days = [ReplenishmentPlanner.DayTotals(day: today - 5, demand: 1, availableDelta: 9)]
        let history = ReplenishmentPlanner.history(days, endingAvailable: 9, today: today, firstDay: today - 5)
        #expect(history.count == 6)
        #expect(history.allSatisfy { !$0.stockedOut })
        #expect(history.map(\.quantity) == [1, 0, 0, 0, 0, 0])
    }

    /// The ledger's window is read in two halves at once; a position with movements in both comes back whole:
    /// every day, its first movement and its last sale.
    @Test func aPositionWithSalesInBothHalvesOfTheWindowIsReadWhole() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            let stocked = t.time.current
            try await t.move("receipts", [("JAR-1", 50)])
            t.time.advance(by: 10 * 86_400)
            let early = t.time.current
            #expect(try await t.order(sku: "JAR-1", quantity: 2, email: "early@example.com").status == .created)
            t.time.advance(by: 90 * 86_400)
            let late = t.time.current
            #expect(try await t.order(sku: "JAR-1", quantity: 3, email: "late@example.com").status == .created)
            t.time.advance(by: 86_400)
            let positions = try await ReplenishmentPlanner(application: t.app, now: t.time.current)
                .positions(shopID: try t.shop.requireID(), skus: ["JAR-1"])
            let position = try #require(positions.values.first { $0.sku == "JAR-1" })
            let sales = position.days.filter { $0.demand > 0 }.sorted { $0.day < $1.day }
            #expect(sales.map(\.day) == [ReplenishmentPlanner.dayIndex(early), ReplenishmentPlanner.dayIndex(late)])
            #expect(sales.map(\.demand) == [2, 3])
            #expect(position.firstMovementAt.map { abs($0.timeIntervalSince(stocked)) < 1 } == true)
            #expect(position.lastSaleAt.map { abs($0.timeIntervalSince(late)) < 1 } == true)
            #expect(position.available == 45)
        }
    }

    /// Stored forecasts (whole thousandths, comma-separated) read back as written, byte by byte; anything
    /// else reads as the general parse does (skipping what is not a whole number).
    @Test func storedForecastsReadBackAsWritten() {
        func general(_ text: String) -> [Double] { text.split(separator: ",").compactMap { Int64($0).map { Double($0) / 1_000 } } }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let values = ReplenishmentPlanner.storedForecast((0..<Int.random(in: 0...120, using: &generator)).map { _ in
                Double.random(in: 0...5_000, using: &generator)
            })
            #expect(ReplenishmentPlanner.decodeForecast(ReplenishmentPlanner.encodeForecast(values)) == values)
        }
        for odd in ["", ",", ",,", "12,,5", "007,1", "-5,3", "+4,2", "1e3,2", " 1,2", "1,2 ", "9999999999999999999,1",
                    "999999999999999999,1", "123456789012345678"] {
            #expect(ReplenishmentPlanner.decodeForecast(odd) == general(odd), "\(odd)")
        }
    }

    /// The ledger's daily totals come packed one row per position (`day:demand:delta,…`).
    @Test func packedDailyTotalsUnpackExactlyAndAnythingElseIsRefused() {
        let days = ReplenishmentPlanner.unpackDays("20400:3:-3,20401:0:120,20399:12:-12")
        #expect(days?.map(\.day) == [20_400, 20_401, 20_399])
        #expect(days?.map(\.demand) == [3, 0, 12])
        #expect(days?.map(\.availableDelta) == [-3, 120, -12])
        #expect(ReplenishmentPlanner.unpackDays("")?.isEmpty == true)
        #expect(ReplenishmentPlanner.unpackDays("-1:-2:-3")?.first.map { [$0.day, Int($0.demand), Int($0.availableDelta)] } == [-1, -2, -3])
        for bad in ["1:2", "1:2:3:4", "1:2:3,", ",1:2:3", "1::3", "1:2:3x", "1:--2:3", "1:2-:3", "1:2:99999999999999999999", " 1:2:3"] {
            #expect(ReplenishmentPlanner.unpackDays(bad) == nil, "\(bad)")
        }
        // Random triples survive packing and unpacking.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let triples = (0..<Int.random(in: 1...120, using: &generator)).map { _ in
                (Int.random(in: 0...40_000, using: &generator), Int64.random(in: 0...10_000, using: &generator),
                 Int64.random(in: -10_000...10_000, using: &generator))
            }
            let text = triples.map { "\($0.0):\($0.1):\($0.2)" }.joined(separator: ",")
            let back = ReplenishmentPlanner.unpackDays(text)
            #expect(back?.map(\.day) == triples.map(\.0))
            #expect(back?.map(\.demand) == triples.map(\.1))
            #expect(back?.map(\.availableDelta) == triples.map(\.2))
        }
    }

    @Test func theStoredForecastMovesOnWithTheCalendar() {
        let computed = Date(timeIntervalSince1970: 20_000 * 86_400 + 3_600)
        let stored = (0..<ReplenishmentPlanner.horizonDays).map(Double.init)
        let later = Replenishment.forecast(stored, computedAt: computed, now: computed.addingTimeInterval(3 * 86_400))
        #expect(later.count == ReplenishmentPlanner.horizonDays)
        #expect(later.first == 3)
        #expect(later.last == stored.reduce(0, +) / Double(stored.count))
    }
}
