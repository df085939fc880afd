import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

@Suite("Stock alerts as facts, the scheduled job and per-SKU targets (F1)")
struct StockAlertTests {
    /// Twenty days selling one JAR-1 a day from 24: low stock by the end.
    func sellDown(_ t: TestApp) async throws {
        try await t.warehouses()
        try await t.move("receipts", [("JAR-1", 24), ("JAR-2", 400)])
        for day in 0..<20 {
            t.time.advance(by: 86_400)
            #expect(try await t.order(sku: "JAR-1", quantity: 1, email: "day\(day)@example.com").status == .created)
        }
    }

    func history(_ t: TestApp) async throws -> [[String: Any]] {
        try await t.send(.GET, "/api/v1/inventory/alerts/history").json()["data"] as? [[String: Any]] ?? []
    }

    func active(_ t: TestApp) async throws -> [String] {
        let rows = try await t.send(.GET, "/api/v1/inventory/alerts").json()["data"] as? [[String: Any]] ?? []
        return rows.map { "\($0["sku"] ?? ""):\($0["kind"] ?? "")" }.sorted()
    }

    @Test func theJobRaisesEachAlertOnceAsAFactAndAPurchaseOrderClearsIt() async throws {
        try await withTestApp { t in
            try await sellDown(t)
            let scheduler = InventoryScheduler(application: t.app)
            let first = try await scheduler.pass(since: nil)
            #expect(first.planned)
            #expect(first.alerts.raised.contains("JAR-1@ICN/low_stock"))
            #expect(try await active(t).contains("JAR-1:low_stock"))
            let raised = try await history(t)
            #expect(raised.contains { $0["kind"] as? String == "stock_alert_raised" && $0["subject"] as? String == "stock:JAR-1@ICN" })

            // Another pass, and a sale in between: the alert still holds, so no second fact.
            t.time.advance(by: 600)
            #expect(try await t.order(sku: "JAR-1", quantity: 1, email: "again@example.com").status == .created)
            let second = try await scheduler.pass(since: first.startedAt)
            #expect(!second.planned)
            #expect(second.alerts.raised.isEmpty)
            #expect(try await history(t).count == raised.count)

            // Ordering from the supplier lifts available + incoming above the reorder point: cleared at once.
            let po = try await t.send(.POST, "/api/v1/purchase-orders", json: """
                {"number":"PO-1","supplier":"Jar Co","location":"ICN","expected_at":"2026-12-20T00:00:00Z","lines":[{"sku":"JAR-1","quantity":200}]}
                """)
            #expect(po.status == .created)
            #expect(try await !active(t).contains("JAR-1:low_stock"))
            let facts = try await history(t)
            let cleared = try #require(facts.first {
                $0["kind"] as? String == "stock_alert_cleared" && ($0["payload"] as? [String: Any])?["kind"] as? String == "low_stock"
            })
            #expect(cleared["subject"] as? String == "stock:JAR-1@ICN")
            let all = try await t.send(.GET, "/api/v1/inventory/alerts?state=cleared").json()["data"] as? [[String: Any]] ?? []
            #expect(all.contains { $0["sku"] as? String == "JAR-1" && $0["cleared_at"] != nil })

            // The delivery arrives and most of it is written off: low again, raised again (a second fact).
            #expect(try await t.send(.POST, "/api/v1/purchase-orders/PO-1/receipts", json: #"{"lines":[{"sku":"JAR-1","quantity":200}]}"#).status == .created)
            #expect(try await t.move("adjustments", [("JAR-1", -200)]).status == .created)
            #expect(try await active(t).contains("JAR-1:low_stock"))
            let raises = try await history(t).filter {
                $0["kind"] as? String == "stock_alert_raised" && ($0["payload"] as? [String: Any])?["kind"] as? String == "low_stock"
            }
            #expect(raises.count == 2)
        }
    }

    @Test func stockThatDoesNotSellBecomesDeadAndOverstock() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-2", 400)])
            t.time.advance(by: 100 * 86_400)
            let pass = try await InventoryScheduler(application: t.app).pass(since: nil)
            #expect(pass.alerts.raised.contains("JAR-2@ICN/dead_stock"))
            #expect(pass.alerts.raised.contains("JAR-2@ICN/overstock"))
            let rows = try await t.send(.GET, "/api/v1/inventory/alerts?kind=dead_stock").json()["data"] as? [[String: Any]] ?? []
            let dead = try #require(rows.first)
            #expect((dead["detail"] as? [String: Any]).map { "\($0)" }?.contains("100") == true)
            #expect(try await t.send(.GET, "/api/v1/inventory/alerts?kind=sunny").status == .unprocessableEntity)
            #expect(try await t.send(.GET, "/api/v1/inventory/alerts?state=maybe").errorFields() == ["state"])
        }
    }

    @Test func refreshingRecomputesEveryPlanAndReportsWhatChanged() async throws {
        try await withTestApp { t in
            try await sellDown(t)
            let r = try await t.send(.POST, "/api/v1/inventory/replenishment/refresh")
            #expect(r.status == .ok)
            let body = try r.json()
            #expect(body["positions"] as? Int == 2)
            #expect((body["alerts_raised"] as? [String])?.contains("JAR-1@ICN/low_stock") == true)
            let computed = try await t.send(.GET, "/api/v1/inventory/replenishment?sku=JAR-1").json()["data"] as? [[String: Any]]
            #expect(computed?.first?["plan_computed_at"] as? String == ISO8601DateFormatter().string(from: t.time.current))
            // Nothing moved since: a second refresh raises nothing new.
            #expect((try await t.send(.POST, "/api/v1/inventory/replenishment/refresh").json()["alerts_raised"] as? [String])?.isEmpty == true)
        }
    }

    /// A planner run hands its plans to the alerts in memory; they must say exactly what the stored plans
    /// say when read back (forecasts are stored in thousandths, and carried so from the start).
    @Test func plansHandedOverInMemoryGiveTheSameSuggestionsAsStoredOnes() async throws {
        try await withTestApp { t in
            try await sellDown(t)
            try await t.move("receipts", [("JAR-2", 7)])
            let now = t.time.current
            let shopID = try t.shop.requireID()
            let report = try await ReplenishmentPlanner(application: t.app, now: now).run(shopID: shopID)
            #expect(report.plans.count == 2)
            #expect(report.plans.allSatisfy { $0.forecast.count == ReplenishmentPlanner.horizonDays })
            let replenishment = Replenishment(application: t.app, now: now)
            let fromMemory = try await replenishment.suggestions(shopID: shopID, skus: nil, planned: report)
            let readBack = try await replenishment.suggestions(shopID: shopID, skus: nil)
            func comparable(_ list: [Replenishment.Suggestion]) throws -> String {
                let blanked = list.map { var s = $0; s.planComputedAt = Date(timeIntervalSince1970: 0); return s }
                return String(decoding: try JSONCoding.encoder.encode(blanked), as: UTF8.self)
            }
            #expect(fromMemory.count == 2)
            #expect(try comparable(fromMemory) == comparable(readBack))
            #expect(fromMemory.flatMap(\.alerts).count > 0)
        }
    }

    /// Plans are stored 500 to a statement, each batch encoded while the one before it is written: every
    /// plan of several batches arrives, and storing again updates them all in place.
    @Test func plansStoredInSeveralBatchesAllArriveAndUpdateInPlace() async throws {
        try await withTestApp { t in
            try await sellDown(t)
            let shopID = try t.shop.requireID()
            let planner = ReplenishmentPlanner(application: t.app, now: t.time.current)
            let model = try #require(try await planner.run(shopID: shopID).plans.first)
            var plans = (0..<1_201).map { index -> ReplenishmentPlanner.StoredPlan in
                var plan = model
                plan.sku = String(format: "SYN-%04d", index)
                plan.plan.reorderPoint = Double(index)
                return plan
            }
            try await planner.store(plans, shopID: shopID)
            let sql = t.app.db as! any SQLDatabase
            func stored() async throws -> [String: (Double, String)] {
                var out: [String: (Double, String)] = [:]
                for row in try await sql.raw("SELECT sku, reorder_point, forecast FROM stock_plans WHERE sku LIKE 'SYN-%'").all() {
                    out[try row.decode(column: "sku", as: String.self)] =
                        (try row.decode(column: "reorder_point", as: Double.self), try row.decode(column: "forecast", as: String.self))
                }
                return out
            }
            let first = try await stored()
            #expect(first.count == 1_201)
            #expect(first["SYN-0000"]?.0 == 0 && first["SYN-0600"]?.0 == 600 && first["SYN-1200"]?.0 == 1_200)
            #expect(first["SYN-1200"].map { ReplenishmentPlanner.decodeForecast($0.1) } == model.forecast)
            for index in plans.indices { plans[index].plan.reorderPoint += 0.5 }
            try await planner.store(plans, shopID: shopID)
            let second = try await stored()
            #expect(second.count == 1_201)
            #expect(second.allSatisfy { sku, value in value.0 == (Double(sku.dropFirst(4)) ?? -1) + 0.5 })
        }
    }

    @Test func thePlanJobRunsOnceADayWhicheverInstanceClaimsIt() async throws {
        try await withTestApp { t in
            try await sellDown(t)
            let a = InventoryScheduler(application: t.app)
            #expect(try await a.pass(since: nil).planned)
            #expect(try await !a.pass(since: nil).planned)
            #expect(try await !JobLease(application: t.app).claim(InventoryScheduler.planJob, for: 60, now: t.time.current))
            t.time.advance(by: InventoryScheduler.planEvery + 1)
            #expect(try await a.pass(since: nil).planned)
        }
    }

    @Test func aHigherServiceLevelRaisesTheReorderPointAndBadSettingsNameTheField() async throws {
        try await withTestApp { t in
            try await sellDown(t)
            func reorderPoint() async throws -> Double {
                let rows = try await t.send(.GET, "/api/v1/inventory/replenishment?sku=JAR-1").json()["data"] as? [[String: Any]]
                return try #require(rows?.first?["reorder_point"] as? Double)
            }
            let standard = try await reorderPoint()
            let put = try await t.send(.PUT, "/api/v1/inventory/replenishment/settings/JAR-1",
                                       json: #"{"service_level":0.995,"pack_size":12,"minimum_order":48}"#)
            #expect(put.status == .ok)
            #expect(try await reorderPoint() > standard)
            let rows = try await t.send(.GET, "/api/v1/inventory/replenishment?sku=JAR-1").json()["data"] as? [[String: Any]]
            let quantity = try #require(rows?.first?["suggested_quantity"] as? Int)
            #expect(quantity >= 48 && quantity % 12 == 0)
            let saved = try await t.send(.GET, "/api/v1/inventory/replenishment/settings/JAR-1").json()
            #expect(saved["pack_size"] as? Int == 12)

            let bad = try await t.send(.PUT, "/api/v1/inventory/replenishment/settings/JAR-1",
                                       json: #"{"service_level":1.5,"pack_size":0}"#)
            #expect(bad.status == .unprocessableEntity)
            #expect(try Set(bad.errorFields()) == ["replenishment.service_level", "replenishment.pack_size"])
            #expect(try await t.send(.PUT, "/api/v1/inventory/replenishment/settings/NOPE", json: "{}").status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/inventory/replenishment/settings/JAR-1").json()["pack_size"] as? Int == 12)
        }
    }
}

@Suite("Stock levels: pages and filters (F1)")
struct StockLevelListTests {
    @Test func levelsComeInPagesAndFilterByWarehouseAndReorderPoint() async throws {
        try await withTestApp { t in
            try await t.warehouses([("ICN", "경기"), ("PUS", "부산")])
            try await t.move("receipts", [("JAR-1", 24), ("JAR-2", 400)])
            try await t.move("receipts", location: "PUS", [("JAR-1", 5), ("JAR-2", 5)])
            for day in 0..<20 {
                t.time.advance(by: 86_400)
                _ = try await t.order(sku: "JAR-1", quantity: 1, email: "d\(day)@example.com")
            }
            let first = try await t.send(.GET, "/api/v1/inventory/levels?limit=3").json()
            #expect((first["data"] as? [[String: Any]])?.count == 3)
            let cursor = try #require(first["next_cursor"] as? String)
            let second = try await t.send(.GET, "/api/v1/inventory/levels?limit=3&after=\(cursor)").json()
            #expect((second["data"] as? [[String: Any]])?.map { "\($0["sku"] ?? "")@\($0["location"] ?? "")" } == ["JAR-2@PUS"])
            #expect(second["next_cursor"] == nil || second["next_cursor"] is NSNull)
            let busan = try await t.send(.GET, "/api/v1/inventory/levels?warehouse=PUS").json()["data"] as? [[String: Any]] ?? []
            #expect(busan.count == 2)
            // Plans exist once replenishment has been asked for (or the nightly job ran).
            _ = try await t.send(.GET, "/api/v1/inventory/replenishment")
            let low = try await t.send(.GET, "/api/v1/inventory/levels?below_reorder_point=true").json()["data"] as? [[String: Any]] ?? []
            #expect(low.map { "\($0["sku"] ?? "")@\($0["location"] ?? "")" } == ["JAR-1@ICN"])
            #expect(try await t.send(.GET, "/api/v1/inventory/levels?limit=0").errorFields() == ["limit"])
            #expect(try await t.send(.GET, "/api/v1/inventory/levels?after=nonsense").errorFields() == ["after"])
            #expect(try await t.send(.GET, "/api/v1/inventory/levels?below_reorder_point=maybe").errorFields() == ["below_reorder_point"])
        }
    }
}
