import Crypto
import Fluent
import Foundation
import WaybillCore
import SQLKit
import Vapor

/// Stored first answers to requests sent with an `Idempotency-Key`: every mutation that accepts the header
/// looks its key up here before acting, and records its answer in the same transaction as its effect.
struct Idempotency {
    let sql: any SQLDatabase

    struct Answer: Sendable {
        var status: HTTPResponseStatus
        var body: Data
    }

    static func hash(_ body: Data) -> String {
        SHA256.hash(data: body).hexString
    }

    /// The stored answer for `key`, or nil. The same key with another body is 422 `idempotency_key_reused`.
    func answer(shopID: UUID, key: String, requestHash: String) async throws -> Answer? {
        guard let row = try await sql.raw("""
            SELECT request_hash, status_code, response_body FROM idempotency_keys
            WHERE shop_id = \(bind: shopID) AND key = \(bind: key)
            """).first() else { return nil }
        return try Self.answer(row, requestHash: requestHash)
    }

    /// The answer in a row of `request_hash, status_code, response_body` (nil while none is recorded); a
    /// different request hash is 422 `idempotency_key_reused`.
    static func answer(_ row: any SQLRow, requestHash: String) throws -> Answer? {
        guard try row.decode(column: "request_hash", as: String.self) == requestHash else {
            throw APIError(.unprocessableEntity, "idempotency_key_reused",
                           "this Idempotency-Key was already used with a different request body")
        }
        guard let status = try row.decode(column: "status_code", as: Int?.self),
              let body = try row.decode(column: "response_body", as: String?.self) else { return nil }
        return Answer(status: HTTPResponseStatus(statusCode: status), body: Data(body.utf8))
    }

    /// Records the answer; a concurrent twin that recorded first makes this fail with a unique violation,
    /// which rolls the caller's transaction back so the twin's answer is replayed instead.
    /// After a write failed: when the failure is another request with the same key committing first (a unique
    /// violation), its stored answer; otherwise the error again.
    func answer(after error: any Error, shopID: UUID, key: String, requestHash: String) async throws -> Answer {
        guard let dbError = error as? any DatabaseError, dbError.isConstraintFailure,
              let answer = try await answer(shopID: shopID, key: key, requestHash: requestHash) else { throw error }
        return answer
    }

    func record(id: UUID, shopID: UUID, key: String, requestHash: String, status: HTTPResponseStatus, body: Data, at time: Date) async throws {
        try await sql.insert(into: "idempotency_keys")
            .columns("id", "shop_id", "key", "request_hash", "status_code", "response_body", "created_at")
            .values(SQLBind(id), SQLBind(shopID), SQLBind(key), SQLBind(requestHash), SQLBind(Int(status.code)),
                    SQLBind(String(decoding: body, as: UTF8.self)), SQLBind(time))
            .run()
    }
}

/// Forgets stored answers once they are older than the retention (`WAYBILL_IDEMPOTENCY_DAYS`, 7 by default):
/// a retry within it gets the first answer; a key sent again after it is a new request. An order sent again
/// with its `external_id` is still found by that, however old (the orders' own unique constraint).
/// Each stored answer holds its response body, so without this the table grows with every order for ever.
struct IdempotencyExpiry {
    let application: Application

    /// Deletes the answers recorded before `cutoff`, `batch` rows a write (on SQLite each batch holds the write
    /// gate briefly, not for the whole sweep). Returns how many were deleted.
    func run(before cutoff: Date, batch: Int = 1_000) async throws -> Int {
        let sql = application.db as! any SQLDatabase
        var deleted = 0
        while true {
            // A read first: most passes find nothing and then take no write at all.
            guard try await sql.raw("SELECT id FROM idempotency_keys WHERE created_at < \(bind: cutoff) LIMIT 1").first() != nil else {
                return deleted
            }
            let count = try await application.write { db in
                try await (db as! any SQLDatabase).raw("""
                    DELETE FROM idempotency_keys WHERE id IN (
                        SELECT id FROM idempotency_keys WHERE created_at < \(bind: cutoff) LIMIT \(unsafeRaw: String(max(1, batch))))
                    RETURNING id
                    """).all().count
            }
            deleted += count
            if count < batch { return deleted }
        }
    }
}

/// An index on `created_at`, so that expiry finds the old answers without reading the whole table.
struct M027IndexIdempotencyKeysByAge: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP INDEX idempotency_keys_created").run()
    }
}

extension Request {
    /// `Idempotency-Key`: 1–255 visible ASCII characters, or absent.
    func idempotencyKey() throws -> String? {
        guard let key = headers.first(name: "Idempotency-Key") else { return nil }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw APIError.invalid("Idempotency-Key", "invalid_format", "Idempotency-Key must be 1–255 visible ASCII characters")
        }
        return key
    }

    var rawBody: Data { body.data.map { Data($0.readableBytesView) } ?? Data() }
}
