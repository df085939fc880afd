import Fluent
import Foundation

/// The first answer to a request sent with an `Idempotency-Key`, replayed to every retry of it.
// Fluent models are reference types mutated only by the request that loaded them.
final class IdempotencyRecord: Model, @unchecked Sendable {
    static let schema = "idempotency_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "shop_id") var shopID: UUID
    @Field(key: "key") var key: String
    @Field(key: "request_hash") var requestHash: String
    @OptionalField(key: "status_code") var statusCode: Int?
    @OptionalField(key: "response_body") var responseBody: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

struct M009CreateIdempotencyKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(IdempotencyRecord.schema)
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("key", .string, .required)
            .field("request_hash", .string, .required)
            .field("status_code", .int)
            .field("response_body", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "shop_id", "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IdempotencyRecord.schema).delete()
    }
}
