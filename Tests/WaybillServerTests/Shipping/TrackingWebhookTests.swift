import Crypto
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

@Suite("Tracking through the inbox: signatures, duplicates, orphans, ordering (F5)")
struct TrackingWebhookTests {
    static let secret = "waybill-test-secret-0001"

    /// A CJ shipment of the whole order, packed, tracking 623012590022.
    func packedCJ(_ t: TestApp) async throws -> Int {
        let order = try await t.stockedOrder(quantity: 2)
        #expect(try await t.ship(order, #"{"carrier":"cj","tracking_number":"623012590022"}"#).status == .created)
        try await t.inbound("waybill", secret: Self.secret)
        return order
    }

    func event(_ id: String, _ events: String, number: String = "623012590022") -> String {
        #"{"id":"\#(id)","tracking_number":"\#(number)","carrier":"cj","events":[\#(events)]}"#
    }

    @Test func carrierScansMoveTheShipmentAndTheOrderWithoutAnyManualStep() async throws {
        try await withTestApp { t in
            let order = try await packedCJ(t)
            // CJ's own codes, local times without an offset (read as Korean time).
            let first = try await t.waybillWebhook(event("e1", #"{"occurred_at":"2026-11-23 19:10:00","code":"11","text":"상품인수","location":"서울강남"}"#))
            #expect(first.status == .ok)
            #expect(try first.json()["status"] as? String == "processed")
            var shipment = try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()
            #expect(shipment["tracking_status"] as? String == "in_transit")
            // The pick-up scan handed the parcel over: the stock left, the order is fulfilled.
            #expect(shipment["state"] as? String == "handed_over")
            #expect(try await t.level("JAR-1") == (8, 0, 8))
            #expect(try await t.orderStatus(order) == "fulfilled")
            // The scan re-predicted the order's promise at once (no background pass ran): in transit on Monday
            // evening, two delivery days, Wednesday — well before the promised Friday.
            let prediction = (shipment["promise"] as? [String: Any])?["prediction"] as? [String: Any]
            #expect(prediction?["expected"] as? String == "2026-11-25" && prediction?["probability_on_time"] as? Double == 1)
            let events = shipment["events"] as? [[String: Any]] ?? []
            #expect(events.first?["raw_text"] as? String == "상품인수")
            #expect(events.first?["occurred_at"] as? String == "2026-11-23T10:10:00Z")

            _ = try await t.waybillWebhook(event("e2", #"{"occurred_at":"2026-11-24 14:00:00","code":"91","text":"배달완료","location":"서울강남"}"#))
            // "Out for delivery" scanned before the delivery but arriving after it does not undo it.
            let late = try await t.waybillWebhook(event("e3", #"{"occurred_at":"2026-11-24 09:00:00","code":"82","text":"배송출발"}"#))
            #expect(try late.json()["status"] as? String == "processed")
            shipment = try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()
            #expect(shipment["tracking_status"] as? String == "delivered")
            #expect((shipment["events"] as? [[String: Any]])?.map { $0["status"] as? String ?? "" } == ["in_transit", "out_for_delivery", "delivered"])
            #expect(try await t.orderStatus(order) == "delivered")
            let kinds = (try await t.send(.GET, "/api/v1/orders/\(order)/timeline").json()["facts"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.filter { $0 == "tracking_updated" }.count == 2)
            #expect(kinds.last == "order_delivered")
            let delivered = try await t.send(.GET, "/api/v1/shipments?status=delivered").json()["data"] as? [[String: Any]] ?? []
            #expect(delivered.count == 1)
            try await t.expectNoDrift()
        }
    }

    @Test func inTheBackgroundModeAWebhookIsAnsweredOnceStoredAndProcessedRightAfter() async throws {
        try await withTestApp { t in
            let order = try await packedCJ(t)
            t.app.settings.inboxProcessing = .background
            let r = try await t.waybillWebhook(event("bg1", #"{"occurred_at":"2026-11-23 19:10:00","code":"11","text":"상품인수"}"#))
            #expect(try r.json()["status"] as? String == "received")
            await t.app.inboxWorker.waitUntilIdle()
            #expect(try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()["tracking_status"] as? String == "in_transit")
            let processed = try await t.send(.GET, "/api/v1/inbox?status=processed").json()["data"] as? [[String: Any]] ?? []
            #expect(processed.count == 1)
        }
    }

    @Test func aWrongSignatureIsRefusedAndStoresNothingAndARepeatChangesNothing() async throws {
        try await withTestApp { t in
            let order = try await packedCJ(t)
            let body = event("e1", #"{"occurred_at":"2026-11-23 19:10:00","code":"11","text":"상품인수"}"#)
            #expect(try await t.waybillWebhook(body, secret: "someone-else-secret").status == .unauthorized)
            let stale = WebhookSignature.waybillHeader(body: Data(body.utf8), secret: Self.secret, at: t.time.current.addingTimeInterval(-3_600))
            #expect(try await t.waybillWebhook(body, signature: stale).status == .unauthorized)
            #expect(try await t.inboxCount() == 0)
            #expect(try await t.waybillWebhook(body).status == .ok)
            let again = try await t.waybillWebhook(body)
            #expect(try again.json()["status"] as? String == "duplicate")
            #expect(try await t.inboxCount() == 1)
            // The same scan under a new event id (a carrier resending) is stored in the inbox but adds no event.
            #expect(try await t.waybillWebhook(body.replacingOccurrences(of: "\"e1\"", with: "\"e1b\"")).status == .ok)
            let events = try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()["events"] as? [[String: Any]] ?? []
            #expect(events.count == 1)
            // Unknown shop or source, malformed JSON, oversized body.
            let unknown = try await t.app.testing().sendRequest(.POST, "/webhooks/nobody/waybill", headers: ["Content-Type": "application/json"],
                                                                 body: ByteBuffer(string: body))
            #expect(unknown.status == .unauthorized)
            #expect(try await t.app.testing().sendRequest(.POST, "/webhooks/test/fax", body: ByteBuffer(string: body)).status == .notFound)
            #expect(try await t.waybillWebhook("{not json").status == .badRequest)
            let huge = String(repeating: "x", count: 5 * 1_024 * 1_024)
            #expect(try await t.waybillWebhook(#"{"id":"big","pad":"\#(huge)"}"#).status == .payloadTooLarge)
            #expect(try await t.inboxCount() == 2)
        }
    }

    @Test func unreadablePayloadsAreKeptAsFailedAndOrphansApplyWhenTheShipmentGetsTheNumber() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            try await t.inbound("waybill", secret: Self.secret)
            #expect(try await t.ship(order, #"{"carrier":"cj"}"#).status == .created)
            // About a number no shipment has yet: kept as an orphan.
            let orphan = try await t.waybillWebhook(event("o1", #"{"occurred_at":"2026-11-23 19:10:00","code":"11","text":"상품인수"}"#, number: "631693783814"))
            #expect(try orphan.json()["status"] as? String == "orphan")
            // A date that does not exist: failed, with the reason, visible for replay.
            let bad = try await t.waybillWebhook(event("b1", #"{"occurred_at":"2026-02-30 10:00","status":"in_transit"}"#))
            #expect(try bad.json()["status"] as? String == "failed")
            let failed = try await t.send(.GET, "/api/v1/inbox?status=failed").json()["data"] as? [[String: Any]] ?? []
            #expect((failed.first?["error"] as? String)?.contains("2026-02-30") == true)
            let id = try #require(failed.first?["id"] as? String)
            #expect(try await t.send(.POST, "/api/v1/inbox/\(id)/replay").json()["status"] as? String == "failed")
            #expect(try await t.send(.GET, "/api/v1/inbox/\(id)").json()["body"] as? String != nil)
            #expect(try await t.send(.GET, "/api/v1/inbox?status=lost").errorFields() == ["status"])

            // The warehouse adds the tracking number: the orphan applies at once.
            let set = try await t.send(.PUT, "/api/v1/shipments/\(order)-1/tracking", json: #"{"carrier":"cj","tracking_number":"631693783814"}"#)
            #expect(set.status == .ok)
            #expect(try set.json()["tracking_status"] as? String == "in_transit")
            #expect((try await t.send(.GET, "/api/v1/inbox?status=orphan").json()["data"] as? [[String: Any]])?.isEmpty == true)
            #expect(try await t.send(.PUT, "/api/v1/shipments/\(order)-1/tracking", json: #"{"carrier":"ups","tracking_number":"631693783814"}"#)
                .errorFields() == ["tracking_number"])
        }
    }

    /// AfterShip, EasyPost and Karrio in their own wire formats (own values, their field names), each
    /// signed the way that service signs.
    @Test func aggregatorWebhooksAreVerifiedAndNormalised() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            #expect(try await t.ship(order, #"{"carrier":"ups","tracking_number":"1Z5R89390357567127"}"#).status == .created)
            for source in ["aftership", "easypost", "karrio"] { try await t.inbound(source, secret: "\(source)-secret-0000001") }
            func post(_ source: String, _ body: String, _ headers: HTTPHeaders) async throws -> TestingHTTPResponse {
                var all = headers
                all.add(name: .contentType, value: "application/json")
                return try await t.app.testing().sendRequest(.POST, "/webhooks/test/\(source)", headers: all, body: ByteBuffer(string: body))
            }
            func mac(_ body: String, _ secret: String) -> HashedAuthenticationCode<SHA256> {
                HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            }
            let afterShip = """
                {"event_id":"as-1","event":"tracking_update","msg":{"tracking_number":"1Z5R89390357567127","slug":"ups","tag":"InTransit",
                "checkpoints":[{"checkpoint_time":"2026-11-23T08:00:00","tag":"InfoReceived","subtag":"InfoReceived_001","message":"Label created","location":"Louisville, KY"},
                {"checkpoint_time":"2026-11-23T20:15:00-05:00","tag":"InTransit","subtag":"InTransit_007","message":"Departed from facility","location":"Louisville, KY"}]}}
                """
            let r1 = try await post("aftership", afterShip, ["aftership-hmac-sha256": Data(mac(afterShip, "aftership-secret-0000001")).base64EncodedString()])
            #expect(try r1.json()["status"] as? String == "processed")
            let easyPost = """
                {"id":"evt_1","description":"tracker.updated","result":{"tracking_code":"1Z5R89390357567127","carrier":"UPS","status":"out_for_delivery",
                "tracking_details":[{"message":"Out For Delivery Today","status":"out_for_delivery","status_detail":"out_for_delivery","datetime":"2026-11-24T13:05:00Z",
                "tracking_location":{"city":"AUSTIN","state":"TX","country":"US"}}]}}
                """
            let hex = Data(mac(easyPost, "easypost-secret-0000001")).map { String(format: "%02x", $0) }.joined()
            #expect(try await post("easypost", easyPost, ["X-Hmac-Signature": "hmac-sha256-hex=\(hex)"]).json()["status"] as? String == "processed")
            let karrio = """
                {"id":"evt_k1","type":"tracker_updated","data":{"tracking_number":"1Z5R89390357567127","carrier_name":"ups","status":"delivered",
                "events":[{"code":"KB","date":"2026-11-24","time":"16:20","description":"Delivered","location":"AUSTIN, TX, US"}]}}
                """
            let khex = Data(mac(karrio, "karrio-secret-0000001")).map { String(format: "%02x", $0) }.joined()
            #expect(try await post("karrio", karrio, ["X-Karrio-Signature": "bad" + khex.dropFirst(3)]).status == .unauthorized)
            #expect(try await post("karrio", karrio, ["X-Karrio-Signature": khex]).json()["status"] as? String == "processed")
            let shipment = try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()
            let events = shipment["events"] as? [[String: Any]] ?? []
            #expect(events.map { $0["status"] as? String ?? "" } == ["info_received", "in_transit", "out_for_delivery", "delivered"])
            #expect(events.map { $0["source"] as? String ?? "" } == ["aftership", "aftership", "easypost", "karrio"])
            #expect(events[1]["utc_offset_seconds"] as? Int == -18_000)
            #expect(shipment["tracking_status"] as? String == "delivered")
            #expect(try await t.orderStatus(order) == "delivered")
        }
    }

    @Test func anOperatorMapsAnUnknownCodeAndTheShipmentMovesOn() async throws {
        try await withTestApp { t in
            let order = try await packedCJ(t)
            let scan = #"{"occurred_at":"2026-11-23 19:10:00","code":"Z9","text":"SYS-EXT 전송","location":"서울강남"}"#
            #expect(try await t.waybillWebhook(event("u1", scan)).status == .ok)
            var shipment = try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()
            // An unknown scan is kept with its raw code but moves nothing.
            #expect(shipment["tracking_status"] as? String == "pending" && shipment["state"] as? String == "packed")
            #expect((shipment["events"] as? [[String: Any]])?.first?["status"] as? String == "unknown")
            let unmapped = try await t.send(.GET, "/api/v1/carriers/unmapped").json()["data"] as? [[String: Any]] ?? []
            #expect(unmapped.count == 1 && unmapped.first?["raw_code"] as? String == "Z9" && unmapped.first?["events"] as? Int == 1)
            // Refused without a meaning Waybill knows, and for a carrier that does not exist.
            #expect(try await t.send(.PUT, "/api/v1/carriers/cj/mappings", json: #"{"raw_code":"Z9","status":"teleported"}"#).errorFields() == ["status"])
            #expect(try await t.send(.PUT, "/api/v1/carriers/cj/mappings", json: #"{"status":"in_transit"}"#).errorFields() == ["raw_code"])
            #expect(try await t.send(.PUT, "/api/v1/carriers/pigeon/mappings", json: #"{"raw_code":"Z9","status":"in_transit"}"#).status == .notFound)
            // "Z9" is a pick-up: the stored scan is re-read, the parcel counts as handed over, stock leaves.
            let saved = try await t.send(.PUT, "/api/v1/carriers/cj/mappings", json: #"{"raw_code":"Z9","status":"in_transit","substatus":"picked_up"}"#)
            #expect(saved.status == .ok)
            #expect(try saved.json()["remapped_events"] as? Int == 1 && (try saved.json()["shipments"] as? [String]) == ["\(order)-1"])
            shipment = try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()
            #expect(shipment["tracking_status"] as? String == "in_transit" && shipment["state"] as? String == "handed_over")
            #expect((shipment["events"] as? [[String: Any]])?.first?["raw_code"] as? String == "Z9")
            #expect((try await t.send(.GET, "/api/v1/carriers/unmapped").json()["data"] as? [[String: Any]])?.isEmpty == true)
            // The same scan sent again (another event id) is still the same scan; a new one with the code is understood.
            #expect(try await t.waybillWebhook(event("u2", scan)).status == .ok)
            #expect((try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()["events"] as? [[String: Any]])?.count == 1)
            _ = try await t.waybillWebhook(event("u3", #"{"occurred_at":"2026-11-24 08:00:00","code":"Z9","text":"SYS-EXT 전송","location":"대전HUB"}"#))
            let events = try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()["events"] as? [[String: Any]] ?? []
            #expect(events.count == 2 && events.allSatisfy { $0["status"] as? String == "in_transit" })
            try await t.expectNoDrift()
        }
    }

}
