import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

/// The inbox under load: many messages stored by one statement, applied by one transaction, and one bad
/// message never costing the others.
@Suite("Inbox batches: stored together, applied together, failing alone")
struct InboxBatchTests {
    func event(_ id: String, _ number: String, at time: String, code: String, text: String) -> String {
        #"{"id":"\#(id)","tracking_number":"\#(number)","carrier":"cj","events":[{"occurred_at":"\#(time)","code":"\#(code)","text":"\#(text)"}]}"#
    }

    /// Two packed CJ parcels of two orders.
    func twoParcels(_ t: TestApp) async throws -> (Int, Int) {
        let first = try await t.stockedOrder(quantity: 1)
        let second = try #require(try await t.order(sku: "JAR-2", quantity: 1, email: "second@example.com").json()["number"] as? Int)
        #expect(try await t.ship(first, #"{"carrier":"cj","tracking_number":"623012590022"}"#).status == .created)
        #expect(try await t.ship(second, #"{"carrier":"cj","tracking_number":"631693783814"}"#).status == .created)
        return (first, second)
    }

    func store(_ t: TestApp, _ messages: [(String, String)]) async throws -> [String: Inbox.Receipt] {
        let shopID = try t.shop.requireID()
        let inbox = Inbox(application: t.app)
        return try await withThrowingTaskGroup(of: (String, Inbox.Receipt).self) { group in
            for (eventID, body) in messages {
                group.addTask { (eventID, try await inbox.store(shopID: shopID, source: .waybill, eventID: eventID, body: body)) }
            }
            var receipts: [String: Inbox.Receipt] = [:]
            for try await (eventID, receipt) in group where receipts[eventID] == nil || receipt != .duplicate { receipts[eventID] = receipt }
            return receipts
        }
    }

    func statuses(_ t: TestApp) async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try await (t.app.db as! any SQLDatabase).raw("SELECT event_id, status FROM inbox_messages").all().map {
            (try $0.decode(column: "event_id", as: String.self), try $0.decode(column: "status", as: String.self))
        })
    }

    @Test func aBatchAppliesEveryMessageInArrivalOrderAndRecordsEachOutcome() async throws {
        try await withTestApp { t in
            let (first, second) = try await twoParcels(t)
            var messages: [(String, String)] = [
                ("a1", event("a1", "623012590022", at: "2026-11-23 19:10:00", code: "11", text: "상품인수")),
                ("b1", event("b1", "631693783814", at: "2026-11-23 19:20:00", code: "11", text: "상품인수")),
                // Hub scans: the first changes the sub-status, the second only adds a scan (written at the batch's end,
                // or before the next scan that moves the status).
                ("a1c", event("a1c", "623012590022", at: "2026-11-23 23:00:00", code: "41", text: "간선하차")),
                ("a1d", event("a1d", "623012590022", at: "2026-11-24 03:00:00", code: "41", text: "간선하차")),
                ("b2", event("b2", "631693783814", at: "2026-11-23 23:10:00", code: "41", text: "간선하차")),
                ("b3", event("b3", "631693783814", at: "2026-11-24 03:10:00", code: "41", text: "간선하차")),
                ("a2", event("a2", "623012590022", at: "2026-11-24 09:00:00", code: "82", text: "배송출발")),
                ("a3", event("a3", "623012590022", at: "2026-11-24 14:00:00", code: "91", text: "배달완료")),
                ("o1", event("o1", "640123456789", at: "2026-11-23 19:10:00", code: "11", text: "상품인수")),
                ("bad", event("bad", "631693783814", at: "2026-02-30 10:00:00", code: "11", text: "상품인수")),
            ]
            // The same event twice, and the same scan again under a new event id.
            messages.append(("a1", messages[0].1))
            messages.append(("a1b", messages[0].1.replacingOccurrences(of: "\"a1\"", with: "\"a1b\"")))
            let receipts = try await store(t, messages)
            #expect(receipts.count == 11 && receipts.values.allSatisfy { if case .stored = $0 { true } else { false } })
            #expect(try await t.inboxCount() == 11)
            #expect(try await Inbox(application: t.app).store(shopID: try t.shop.requireID(), source: .waybill, eventID: "a1", body: "{}") == .duplicate)

            let ids = try await (t.app.db as! any SQLDatabase).raw("SELECT id FROM inbox_messages ORDER BY received_at, event_id").all()
                .map { try $0.decode(column: "id", as: UUID.self) }
            try await Inbox(application: t.app).process(ids: ids)
            let status = try await statuses(t)
            #expect(status == ["a1": "processed", "a1b": "processed", "a1c": "processed", "a1d": "processed", "a2": "processed",
                               "a3": "processed", "b1": "processed", "b2": "processed", "b3": "processed", "o1": "orphan", "bad": "failed"])
            let a = try await t.send(.GET, "/api/v1/shipments/\(first)-1").json()
            #expect(a["tracking_status"] as? String == "delivered" && a["state"] as? String == "handed_over")
            #expect((a["events"] as? [[String: Any]])?.map { $0["status"] as? String ?? "" }
                    == ["in_transit", "in_transit", "in_transit", "out_for_delivery", "delivered"])
            let b = try await t.send(.GET, "/api/v1/shipments/\(second)-1").json()
            #expect(b["tracking_status"] as? String == "in_transit" && (b["events"] as? [[String: Any]])?.count == 3)
            #expect(b["last_scan_at"] as? String == "2026-11-23T18:10:00Z")
            #expect(try await t.orderStatus(first) == "delivered")
            #expect(try await t.orderStatus(second) == "fulfilled")
            let row = try #require(try await (t.app.db as! any SQLDatabase).raw("""
                SELECT attempts, error, processed_at, tracking_number FROM inbox_messages WHERE event_id = 'bad'
                """).first())
            #expect(try row.decode(column: "attempts", as: Int.self) == 1)
            #expect(try row.decode(column: "error", as: String?.self)?.contains("2026-02-30") == true)
            #expect(try row.decode(column: "processed_at", as: Date?.self) != nil)
            #expect(try await (t.app.db as! any SQLDatabase).raw("SELECT tracking_number FROM inbox_messages WHERE event_id = 'o1'").first()?
                .decode(column: "tracking_number", as: String?.self) == "640123456789")
            // Processing the same batch again changes nothing.
            try await Inbox(application: t.app).process(ids: ids)
            let again = try await t.send(.GET, "/api/v1/shipments/\(first)-1").json()["events"] as? [[String: Any]]
            #expect(again?.count == 5)
            try await t.expectNoDrift()
        }
    }

    @Test func oneMessageTheDatabaseRefusesRollsTheBatchBackAndTheOthersAreAppliedAlone() async throws {
        try await withTestApp { t in
            let (first, second) = try await twoParcels(t)
            let sql = t.app.db as! any SQLDatabase
            try await Self.refuse(column: "raw_text", of: "tracking_events", when: "독", sql: sql)
            let receipts = try await store(t, [
                ("a1", event("a1", "623012590022", at: "2026-11-23 19:10:00", code: "11", text: "상품인수")),
                ("p1", event("p1", "631693783814", at: "2026-11-23 19:20:00", code: "11", text: "독")),
                ("b1", event("b1", "631693783814", at: "2026-11-23 19:30:00", code: "82", text: "배송출발")),
            ])
            #expect(receipts.count == 3)
            let ids = try await sql.raw("SELECT id FROM inbox_messages ORDER BY received_at, event_id").all().map { try $0.decode(column: "id", as: UUID.self) }
            try await Inbox(application: t.app).process(ids: ids)
            #expect(try await statuses(t) == ["a1": "processed", "b1": "processed", "p1": "received"])
            #expect(try await t.send(.GET, "/api/v1/shipments/\(first)-1").json()["tracking_status"] as? String == "in_transit")
            #expect(try await t.send(.GET, "/api/v1/shipments/\(second)-1").json()["tracking_status"] as? String == "out_for_delivery")
            let poisoned = try #require(try await sql.raw("SELECT attempts, error FROM inbox_messages WHERE event_id = 'p1'").first())
            #expect(try poisoned.decode(column: "attempts", as: Int.self) == 1)
            #expect(try poisoned.decode(column: "error", as: String?.self)?.contains("refused") == true)
            try await t.expectNoDrift()
        }
    }

    @Test func oneBodyTheDatabaseRefusesIsRefusedAloneAndTheOthersAreStored() async throws {
        try await withTestApp { t in
            _ = try await twoParcels(t)
            try await Self.refuse(column: "event_id", of: "inbox_messages", when: "p1", sql: t.app.db as! any SQLDatabase)
            let shopID = try t.shop.requireID()
            let inbox = Inbox(application: t.app)
            let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
                for n in 0..<30 {
                    let id = n == 7 ? "p1" : "e\(n)"
                    group.addTask { (id, (try? await inbox.store(shopID: shopID, source: .waybill, eventID: id, body: "{}")) != nil) }
                }
                var outcomes: [String: Bool] = [:]
                for await (id, stored) in group { outcomes[id] = stored }
                return outcomes
            }
            #expect(outcomes.count == 30 && outcomes["p1"] == false && outcomes.filter(\.value).count == 29)
            #expect(try await t.inboxCount() == 29)
        }
    }

    @Test func aChangedSecretIsUsedAtOnceEvenIfAnotherInstanceChangedIt() async throws {
        try await withTestApp { t in
            let (first, _) = try await twoParcels(t)
            try await t.inbound("waybill", secret: "first-secret-0000001")
            let scan = event("s1", "623012590022", at: "2026-11-23 19:10:00", code: "11", text: "상품인수")
            #expect(try await t.waybillWebhook(scan, secret: "first-secret-0000001").status == .ok)
            // Changed through this instance: the old secret stops working here at once.
            try await t.inbound("waybill", secret: "second-secret-000002")
            let next = event("s2", "623012590022", at: "2026-11-24 09:00:00", code: "82", text: "배송출발")
            #expect(try await t.waybillWebhook(next, secret: "first-secret-0000001").status == .unauthorized)
            #expect(try await t.waybillWebhook(next, secret: "second-secret-000002").status == .ok)
            // Changed behind this instance's back (another instance, the database): the new one works at once.
            try await (t.app.db as! any SQLDatabase).raw("UPDATE inbound_webhooks SET secret = 'third-secret-0000003'").run()
            let last = event("s3", "623012590022", at: "2026-11-24 14:00:00", code: "91", text: "배달완료")
            #expect(try await t.waybillWebhook(last, secret: "third-secret-0000003").status == .ok)
            #expect(try await t.send(.GET, "/api/v1/shipments/\(first)-1").json()["tracking_status"] as? String == "delivered")
        }
    }

    /// A trigger that makes the database refuse a row whose `column` is `value`: a failure only our side
    /// (not the message) can cause, on either database.
    static func refuse(column: String, of table: String, when value: String, sql: any SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            try await sql.raw("""
                CREATE TRIGGER refuse_\(unsafeRaw: table) BEFORE INSERT ON \(ident: table) WHEN NEW.\(ident: column) = '\(unsafeRaw: value)'
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                """).run()
        } else {
            try await sql.raw("""
                CREATE FUNCTION refuse_\(unsafeRaw: table)() RETURNS trigger AS $$ BEGIN
                IF NEW.\(ident: column) = '\(unsafeRaw: value)' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql
                """).run()
            try await sql.raw("""
                CREATE TRIGGER refuse_\(unsafeRaw: table) BEFORE INSERT ON \(ident: table) FOR EACH ROW EXECUTE FUNCTION refuse_\(unsafeRaw: table)()
                """).run()
        }
    }
}
