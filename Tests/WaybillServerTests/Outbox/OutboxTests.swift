import Crypto
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillCore
@testable import WaybillServer

extension TestApp {
    struct OutboxRow: Sendable {
        var kind: String
        var trigger: String?
        var status: String
        var recipient: String?
        var subject: String?
        var text: String?
        var html: String?
        var messageID: String?
        var attempts: Int
        var lastError: String?
        var transport: String?
        var nextAttemptAt: Date
    }

    /// Every message row (not dispatch rows), oldest first.
    func outbox(kind: String? = nil) async throws -> [OutboxRow] {
        var query: SQLQueryString = """
            SELECT kind, trigger, status, recipient, subject, body_text, body_html, message_id, attempts, last_error, transport, next_attempt_at
            FROM outbox WHERE kind <> 'dispatch'
            """
        if let kind { query += " AND kind = \(bind: kind)" }
        query += " ORDER BY created_at, trigger, kind"
        return try await (app.db as! any SQLDatabase).raw(query).all().map {
            OutboxRow(kind: try $0.decode(column: "kind", as: String.self), trigger: try $0.decode(column: "trigger", as: String?.self),
                      status: try $0.decode(column: "status", as: String.self), recipient: try $0.decode(column: "recipient", as: String?.self),
                      subject: try $0.decode(column: "subject", as: String?.self), text: try $0.decode(column: "body_text", as: String?.self),
                      html: try $0.decode(column: "body_html", as: String?.self), messageID: try $0.decode(column: "message_id", as: String?.self),
                      attempts: try $0.decode(column: "attempts", as: Int.self), lastError: try $0.decode(column: "last_error", as: String?.self),
                      transport: try $0.decode(column: "transport", as: String?.self),
                      nextAttemptAt: try $0.decode(column: "next_attempt_at", as: Date.self))
        }
    }

    /// Waits out the digest window (news about parcels is held that long), then sends everything due.
    func drainOutbox(worker: String = "test") async throws {
        time.advance(by: Outbox.digestWindow)
        try await OutboxPass(application: app, worker: worker).drain()
    }
}

@Suite("The outbox: notifications written with their facts, sent once, retried, parked and replayed (F4, F5, W4)")
struct OutboxTests {
    @Test func anOrderIsConfirmedByEmailWithItsPromiseOnceAndOnlyOnce() async throws {
        try await withTestApp { t in
            let number = try await t.stockedOrder(quantity: 1, email: "minji@example.kr")
            // Written with the order: one dispatch row, nothing sent yet.
            let dispatch = try await (t.app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'dispatch'").first()!
            #expect(try dispatch.decode(column: "n", as: Int.self) >= 1)
            #expect(try await t.outbox().isEmpty)
            try await t.drainOutbox()
            let sent = try await t.outbox()
            #expect(sent.count == 1)
            let mail = try #require(sent.first)
            #expect(mail.kind == "email" && mail.trigger == "order_confirmed" && mail.status == "sent" && mail.transport == "log")
            #expect(mail.recipient == "minji@example.kr")
            #expect(mail.subject?.contains("#\(number)") == true)
            // Korean for a Korean order, with the promise's dates and an unsubscribe link in both parts.
            #expect(mail.text?.contains("수신 거부: http://127.0.0.1:8080/u/") == true)
            #expect(mail.html?.contains("<html lang=\"ko\">") == true && mail.html?.contains("/u/") == true)
            #expect(mail.messageID?.hasSuffix("@waybill.localhost") == true)
            // Running the worker again sends nothing more.
            try await t.drainOutbox()
            #expect(try await t.outbox().count == 1)
        }
    }

    @Test func eachTrackingStepNotifiesOnceOnTheShopsChannelsAndADuplicateScanNothing() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            #expect(try await t.ship(order, #"{"carrier":"cj","tracking_number":"623012590022"}"#).status == .created)
            try await t.inbound("waybill", secret: "waybill-test-secret-0001")
            func scan(_ id: String, _ code: String, _ text: String, at: String) async throws {
                let body = #"{"id":"\#(id)","tracking_number":"623012590022","carrier":"cj","events":[{"occurred_at":"\#(at)","code":"\#(code)","text":"\#(text)","location":"서울강남"}]}"#
                #expect(try await t.waybillWebhook(body).status == .ok)
            }
            try await scan("e1", "11", "상품인수", at: "2026-11-23 19:10:00")
            try await scan("e2", "82", "배송출발", at: "2026-11-24 08:00:00")
            try await scan("e2", "82", "배송출발", at: "2026-11-24 08:00:00")
            try await t.drainOutbox()
            let rows = try await t.outbox()
            #expect(rows.map { "\($0.trigger ?? "")/\($0.kind)" }.sorted() == ["order_confirmed/email", "out_for_delivery/email", "out_for_delivery/sms", "shipped/email"])
            let sms = try #require(rows.first { $0.kind == "sms" })
            #expect(sms.recipient == "+821023456789" && sms.status == "sent" && sms.text?.isEmpty == false)
            let shipped = try #require(rows.first { $0.trigger == "shipped" })
            // The carrier's tracking link for the parcel.
            #expect(shipped.text?.contains("623012590022") == true)
            try await scan("e3", "91", "배달완료", at: "2026-11-24 14:00:00")
            try await t.drainOutbox()
            #expect(try await t.outbox().filter { $0.trigger == "delivered" }.count == 1)
        }
    }

    @Test func twoParcelsHandedOverTogetherAreOneDigestMessage() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 2)
            try await t.drainOutbox()
            for _ in 0..<2 {
                #expect(try await t.ship(order, #"{"lines":[{"sku":"JAR-1","quantity":1}],"carrier":"cj","handed_over":true}"#).status == .created)
                t.time.advance(by: 5)
            }
            // Within the digest window nothing about the parcels has gone yet.
            try await OutboxPass(application: t.app, worker: "early").drain()
            #expect(try await t.outbox().filter { $0.trigger == "shipped" }.isEmpty)
            try await t.drainOutbox()
            let shipped = try await t.outbox(kind: "email").filter { $0.trigger == "shipped" }
            #expect(shipped.map(\.status).sorted() == ["sent", "suppressed"])
            let digest = try #require(shipped.first { $0.status == "sent" })
            #expect(digest.subject?.hasSuffix(" 외 1건") == true)
            #expect(digest.text?.components(separatedBy: "\n----\n").count == 2)
            #expect(shipped.first { $0.status == "suppressed" }?.lastError?.hasPrefix("sent together with shipment \(order)-") == true)
        }
    }

    /// One pass expands the dispatch rows of many orders of two shops together (their facts, orders, lines and
    /// preferences read in a few statements for all): each customer still gets exactly their own order's message,
    /// in their order's language, with their own name and number, and an opted-out customer none.
    @Test func aBatchOfOrdersFromTwoShopsGivesEachCustomerTheirOwnMessage() async throws {
        try await withTestApp { t in
            let otherKey = try await t.app.write { db in
                let accounts = AccountService(db: db, application: t.app)
                let other = try await accounts.createShop(slug: "other", name: "Other Goods", currency: "KRW", timezone: "UTC", locale: "en")
                let catalog = CatalogService(db: db, now: TestApp.start, newID: t.app.dependencies.ids.next)
                for product in TestCatalog.products { try await catalog.upsert(product, shop: other) }
                return try await accounts.createKey(shop: other, name: "o", scopes: APIKey.Scope.allCases).1
            }
            let other: HTTPHeaders = ["Authorization": "Bearer \(otherKey)", "Content-Type": "application/json"]
            #expect(try await t.send(.PUT, "/api/v1/notifications/preferences", json: #"{"email":"buyer3@example.kr","email_updates":false}"#).status == .ok)
            var expected: [String: (number: Int, name: String, language: String)] = [:]
            for i in 0..<6 {
                let korean = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(email: "buyer\(i)@example.kr", name: "구매자\(i)"))
                expected["buyer\(i)@example.kr"] = (try #require(try korean.json()["number"] as? Int), "구매자\(i)", "ko")
                let english = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(email: "other\(i)@example.com", name: "Buyer \(i)")
                    .replacingOccurrences(of: #""locale":"ko""#, with: #""locale":"en""#), headers: other)
                expected["other\(i)@example.com"] = (try #require(try english.json()["number"] as? Int), "Buyer \(i)", "en")
            }
            // The first pass claims every order's dispatch row (of both shops) and expands them in one batch.
            t.time.advance(by: Outbox.digestWindow)
            #expect(try await OutboxPass(application: t.app, worker: "one").run(limit: 200) >= 12)
            #expect(try await (t.app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'dispatch' AND status <> 'sent'")
                .first()!.decode(column: "n", as: Int.self) == 0)
            try await t.drainOutbox()
            let mails = try await t.outbox(kind: "email").filter { $0.trigger == "order_confirmed" }
            #expect(mails.count == 12)
            for (email, order) in expected {
                let own = mails.filter { $0.recipient == email }
                #expect(own.count == 1, "\(email)")
                guard let mail = own.first else { continue }
                if email == "buyer3@example.kr" {
                    #expect(mail.status == "suppressed")
                    continue
                }
                #expect(mail.status == "sent", "\(email)")
                #expect(mail.subject?.firstMatch(of: /#(\d+)/).flatMap { Int($0.1) } == order.number, "\(email): \(mail.subject ?? "")")
                #expect(mail.text?.contains(order.name) == true, "\(email)")
                #expect(mail.html?.contains("<html lang=\"\(order.language)\">") == true, "\(email)")
                // Nobody else's name reaches this customer.
                for (_, another) in expected where another.name != order.name {
                    #expect(mail.text?.contains(another.name) == false, "\(email)")
                }
            }
        }
    }

    @Test func aCustomerWhoTurnedUpdatesOffGetsNoneAndTheLogSaysWhy() async throws {
        try await withTestApp { t in
            let off = try await t.send(.PUT, "/api/v1/notifications/preferences", json: #"{"email":"quiet@example.kr","email_updates":false}"#)
            #expect(off.status == .ok)
            #expect(try off.json()["email_updates"] as? Bool == false)
            _ = try await t.stockedOrder(quantity: 1, email: "quiet@example.kr")
            try await t.drainOutbox()
            let rows = try await t.outbox()
            #expect(rows.map(\.status) == ["suppressed"])
            #expect(rows.first?.lastError?.contains("turned e-mail updates off") == true)
            // Nobody else is affected.
            _ = try await t.order(sku: "JAR-1", email: "loud@example.kr")
            try await t.drainOutbox()
            #expect(try await t.outbox().filter { $0.status == "sent" }.map(\.recipient) == ["loud@example.kr"])
            // Bad preference requests name their field.
            #expect(try await t.send(.PUT, "/api/v1/notifications/preferences", json: #"{"email":"nope","email_updates":false}"#).errorFields() == ["email"])
            #expect(try await t.send(.PUT, "/api/v1/notifications/preferences", json: #"{"email":"a@b.kr"}"#).errorFields() == ["email_updates"])
        }
    }

    @Test func theUnsubscribeLinkTurnsEmailOffOnlyWithAValidTokenAndOnlyOnPost() async throws {
        try await withTestApp { t in
            _ = try await t.stockedOrder(quantity: 1, email: "reader@example.kr")
            try await t.drainOutbox()
            let text = try #require(try await t.outbox().first?.text)
            let link = try #require(text.split(separator: "\n").first { $0.contains("/u/") })
            let path = "/u/" + (link.components(separatedBy: "/u/").last ?? "")
            let page = try await t.send(.GET, path, headers: ["Accept-Language": "ko-KR"])
            #expect(page.status == .ok && page.text.contains("reader@example.kr") && page.text.contains("수신 거부"))
            // A GET (a mail scanner following the link) changes nothing.
            let prefs = try await t.send(.GET, "/api/v1/notifications/preferences?email=reader@example.kr")
            #expect(try prefs.json()["email_updates"] == nil)
            let tampered = path.dropLast(2) + "xx"
            #expect(try await t.send(.POST, String(tampered), headers: [:]).status == .notFound)
            let done = try await t.send(.POST, path, json: "List-Unsubscribe=One-Click", headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(done.status == .ok)
            #expect(try await t.send(.GET, "/api/v1/notifications/preferences?email=reader@example.kr").json()["email_updates"] as? Bool == false)
        }
    }

    @Test func smsWaitsForTheEndOfQuietHoursInTheCustomersZone() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            #expect(try await t.ship(order, #"{"carrier":"cj","tracking_number":"623012590022","handed_over":true}"#).status == .created)
            try await t.inbound("waybill", secret: "waybill-test-secret-0001")
            // 22:30 in Seoul.
            t.time.set(ISO8601DateFormatter().date(from: "2026-11-23T13:30:00Z")!)
            let body = #"{"id":"q1","tracking_number":"623012590022","carrier":"cj","events":[{"occurred_at":"2026-11-23 22:20:00","code":"82","text":"배송출발"}]}"#
            #expect(try await t.waybillWebhook(body).status == .ok)
            try await t.drainOutbox()
            let sms = try #require(try await t.outbox(kind: "sms").first)
            #expect(sms.status == "pending" && sms.lastError == "held for quiet hours" && sms.attempts == 0)
            #expect(sms.nextAttemptAt == ISO8601DateFormatter().date(from: "2026-11-23T23:00:00Z")!)
            // The e-mail went at once.
            #expect(try await t.outbox(kind: "email").allSatisfy { $0.status == "sent" })
            t.time.set(ISO8601DateFormatter().date(from: "2026-11-23T23:00:01Z")!)
            try await t.drainOutbox()
            #expect(try await t.outbox(kind: "sms").first?.status == "sent")
            // A customer who switches SMS off while a message waits for the morning does not get it.
            t.time.set(ISO8601DateFormatter().date(from: "2026-11-24T13:00:00Z")!)
            let failed = #"{"id":"q2","tracking_number":"623012590022","carrier":"cj","events":[{"occurred_at":"2026-11-24 21:50:00","status":"failed_attempt"}]}"#
            #expect(try await t.waybillWebhook(failed).status == .ok)
            try await t.drainOutbox()
            #expect(try await t.outbox(kind: "sms").map(\.status) == ["sent", "pending"])
            #expect(try await t.send(.PUT, "/api/v1/notifications/preferences", json: #"{"order":\#(order),"sms_updates":false}"#).status == .ok)
            t.time.set(ISO8601DateFormatter().date(from: "2026-11-24T23:00:01Z")!)
            try await t.drainOutbox()
            let last = try #require(try await t.outbox(kind: "sms").last)
            #expect(last.status == "suppressed" && last.lastError?.contains("before it was sent") == true)
        }
    }

    @Test func aFailingEndpointIsRetriedWithBackoffFlaggedParkedAfterThreeDaysAndReplayed() async throws {
        // A receiver that answers every delivery with 503.
        let directory = try LocalServer.temporaryDirectory()
        let receiver = try LocalServer("webhook-test-receiver", ["--port", "0", "--dir", directory.path, "--status", "503"])
        defer { receiver.stop() }
        try await withTestApp { t in
            let created = try await t.send(.POST, "/api/v1/webhook-endpoints",
                                           json: #"{"url":"http://127.0.0.1:\#(receiver.port)/hooks","events":["order_placed"]}"#)
            #expect(created.status == .created)
            let secret = try #require(try created.json()["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            let endpointID = try #require((try created.json()["endpoint"] as? [String: Any])?["id"] as? String)
            _ = try await t.stockedOrder(quantity: 1)
            try await t.drainOutbox()
            var hook = try #require(try await t.outbox(kind: "webhook").first)
            #expect(hook.status == "pending" && hook.attempts == 1 && hook.trigger == "order_placed")
            let firstDelay = hook.nextAttemptAt.timeIntervalSince(t.time.current)
            #expect(firstDelay >= 24 && firstDelay <= 36)
            let endpoint = try await t.send(.GET, "/api/v1/webhook-endpoints/\(endpointID)").json()
            #expect(endpoint["consecutive_failures"] as? Int == 1 && endpoint["failing_since"] != nil)
            var elapsed: TimeInterval = 0
            while hook.status == "pending" {
                elapsed += hook.nextAttemptAt.timeIntervalSince(t.time.current)
                t.time.set(hook.nextAttemptAt)
                try await t.drainOutbox()
                hook = try #require(try await t.outbox(kind: "webhook").first)
            }
            #expect(hook.status == "parked" && hook.attempts == Outbox.maxAttempts && hook.lastError == "endpoint answered 503")
            #expect(LocalServer.files(in: directory, suffix: ".json").count == Outbox.maxAttempts)
            // About three days of trying, never disabled.
            #expect(elapsed > 2 * 86_400 && elapsed < 4.5 * 86_400)
            #expect(try await t.send(.GET, "/api/v1/webhook-endpoints/\(endpointID)").json()["disabled_at"] == nil)
            let parked = try await t.send(.GET, "/api/v1/messages?status=parked&kind=webhook").json()["items"] as? [[String: Any]] ?? []
            let id = try #require(parked.first?["id"] as? String)
            #expect(try await t.send(.POST, "/api/v1/messages/\(id)/replay").status == .accepted)
            #expect(try await t.outbox(kind: "webhook").first?.status == "pending")
            #expect(try await t.send(.GET, "/api/v1/messages?status=nonsense").errorFields() == ["status"])
        }
    }

    @Test func webhooksArriveSignedOncePerFactAndVerifyWithTheDocumentedRecipe() async throws {
        let directory = try LocalServer.temporaryDirectory()
        let receiver = try LocalServer("webhook-test-receiver", ["--port", "0", "--dir", directory.path])
        defer { receiver.stop() }
        try await withTestApp { t in
            let created = try await t.send(.POST, "/api/v1/webhook-endpoints", json: #"{"url":"http://127.0.0.1:\#(receiver.port)/in","description":"ERP"}"#)
            let secret = try #require(try created.json()["secret"] as? String)
            _ = try await t.stockedOrder(quantity: 1)
            try await t.drainOutbox()
            try await t.drainOutbox()
            let files = LocalServer.files(in: directory, suffix: ".json")
            let requests = try files.map { try JSONSerialization.jsonObject(with: Data(contentsOf: $0)) as! [String: Any] }
            let kinds = requests.compactMap { (($0["body"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any])?["type"] as? String }
            #expect(Set(kinds) == ["order_placed", "stock_reserved", "order_ready", "order_promised"])
            #expect(kinds.count == requests.count)
            for request in requests {
                let headers = request["headers"] as! [String: String]
                let body = Data((request["body"] as! String).utf8)
                // Recipe: t and v1 from the header; HMAC-SHA256(secret, "<t>.<body>") in hex must equal v1.
                let parts = Dictionary(uniqueKeysWithValues: headers["waybill-signature"]!.split(separator: ",").map {
                    let kv = $0.split(separator: "=", maxSplits: 1); return (String(kv[0]), String(kv[1]))
                })
                let mac = HMAC<SHA256>.authenticationCode(for: Data((parts["t"]! + ".").utf8) + body, using: SymmetricKey(data: Data(secret.utf8)))
                #expect(Data(mac).map { String(format: "%02x", $0) }.joined() == parts["v1"])
                #expect(headers["waybill-event-id"] != nil)
            }
            // Rotation: the old secret no longer signs; the test event goes through the outbox.
            let id = try #require((try created.json()["endpoint"] as? [String: Any])?["id"] as? String)
            let rotated = try await t.send(.POST, "/api/v1/webhook-endpoints/\(id)/rotate-secret").json()["secret"] as? String
            #expect(rotated != nil && rotated != secret)
            #expect(try await t.send(.POST, "/api/v1/webhook-endpoints/\(id)/test").status == .accepted)
            try await t.drainOutbox()
            #expect(LocalServer.files(in: directory, suffix: ".json").count == requests.count + 1)
            let health = try await t.send(.GET, "/api/v1/webhook-endpoints/\(id)").json()
            #expect(health["consecutive_failures"] as? Int == 0 && health["last_success_at"] != nil)
        }
    }

    @Test func anEndpointThatHangsTimesOutAndIsRetried() async throws {
        let directory = try LocalServer.temporaryDirectory()
        let receiver = try LocalServer("webhook-test-receiver", ["--port", "0", "--dir", directory.path, "--hang"])
        defer { receiver.stop() }
        try await withTestApp { t in
            #expect(try await t.send(.POST, "/api/v1/webhook-endpoints", json: #"{"url":"http://127.0.0.1:\#(receiver.port)/slow","events":["order_placed"]}"#).status == .created)
            _ = try await t.stockedOrder(quantity: 1)
            try await t.drainOutbox()
            let hook = try #require(try await t.outbox(kind: "webhook").first)
            #expect(hook.status == "pending" && hook.attempts == 1)
            #expect(hook.lastError?.contains("127.0.0.1") == true)
            // The order's own e-mail did not wait for it.
            #expect(try await t.outbox(kind: "email").first?.status == "sent")
        }
    }

    @Test func smsGoesToTheProviderAsATwilioStyleFormPostWithBasicAuth() async throws {
        let directory = try LocalServer.temporaryDirectory()
        let provider = try LocalServer("webhook-test-receiver", ["--port", "0", "--dir", directory.path, "--status", "201"])
        defer { provider.stop() }
        let url = "http://127.0.0.1:\(provider.port)/2010-04-01/Accounts/AC1/Messages.json"
        try await withTestApp(settings: { $0.outbox.sms = SMSConfiguration(url: url, account: "AC1", token: "tok", from: "+15005550006") }) { t in
            #expect(try await t.send(.PUT, "/api/v1/notifications/settings", json: #"{"channels":{"order_confirmed":["sms"]}}"#).status == .ok)
            _ = try await t.stockedOrder(quantity: 1)
            try await t.drainOutbox()
            let sms = try #require(try await t.outbox(kind: "sms").first)
            #expect(sms.status == "sent" && sms.transport == "sms" && sms.recipient == "+821023456789")
            let request = try #require(LocalServer.files(in: directory, suffix: ".json").first)
            let posted = try JSONSerialization.jsonObject(with: Data(contentsOf: request)) as! [String: Any]
            let headers = posted["headers"] as! [String: String]
            #expect(posted["path"] as? String == "/2010-04-01/Accounts/AC1/Messages.json")
            #expect(headers["authorization"] == "Basic " + Data("AC1:tok".utf8).base64EncodedString())
            #expect(headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true)
            let form = URLComponents(string: "?" + (posted["body"] as! String))?.queryItems ?? []
            #expect(form.first { $0.name == "To" }?.value == "+821023456789")
            #expect(form.first { $0.name == "From" }?.value == "+15005550006")
            #expect(form.first { $0.name == "Body" }?.value == sms.text)
            // Counted on /metrics.
            let metrics = try await t.send(.GET, "/metrics", headers: [:]).text
            #expect(metrics.contains(#"waybill_outbox_messages_total{kind="sms",result="sent"} 1"#))
        }
    }

    @Test func webhookURLsOnPrivateNetworksAreRefusedUnlessAllowed() async throws {
        try await withTestApp(settings: { $0.outbox.allowPrivateWebhooks = false }) { t in
            for url in ["http://127.0.0.1:8080/x", "http://localhost/x", "http://10.1.2.3/x", "http://[::1]/x", "http://169.254.169.254/latest"] {
                let r = try await t.send(.POST, "/api/v1/webhook-endpoints", json: #"{"url":"\#(url)"}"#)
                #expect(r.status == .unprocessableEntity, "\(url)")
                #expect(try r.errorFields() == ["url"])
            }
            #expect(try await t.send(.POST, "/api/v1/webhook-endpoints", json: #"{"url":"ftp://example.com/x"}"#).errorFields() == ["url"])
            #expect(try await t.send(.POST, "/api/v1/webhook-endpoints", json: #"{"url":"https://93.184.215.14/x","events":["nope"]}"#).errorFields() == ["events[0]"])
        }
        #expect(WebhookURLPolicy.isPrivate("192.168.0.1") && WebhookURLPolicy.isPrivate("172.20.1.1") && WebhookURLPolicy.isPrivate("100.64.0.1"))
        #expect(WebhookURLPolicy.isPrivate("fd00::1") && WebhookURLPolicy.isPrivate("::ffff:127.0.0.1"))
        #expect(!WebhookURLPolicy.isPrivate("93.184.215.14") && !WebhookURLPolicy.isPrivate("172.32.0.1") && !WebhookURLPolicy.isPrivate("2606:2800::1"))
        // Before each delivery: a public address passes and is remembered (not resolved again for a minute); a
        // private one is refused every time and never remembered; with private targets allowed nothing is remembered.
        #expect(!WebhookURLPolicy.remembersAsPublic("https://93.184.215.14/hook"))
        try await WebhookURLPolicy.checkBeforeDelivery("https://93.184.215.14/hook", allowPrivate: false)
        #expect(WebhookURLPolicy.remembersAsPublic("https://93.184.215.14/hook"))
        try await WebhookURLPolicy.checkBeforeDelivery("https://93.184.215.14/hook", allowPrivate: false)
        for _ in 0..<2 {
            await #expect(throws: WebhookURLPolicy.Refusal.self) {
                try await WebhookURLPolicy.checkBeforeDelivery("http://10.0.0.7/hook", allowPrivate: false)
            }
            #expect(!WebhookURLPolicy.remembersAsPublic("http://10.0.0.7/hook"))
        }
        try await WebhookURLPolicy.checkBeforeDelivery("http://10.0.0.7/hook", allowPrivate: true)
        #expect(!WebhookURLPolicy.remembersAsPublic("http://10.0.0.7/hook"))
    }

    @Test func aWorkerThatDiesMidBatchLosesNothingAndTheResendKeepsItsMessageID() async throws {
        try await withTestApp { t in
            _ = try await t.stockedOrder(quantity: 1)
            try await t.drainOutbox()
            _ = try await t.order(sku: "JAR-1", email: "second@example.kr")
            // Worker A claims the dispatch and the mail it makes, then "dies" (never reports back).
            try await OutboxPass(application: t.app, worker: "A").run(limit: 1)
            let claimed = try await (t.app.db as! any SQLDatabase).raw("""
                SELECT id, message_id FROM outbox WHERE kind = 'email' AND recipient = 'second@example.kr'
                """).first()
            let before = try #require(claimed).decode(column: "message_id", as: String.self)
            _ = try await Outbox(sql: t.app.db as! any SQLDatabase).claim(worker: "A", limit: 10, now: t.time.current)
            // Worker B sees nothing while A's claim holds…
            try await OutboxPass(application: t.app, worker: "B").drain()
            #expect(try await t.outbox().first { $0.recipient == "second@example.kr" }?.status == "sending")
            // …and sends it, with the same Message-ID, once the claim has run out.
            t.time.advance(by: Outbox.lease + 1)
            try await OutboxPass(application: t.app, worker: "B").drain()
            let row = try #require(try await t.outbox().first { $0.recipient == "second@example.kr" })
            #expect(row.status == "sent" && row.messageID == before && row.attempts == 2)
            // A coming back late cannot overwrite B's outcome.
            let id = try #require(claimed).decode(column: "id", as: UUID.self)
            try await Outbox(sql: t.app.db as! any SQLDatabase).markSent(
                [Outbox.Delivered(id: id, kind: "email", transport: "smtp", reply: "late", at: t.time.current, lag: 0)], worker: "A")
            let after = try #require(try await t.outbox().first { $0.recipient == "second@example.kr" })
            #expect(after.status == "sent" && after.transport == "log")
        }
    }

    @Test func templatesAreValidatedWithTheirLinePreviewedAndUsed() async throws {
        try await withTestApp { t in
            let bad = try await t.send(.PUT, "/api/v1/notifications/templates/order_confirmed/email/en",
                                       json: #"{"subject":"Order {{order.number}}","text":"Hello\n{{#if promise}}due {{promise.latest}}\n"}"#)
            #expect(bad.status == .unprocessableEntity)
            #expect(try bad.errorFields() == ["text"])
            #expect(bad.text.contains("line 2"))
            let typo = try await t.send(.PUT, "/api/v1/notifications/templates/order_confirmed/email/ko", json: #"{"subject":"{{order.numbr}}","text":"x"}"#)
            #expect(try typo.errorFields() == ["subject"])
            #expect(try await t.send(.PUT, "/api/v1/notifications/templates/nope/email/ko", json: #"{"text":"x"}"#).errorFields() == ["trigger"])
            let good = #"{"subject":"[{{shop.name}}] 주문 {{order.number}} 확인","text":"{{customer.name}}님, 주문 감사합니다.","html":"<p>{{customer.name}}님 <b>감사합니다</b></p>"}"#
            let preview = try await t.send(.POST, "/api/v1/notifications/templates/order_confirmed/email/ko/preview", json: good)
            #expect(preview.status == .ok, "\(preview.text)")
            #expect((try preview.json()["subject"] as? String)?.hasPrefix("[테스트 상점] 주문 #") == true)
            #expect(try await t.send(.PUT, "/api/v1/notifications/templates/order_confirmed/email/ko", json: good).status == .ok)
            _ = try await t.stockedOrder(quantity: 1, email: "tmpl@example.kr")
            try await t.drainOutbox()
            let mail = try #require(try await t.outbox().first)
            #expect(mail.subject?.hasPrefix("[테스트 상점] 주문 #") == true && mail.text?.hasPrefix("김민준님, 주문 감사합니다.") == true)
            // A customer's name is text, never markup.
            #expect(mail.html?.contains("<p>김민준님 <b>감사합니다</b></p>") == true)
            // Parsed templates are kept per instance by their text: an edit is used by the very next message.
            let edited = good.replacingOccurrences(of: "확인", with: "접수")
            #expect(try await t.send(.PUT, "/api/v1/notifications/templates/order_confirmed/email/ko", json: edited).status == .ok)
            _ = try await t.order(sku: "JAR-1", email: "tmpl2@example.kr")
            try await t.drainOutbox()
            #expect(try await t.outbox().contains { $0.subject?.hasSuffix("접수") == true && $0.subject?.hasPrefix("[테스트 상점] 주문 #") == true })
            #expect(try await t.send(.DELETE, "/api/v1/notifications/templates/order_confirmed/email/ko").status == .noContent)
        }
    }

    @Test func aLongDelayComesWithACouponFromThePoolEachCodeOnce() async throws {
        try await withTestApp { t in
            let settings = #"{"compensation":{"min_delay_days":2,"pool":"SORRY","description":{"ko":"다음 주문 10% 할인","en":"10% off your next order"}}}"#
            #expect(try await t.send(.PUT, "/api/v1/notifications/settings", json: settings).status == .ok)
            let pool = try await t.send(.POST, "/api/v1/notifications/coupons", json: #"{"pool":"SORRY","codes":["SORRY-A","SORRY-B"]}"#)
            #expect(pool.status == .ok)
            #expect(try await t.send(.POST, "/api/v1/notifications/coupons", json: #"{"pool":"SORRY","codes":["X","X"]}"#).errorFields() == ["codes"])
            let first = try await t.stockedOrder(quantity: 1, email: "late1@example.kr")
            let second = try await t.order(sku: "JAR-1", email: "late2@example.kr")
            let secondNumber = try #require(try second.json()["number"] as? Int)
            try await t.drainOutbox()
            for number in [first, secondNumber] {
                try await t.app.write { db in
                    let sql = db as! any SQLDatabase
                    let id = try await sql.raw("SELECT id FROM orders WHERE number = \(bind: number)").first()!.decode(column: "id", as: UUID.self)
                    try await OrderService.lock(id, on: sql)
                    try await Timeline(db: db, newID: t.app.dependencies.ids.next).append(shopID: try t.shop.requireID(), orderID: id, [
                        (.deliveryAtRisk, PromiseWatch.AtRiskFact(latest: "2026-11-27", expected: "2026-12-01", probabilityOnTime: 0.1,
                                                                  status: "exception", confidenceLowered: true)),
                    ], actor: .system, at: t.time.current)
                }
            }
            try await t.drainOutbox()
            let atRisk = try await t.outbox(kind: "email").filter { $0.trigger == "at_risk" }
            #expect(atRisk.count == 2)
            let codes = atRisk.compactMap { row in ["SORRY-A", "SORRY-B"].first { row.text?.contains($0) == true } }
            #expect(Set(codes) == ["SORRY-A", "SORRY-B"])
            let pools = try await t.send(.GET, "/api/v1/notifications/coupons")
            #expect(pools.text.contains(#""free":0"#) && pools.text.contains(#""granted":2"#))
        }
    }

    @Test func settingsAreValidatedByField() async throws {
        try await withTestApp { t in
            let bad = #"{"channels":{"nope":["email"]},"quiet_hours":{"start":"25:00","end":"08:00"},"brand":{"color":"red"},"sender":{"email":"x"}}"#
            let r = try await t.send(.PUT, "/api/v1/notifications/settings", json: bad)
            #expect(r.status == .unprocessableEntity)
            #expect(Set(try r.errorFields()) == ["channels.nope", "quiet_hours.start", "brand.color", "sender.email"])
            let defaults = try await t.send(.GET, "/api/v1/notifications/settings").json()
            #expect((defaults["channels"] as? [String: [String]])?["out_for_delivery"] == ["email", "sms"])
        }
    }
}

@Suite("Console: the message log")
struct ConsoleMessagesTests {
    @Test func anOperatorSearchesTheLogOpensAMessageAsSentAndReplaysAParkedOne() async throws {
        let directory = try LocalServer.temporaryDirectory()
        let receiver = try LocalServer("webhook-test-receiver", ["--port", "0", "--dir", directory.path, "--status", "500"])
        defer { receiver.stop() }
        try await withTestApp { t in
            #expect(try await t.send(.POST, "/api/v1/webhook-endpoints", json: #"{"url":"http://127.0.0.1:\#(receiver.port)/in","events":["order_placed"]}"#).status == .created)
            let hostile = "<script>alert(1)</script>"
            #expect(try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(email: "log@example.kr", name: hostile)).status == .created)
            try await t.drainOutbox()
            // The endpoint keeps failing until its delivery is parked.
            for _ in 0..<Outbox.maxAttempts {
                t.time.advance(by: 8 * 3_600) // beyond the 6 h cap plus its 20% jitter
                try await t.drainOutbox()
            }
            let (_, session) = try await ConsoleTests().signIn(t)
            let cookie: HTTPHeaders = ["Cookie": "waybill_session=\(session.cookie)"]
            let list = try await t.send(.GET, "/console/messages?q=log%40example", headers: cookie)
            #expect(list.status == .ok)
            #expect(list.text.contains("log@example.kr") && list.text.contains("order_confirmed"))
            #expect(!list.text.contains("order_placed"))
            let parked = try await t.send(.GET, "/console/messages?status=parked", headers: cookie)
            #expect(parked.text.contains("endpoint answered 500") && parked.text.contains("Failing:"))
            let mail = try #require(try await t.send(.GET, "/api/v1/messages?kind=email").json()["items"] as? [[String: Any]]).first
            let id = try #require(mail?["id"] as? String)
            let page = try await t.send(.GET, "/console/messages/\(id)", headers: cookie)
            #expect(page.status == .ok)
            // The e-mail is shown in a sandboxed frame; the customer's name is text everywhere, never a script.
            #expect(page.text.contains("<iframe title=\"The e-mail as sent\" sandbox srcdoc=\""))
            #expect(!page.text.contains(hostile) && page.text.contains("&lt;script&gt;"))
            let hook = try #require(try await t.send(.GET, "/api/v1/messages?kind=webhook&status=parked").json()["items"] as? [[String: Any]]).first
            let hookID = try #require(hook?["id"] as? String)
            let replay = try await t.app.testing().sendRequest(.POST, "/console/messages/\(hookID.lowercased())/replay",
                                                                headers: ConsoleTests().form(session.cookie),
                                                                body: ByteBuffer(string: "_csrf=\(session.csrf)"))
            #expect(replay.status == .seeOther)
            #expect(try await t.outbox(kind: "webhook").first?.status == "pending")
        }
    }
}

@Suite("Console: notification rules and templates")
struct ConsoleNotificationsTests {
    @Test func anOperatorSetsChannelsAndEditsPreviewsSavesAndResetsATemplate() async throws {
        try await withTestApp { t in
            let (_, session) = try await ConsoleTests().signIn(t)
            let cookie: HTTPHeaders = ["Cookie": "waybill_session=\(session.cookie)"]
            func post(_ path: String, _ form: String) async throws -> TestingHTTPResponse {
                try await t.app.testing().sendRequest(.POST, path, headers: ConsoleTests().form(session.cookie),
                                                      body: ByteBuffer(string: form + "&_csrf=\(session.csrf)"))
            }
            let page = try await t.send(.GET, "/console/notifications", headers: cookie)
            #expect(page.status == .ok && page.text.contains("out_for_delivery"))
            // SMS for delivered only; a bad quiet hour is refused with its field.
            #expect(try await post("/console/notifications", "sms%3Adelivered=on&email%3Ashipped=on&quiet_start=25%3A00&quiet_end=08%3A00&color=%231f4b99")
                .text.contains("quiet_hours.start"))
            #expect(try await post("/console/notifications", "sms%3Adelivered=on&email%3Ashipped=on&quiet_start=22%3A00&quiet_end=07%3A00&color=%231f4b99")
                .status == .seeOther)
            let settings = try await t.send(.GET, "/api/v1/notifications/settings").json()
            #expect((settings["channels"] as? [String: [String]])?["delivered"] == ["sms"])
            #expect((settings["channels"] as? [String: [String]])?["order_confirmed"] == [])
            #expect((settings["quiet_hours"] as? [String: String])?["start"] == "22:00")

            let path = "/console/notifications/templates/shipped/email/ko"
            let editor = try await t.send(.GET, path, headers: cookie)
            #expect(editor.status == .ok && editor.text.contains("{{#if"))
            let broken = try await post(path, "action=save&subject=x&text=%7B%7B%23if+promise%7D%7D+open")
            #expect(broken.text.contains("line 1") && broken.text.contains("Not saved"))
            let preview = try await post(path, "action=preview&subject=%EB%B0%9C%EC%86%A1+%7B%7Border.number%7D%7D&text=%7B%7Bcustomer.name%7D%7D%EB%8B%98")
            #expect(preview.text.contains("not saved yet") && preview.text.contains("#1042"))
            #expect(try await post(path, "action=save&subject=%EB%B0%9C%EC%86%A1+%7B%7Border.number%7D%7D&text=%7B%7Bcustomer.name%7D%7D%EB%8B%98").status == .seeOther)
            let stored = try await t.send(.GET, "/api/v1/notifications/templates/shipped/email/ko").json()
            #expect(stored["customised"] as? Bool == true && stored["subject"] as? String == "발송 {{order.number}}" && stored["html"] == nil)
            #expect(try await post(path, "action=reset").status == .seeOther)
            #expect(try await t.send(.GET, "/api/v1/notifications/templates/shipped/email/ko").json()["customised"] as? Bool == false)
        }
    }
}
