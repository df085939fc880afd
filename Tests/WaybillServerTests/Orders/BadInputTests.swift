import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

@Suite("Bad input gets a clear 4xx and loses nothing")
struct BadInputTests {
    /// After every bad request: nothing stored, and the server still answers.
    func expectUnharmed(_ t: TestApp) async throws {
        #expect(try await t.count(Order.self) == 0)
        #expect(try await t.send(.GET, "/health", headers: [:]).status == .ok)
    }

    @Test(arguments: [
        ("{", "malformed_json", ""),
        ("[1,2,3]", "validation_failed", ""),
        (#"{"currency":"KRW"}"#, "validation_failed", "customer"),
        (OrderJSON.body(lines: #"[{"sku":"MUG-1","quantity":"2"}]"#), "validation_failed", "line_items[0].quantity"),
        (OrderJSON.body(lines: #"[{"sku":"MUG-1","quantity":2.5}]"#), "validation_failed", "line_items[0].quantity"),
        (OrderJSON.body(lines: #"[{"sku":"MUG-1","quantity":null}]"#), "validation_failed", "line_items[0].quantity"),
        (OrderJSON.body(lines: #"[{"sku":"MUG-1","quantity":-1}]"#), "validation_failed", "line_items[0].quantity"),
        (OrderJSON.body().replacingOccurrences(of: #""currency":"KRW""#, with: #""currency":"ABC""#), "validation_failed", "currency"),
        (OrderJSON.body(lines: #"[{"sku":"MUG-1","quantity":99999999999999999999}]"#), "validation_failed", "line_items[0].quantity"),
    ])
    func malformedOrdersNameTheField(body: String, code: String, field: String) async throws {
        try await withTestApp { t in
            let r = try await t.send(.POST, "/api/v1/orders", json: body)
            #expect((400..<500).contains(Int(r.status.code)))
            #expect(try r.errorCode() == code)
            if !field.isEmpty { #expect(try r.errorFields().first == field) }
            try await expectUnharmed(t)
        }
    }

    @Test func tenMegabyteBodiesAre413() async throws {
        try await withTestApp { t in
            let huge = ByteBuffer(repeating: UInt8(ascii: "a"), count: 10 * 1024 * 1024)
            let r = try await t.send(.POST, "/api/v1/orders", body: huge)
            #expect(r.status == .payloadTooLarge)
            #expect(try r.errorCode() == "payload_too_large")
            try await expectUnharmed(t)
        }
    }

    @Test func tenThousandLineItemsAreRefused() async throws {
        try await withTestApp { t in
            let lines = "[" + (0..<10_000).map { #"{"sku":"S\#($0)","quantity":1}"# }.joined(separator: ",") + "]"
            let r = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(lines: lines))
            #expect(r.status == .unprocessableEntity)
            #expect(try r.errorFields().contains("line_items"))
            try await expectUnharmed(t)
        }
    }

    @Test func invalidUTF8IsRefused() async throws {
        try await withTestApp { t in
            var buffer = ByteBuffer(string: #"{"currency":"KRW","customer":{"name":""#)
            buffer.writeBytes([0xC3, 0x28, 0xFF])
            buffer.writeString(#""}}"#)
            let r = try await t.send(.POST, "/api/v1/orders", body: buffer)
            #expect(r.status == .badRequest)
            #expect(try r.errorCode() == "malformed_json")
            try await expectUnharmed(t)
        }
    }

    @Test func aWrongContentTypeOrNoBodyIsRefused() async throws {
        try await withTestApp { t in
            var headers = t.auth
            headers.contentType = .plainText
            let r = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(), headers: headers)
            #expect(r.status == .unsupportedMediaType)
            let empty = try await t.send(.POST, "/api/v1/orders")
            #expect(try empty.errorCode() == "empty_body")
            try await expectUnharmed(t)
        }
    }

    @Test func sqlAndHTMLInEveryStringFieldAreStoredAsTyped() async throws {
        try await withTestApp { t in
            let hostile = "'; DROP TABLE orders; -- <script>alert('x')</script>"
            let r = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(
                email: "x@example.com", name: hostile, line1: hostile, city: hostile))
            #expect(r.status == .created)
            let order = try r.json()
            #expect((order["customer"] as? [String: Any])?["name"] as? String == hostile)
            #expect((order["shipping_address"] as? [String: Any])?["city"] as? String == hostile)
            let sku = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(lines: #"[{"sku":"x' OR '1'='1","quantity":1}]"#))
            #expect(try sku.errorFields() == ["line_items[0].sku"])
            #expect(try await t.count(Order.self) == 1)
        }
    }

    @Test func missingOrWrongKeysAre401AndMissingScopesAre403() async throws {
        try await withTestApp { t in
            #expect(try await t.send(.GET, "/api/v1/orders", headers: [:]).status == .unauthorized)
            let wrong = try await t.send(.GET, "/api/v1/orders", headers: ["Authorization": "Bearer wb_abcdefgh_nope"])
            #expect(wrong.status == .unauthorized)
            #expect(try wrong.errorCode() == "unauthorized")
            // The real key with its last character changed (to one it is not: the keys are random).
            let forgedKey = t.apiKey.dropLast() + (t.apiKey.hasSuffix("x") ? "y" : "x")
            let forged = try await t.send(.GET, "/api/v1/orders", headers: ["Authorization": "Bearer " + forgedKey])
            #expect(forged.status == .unauthorized)
            let readOnly = try await t.app.write { db in
                try await AccountService(db: db, application: t.app).createKey(shop: t.shop, name: "ro", scopes: [.ordersRead]).1
            }
            let headers: HTTPHeaders = ["Authorization": "Bearer \(readOnly)", "Content-Type": "application/json"]
            #expect(try await t.send(.GET, "/api/v1/orders", headers: headers).status == .ok)
            let write = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(), headers: headers)
            #expect(write.status == .forbidden)
            #expect(try write.errorCode() == "missing_scope")
            try await expectUnharmed(t)
        }
    }

    @Test func anotherShopsOrdersAreInvisible() async throws {
        try await withTestApp { t in
            let id = try #require(try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body()).json()["id"] as? String)
            let otherKey = try await t.app.write { db in
                let accounts = AccountService(db: db, application: t.app)
                let other = try await accounts.createShop(slug: "other", name: "Other", currency: "USD", timezone: "UTC", locale: "en")
                return try await accounts.createKey(shop: other, name: "o", scopes: APIKey.Scope.allCases).1
            }
            let headers: HTTPHeaders = ["Authorization": "Bearer \(otherKey)"]
            #expect(try await t.send(.GET, "/api/v1/orders/\(id)", headers: headers).status == .notFound)
            #expect(try await t.send(.POST, "/api/v1/orders/\(id)/cancel", headers: headers).status == .notFound)
            #expect((try await t.send(.GET, "/api/v1/orders", headers: headers).json()["data"] as? [Any])?.isEmpty == true)
        }
    }
}

@Suite("API key cache")
struct APIKeyCacheTests {
    @Test func entriesExpireAndUnknownKeysAreNeverCached() async throws {
        let cache = APIKeyCache(ttl: .seconds(600), capacity: 2)
        let principal = APIPrincipal(shopID: UUID(), keyID: UUID(), keyName: "k", scopes: [.ordersRead])
        #expect(cache.lookup("a") == nil)
        cache.store("a", principal)
        #expect(cache.lookup("a")?.keyName == "k")
        let shortLived = APIKeyCache(ttl: .nanoseconds(1))
        shortLived.store("a", principal)
        try await Task.sleep(for: .milliseconds(5))
        #expect(shortLived.lookup("a") == nil)
        cache.store("b", principal); cache.store("c", principal)
        #expect(cache.lookup("a") == nil)
        #expect(cache.lookup("c") != nil)
    }
}

@Suite("Bad input over a real socket")
struct RealServerBadInputTests {
    @Test func aStreamedTenMegabyteBodyIsCutOffWith413AndTheServerKeepsServing() async throws {
        try await withTestApp { t in
            let tester = try t.app.testing(method: .running(port: 0))
            let huge = ByteBuffer(repeating: UInt8(ascii: " "), count: 10 * 1024 * 1024)
            let r = try await tester.sendRequest(.POST, "/api/v1/orders", headers: t.auth, body: huge)
            #expect(r.status == .payloadTooLarge)
            #expect(try r.errorCode() == "payload_too_large")
            let ok = try await tester.sendRequest(.POST, "/api/v1/orders", headers: t.auth, body: ByteBuffer(string: OrderJSON.body()))
            #expect(ok.status == .created)
        }
    }
}
