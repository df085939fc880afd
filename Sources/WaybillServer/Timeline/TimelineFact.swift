import Fluent
import Foundation
import SQLKit

/// One fact in an order's history. Append-only: rows are inserted, never updated or deleted.
// Fluent models are reference types mutated only by the request that loaded them.
final class TimelineFact: Model, @unchecked Sendable {
    static let schema = "timeline_facts"

    @ID(key: .id) var id: UUID?
    @Field(key: "shop_id") var shopID: UUID
    @Field(key: "order_id") var orderID: UUID
    /// Position in the order's history, 1-based, gap-free.
    @Field(key: "seq") var seq: Int
    @Field(key: "kind") var kind: String
    @Field(key: "occurred_at") var occurredAt: Date
    /// Who caused it: `api_key:<name>`, `user:<email>`, `system`.
    @Field(key: "actor") var actor: String
    /// Through which face: `api`, `console`, `cli`, `demo`, `system`.
    @Field(key: "source") var source: String
    /// The fact's details as a JSON object.
    @Field(key: "payload") var payload: String

    init() {}
}

struct M010CreateTimelineFacts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TimelineFact.schema)
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("order_id", .uuid, .required, .references(Order.schema, .id))
            .field("seq", .int, .required)
            .field("kind", .string, .required)
            .field("occurred_at", .datetime, .required)
            .field("actor", .string, .required)
            .field("source", .string, .required)
            .field("payload", .string, .required)
            .unique(on: "order_id", "seq")
            .create()
        try await (database as! any SQLDatabase)
            .raw("CREATE INDEX timeline_facts_shop_kind ON timeline_facts (shop_id, kind, occurred_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TimelineFact.schema).delete()
    }
}
