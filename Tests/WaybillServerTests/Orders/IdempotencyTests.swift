import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

@Suite("Idempotent order creation")
struct IdempotencyTests {
    @Test func aRetryWithTheSameKeyReplaysTheFirstAnswer() async throws {
        try await withTestApp { t in
            var headers = t.auth
            headers.add(name: "Idempotency-Key", value: "retry-1")
            let first = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(), headers: headers)
            t.time.advance(by: 5)
            let second = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(), headers: headers)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(first.text == second.text)
            #expect(try await t.count(Order.self) == 1)
        }
    }

    /// Stored answers are kept for the retention (`WAYBILL_IDEMPOTENCY_DAYS`) and then forgotten, in batches:
    /// a retry within it is replayed; after it, an order with an `external_id` is still found by that, and a key
    /// without one is a new request.
    @Test func storedAnswersAreForgottenAfterTheRetention() async throws {
        try await withTestApp { t in
            func keyed(_ key: String) -> HTTPHeaders {
                var headers = t.auth
                headers.add(name: "Idempotency-Key", value: key)
                return headers
            }
            let plain = OrderJSON.body(email: "a@example.kr"), external = OrderJSON.body(email: "b@example.kr", externalID: "7001")
            let first = try await t.send(.POST, "/api/v1/orders", json: plain, headers: keyed("old-1"))
            let second = try await t.send(.POST, "/api/v1/orders", json: external, headers: keyed("old-2"))
            t.time.advance(by: 8 * 86_400)
            let recent = OrderJSON.body(email: "c@example.kr")
            let third = try await t.send(.POST, "/api/v1/orders", json: recent, headers: keyed("new-1"))
            #expect([first.status, second.status, third.status] == [.created, .created, .created])

            let deleted = try await IdempotencyExpiry(application: t.app).run(before: t.time.current.addingTimeInterval(-7 * 86_400), batch: 1)
            #expect(deleted == 2)
            #expect(try await IdempotencyRecord.query(on: t.app.db).all().map(\.key) == ["new-1"])

            let replay = try await t.send(.POST, "/api/v1/orders", json: recent, headers: keyed("new-1"))
            #expect(replay.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(replay.text == third.text)
            let byExternalID = try await t.send(.POST, "/api/v1/orders", json: external, headers: keyed("old-2"))
            #expect(byExternalID.status == .ok)
            #expect(try byExternalID.json()["id"] as? String == second.json()["id"] as? String)
            let renewed = try await t.send(.POST, "/api/v1/orders", json: plain, headers: keyed("old-1"))
            #expect(renewed.status == .created)
            #expect(renewed.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(try renewed.json()["id"] as? String != first.json()["id"] as? String)
            #expect(try await t.count(Order.self) == 4)
            // Nothing left to forget: a pass deletes nothing.
            #expect(try await IdempotencyExpiry(application: t.app).run(before: t.time.current.addingTimeInterval(-7 * 86_400)) == 0)
        }
    }

    @Test func reusingAKeyForADifferentRequestIsRefused() async throws {
        try await withTestApp { t in
            var headers = t.auth
            headers.add(name: "Idempotency-Key", value: "retry-2")
            _ = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(), headers: headers)
            let other = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(email: "x@example.com"), headers: headers)
            #expect(other.status == .unprocessableEntity)
            #expect(try other.errorCode() == "idempotency_key_reused")
            #expect(try await t.count(Order.self) == 1)
        }
    }

    @Test func theShopsExternalOrderIdIsUniquePerSource() async throws {
        try await withTestApp { t in
            let first = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(externalID: "5001"))
            let again = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(externalID: "5001"))
            #expect(first.status == .created)
            #expect(again.status == .ok)
            #expect(again.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try again.json()["id"] as? String == first.json()["id"] as? String)
            #expect(try await t.count(Order.self) == 1)
        }
    }

    @Test func fiftyConcurrentIdenticalRequestsCreateExactlyOneOrder() async throws {
        try await withTestApp { t in
            var headers = t.auth
            headers.add(name: "Idempotency-Key", value: "storm")
            let stormHeaders = headers
            let body = OrderJSON.body(externalID: "storm-1")
            let responses = try await withThrowingTaskGroup(of: (HTTPStatus, String).self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        let r = try await t.send(.POST, "/api/v1/orders", json: body, headers: stormHeaders)
                        return (r.status, (try r.json()["id"] as? String) ?? r.text)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(responses.count == 50)
            #expect(responses.allSatisfy { $0.0 == .created || $0.0 == .ok })
            #expect(Set(responses.map(\.1)).count == 1)
            #expect(try await t.count(Order.self) == 1)
            #expect(try await t.count(TimelineFact.self) == 2)
        }
    }

    @Test func concurrentDistinctOrdersGetDistinctNumbers() async throws {
        try await withTestApp { t in
            let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        let r = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(email: "p\(i)@example.com"))
                        return try r.json()["number"] as? Int ?? -1
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(Set(numbers).count == 20)
            #expect(numbers.allSatisfy { $0 >= 1001 })
        }
    }

    @Test(arguments: ["", String(repeating: "k", count: 256), "has space"])
    func malformedKeysAreRefused(key: String) async throws {
        try await withTestApp { t in
            var headers = t.auth
            headers.add(name: "Idempotency-Key", value: key)
            let r = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(), headers: headers)
            #expect(r.status == .unprocessableEntity)
            #expect(try r.errorFields() == ["Idempotency-Key"])
        }
    }
}
