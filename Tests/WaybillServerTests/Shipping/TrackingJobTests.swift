import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer
@testable import WaybillCore

@Suite("Polling the sandbox carrier, silence as an event, and inbox retries (F5)")
struct TrackingJobTests {
    /// A sandbox number issued now whose journey follows `scenario`.
    func sandboxNumber(_ t: TestApp, _ scenario: SandboxCarrier.Scenario) -> String {
        (0..<10_000).lazy.map { SandboxCarrier.number(handedOverAt: t.time.current, serial: $0) }.first { SandboxCarrier.scenario($0) == scenario }!
    }

    @Test func thePollerFollowsASandboxParcelToItsDoorWithoutAnyoneClicking() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 2)
            let number = sandboxNumber(t, .onTime)
            #expect(try await t.ship(order, #"{"carrier":"sandbox","tracking_number":"\#(number)"}"#).status == .created)
            let poller = TrackingPoller(application: t.app)
            #expect(try await poller.pass().newEvents == 0)  // nothing scanned yet
            t.time.advance(by: 8 * 3_600)
            let first = try await poller.pass()
            #expect(first.asked == 1 && first.newEvents >= 1)
            var shipment = try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()
            #expect(shipment["state"] as? String == "handed_over")
            #expect(shipment["tracking_status"] as? String == "in_transit")
            #expect(shipment["last_checked_at"] as? String != nil && shipment["last_scan_at"] as? String != nil)
            #expect(try await t.level("JAR-1") == (8, 0, 8))
            // Due again only later: asking now asks nobody.
            #expect(try await poller.pass().asked == 0)
            t.time.advance(by: 3 * 86_400)
            _ = try await poller.pass()
            shipment = try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()
            #expect(shipment["tracking_status"] as? String == "delivered")
            #expect(((shipment["events"] as? [[String: Any]])?.count ?? 0) >= 6)
            #expect(try await t.orderStatus(order) == "delivered")
            // Delivered parcels are not asked about again.
            t.time.advance(by: 86_400)
            #expect(try await poller.pass().asked == 0)
        }
    }

    /// A carrier whose API is down, and one that allows a single request a minute.
    struct FailingTracker: CarrierTracker {
        var carrier: CarrierCode { .sandbox }
        var requestsPerMinute: Int { 1 }
        var batchSize: Int { 1 }
        struct Down: Error {}
        func track(_ numbers: [String], now: Date) async throws -> [TrackingUpdate] { throw Down() }
    }

    @Test func aFailingCarrierIsAskedAgainLaterAndNeverFasterThanItsRate() async throws {
        try await withTestApp { t in
            try await t.warehouses()
            try await t.move("receipts", [("JAR-1", 10)])
            for i in 0..<3 {
                let order = try #require(try await t.order(sku: "JAR-1", email: "r\(i)@example.com").json()["number"] as? Int)
                #expect(try await t.ship(order, #"{"carrier":"sandbox"}"#).status == .created)
            }
            t.app.carrierTrackers = [.sandbox: FailingTracker()]
            let poller = TrackingPoller(application: t.app)
            // One request a minute, one number a request: a one-minute pass asks about one shipment only.
            let first = try await poller.pass(window: 60)
            #expect(first.asked == 1 && first.failures == 1)
            #expect(try await poller.pass(window: 60).asked == 1)
            #expect(try await poller.pass(window: 60).asked == 1)
            // All three failed and were put back five minutes: nothing is due now.
            #expect(try await poller.pass(window: 60).asked == 0)
            t.time.advance(by: 301)
            #expect(try await poller.pass(window: 600).asked == 3)
        }
    }

    @Test func aSandboxShipmentWithoutANumberGetsALabel() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            let r = try await t.ship(order, #"{"carrier":"sandbox"}"#)
            #expect((try r.json()["tracking_number"] as? String)?.hasPrefix("SBX") == true)
        }
    }

    @Test func silenceStallsAShipmentAndTheNextScanMovesItOn() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            let number = sandboxNumber(t, .delayedInTransit)
            #expect(try await t.ship(order, #"{"carrier":"sandbox","tracking_number":"\#(number)"}"#).status == .created)
            let poller = TrackingPoller(application: t.app), watch = ShipmentWatch(application: t.app)
            // Poll through the first day, then into the six silent days.
            for _ in 0..<12 {
                t.time.advance(by: 2 * 3_600)
                _ = try await poller.pass()
            }
            #expect(try await watch.pass().stalled.isEmpty)
            t.time.advance(by: 5 * 86_400)
            _ = try await poller.pass()
            let report = try await watch.pass()
            #expect(report.stalled == ["\(order)-1"])
            #expect(try await watch.pass().stalled.isEmpty)  // once
            #expect((try await t.send(.GET, "/api/v1/shipments?status=stalled").json()["data"] as? [[String: Any]])?.count == 1)
            var shipment = try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()
            #expect(shipment["tracking_status"] as? String == "stalled")
            t.time.advance(by: 3 * 86_400)
            _ = try await poller.pass()
            shipment = try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()
            #expect(["out_for_delivery", "delivered"].contains(shipment["tracking_status"] as? String ?? ""))
            let facts = try await t.send(.GET, "/api/v1/orders/\(order)/timeline").json()["facts"] as? [[String: Any]] ?? []
            let moves = facts.filter { $0["kind"] as? String == "tracking_updated" }.compactMap { $0["payload"] as? [String: Any] }
            #expect(moves.contains { $0["to"] as? String == "stalled" })
            #expect(moves.contains { $0["from"] as? String == "stalled" })
        }
    }

    @Test func anOrderNotHandedOverByItsDeadlineIsMarkedLateOnce() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            let watch = ShipmentWatch(application: t.app)
            #expect(try await watch.pass().late.isEmpty)
            t.time.advance(by: 5 * 86_400)
            #expect(try await watch.pass().late == [Int64(order)])
            #expect(try await watch.pass().late.isEmpty)
            let kinds = (try await t.send(.GET, "/api/v1/orders/\(order)/timeline").json()["facts"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.filter { $0 == "fulfillment_late" }.count == 1)
        }
    }

    /// Placed Monday 18:00 in Seoul, after the 14:00 cut-off: handling starts Tuesday, one handling day is
    /// Wednesday, so the deadline is Thursday 00:00 (Wednesday 15:00 UTC) — or Friday's, with Wednesday off.
    @Test func theDeadlineIsTheWarehousesOwnCutOffHandlingDaysAndDaysOff() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            let watch = ShipmentWatch(application: t.app)
            t.time.advance(by: 2 * 86_400 + 5 * 3_600)   // Wednesday 23:00 in Seoul
            #expect(try await watch.pass().late.isEmpty)
            t.time.advance(by: 2 * 3_600)                // Thursday 01:00
            #expect(try await watch.pass().late == [Int64(order)])
            let facts = try await t.send(.GET, "/api/v1/orders/\(order)/timeline").json()["facts"] as? [[String: Any]] ?? []
            let late = facts.first { $0["kind"] as? String == "fulfillment_late" }?["payload"] as? [String: Any]
            #expect(late?["deadline"] as? String == "2026-11-25T15:00:00Z" && late?["warehouse"] as? String == "ICN")
            #expect(late?["handling_business_days"] as? Int == 1)
            // A second order while Wednesday is a day off for the warehouse's country: Friday's deadline.
            #expect(try await t.send(.PUT, "/api/v1/promises/settings", json: #"{"days_off":[{"country":"KR","date":"2026-11-25","name":"재고조사"}]}"#).status == .ok)
            t.time.advance(by: -(2 * 86_400 + 7 * 3_600))  // back to Monday 18:00
            let second = try #require(try await t.order(sku: "JAR-1", quantity: 1, email: "second@example.com").json()["number"] as? Int)
            t.time.advance(by: 2 * 86_400 + 7 * 3_600)     // Thursday 01:00 again
            #expect(try await watch.pass().late.isEmpty)
            t.time.advance(by: 86_400)                     // Friday 01:00
            #expect(try await watch.pass().late == [Int64(second)])
        }
    }

    @Test func aMessageWhoseProcessingDidNotFinishIsRetried() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            #expect(try await t.ship(order, #"{"carrier":"cj","tracking_number":"623012590022"}"#).status == .created)
            let body = #"{"id":"r1","tracking_number":"623012590022","carrier":"cj","events":[{"occurred_at":"2026-11-23 19:10:00","code":"11","text":"상품인수"}]}"#
            // Stored and acknowledged, then the process died before processing it.
            let receipt = try await Inbox(application: t.app).store(shopID: try t.shop.requireID(), source: .waybill, eventID: "r1", body: body)
            guard case .stored = receipt else { Issue.record("not stored"); return }
            #expect(try await Inbox(application: t.app).retryPending() == 0)
            t.time.advance(by: 180)
            #expect(try await Inbox(application: t.app).retryPending() == 1)
            #expect(try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()["tracking_status"] as? String == "in_transit")
            #expect(try await Inbox(application: t.app).retryPending() == 0)
        }
    }
}

@Suite("Console: shipments and the inbox")
struct ConsoleShipmentTests {
    @Test func theShipmentPagesShowWhatNeedsAttentionAndTheInboxReplays() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            try await t.inbound("waybill", secret: "waybill-test-secret-0001")
            #expect(try await t.ship(order, #"{"carrier":"cj","tracking_number":"623012590022"}"#).status == .created)
            // A code nobody has mapped, and a payload that cannot be read.
            _ = try await t.waybillWebhook(#"{"id":"u1","tracking_number":"623012590022","carrier":"cj","events":[{"occurred_at":"2026-11-23 19:10:00","code":"77","text":"특수처리중"}]}"#)
            _ = try await t.waybillWebhook(#"{"id":"f1","tracking_number":"623012590022","events":[{"occurred_at":"someday","status":"in_transit"}]}"#)
            let (_, session) = try await ConsoleTests().signIn(t)
            let cookie: HTTPHeaders = ["Cookie": "waybill_session=\(session.cookie)"]
            let attention = try await t.send(.GET, "/console/shipments", headers: cookie)
            #expect(attention.status == .ok)
            #expect(attention.text.contains("\(order)-1") && attention.text.contains("unmapped code"))
            let page = try await t.send(.GET, "/console/shipments/\(order)-1", headers: cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("특수처리중") && page.text.contains("unknown"))
            let inbox = try await t.send(.GET, "/console/inbox", headers: cookie)
            #expect(inbox.status == .ok && inbox.text.contains("someday"))
            let id = try #require((try await t.send(.GET, "/api/v1/inbox?status=failed").json()["data"] as? [[String: Any]])?.first?["id"] as? String)
            let replay = try await t.app.testing().sendRequest(.POST, "/console/inbox/\(id)/replay", headers: ConsoleTests().form(session.cookie),
                                                                body: ByteBuffer(string: "_csrf=\(session.csrf)"))
            #expect(replay.status == .seeOther)
            let found = try await t.send(.GET, "/console/shipments?q=6230-1259-0022", headers: cookie)
            #expect(found.text.contains("\(order)-1"))
        }
    }
}
