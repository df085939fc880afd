import Foundation
import SQLKit
import WaybillCore

/// The shop's own fact stream: what happened that belongs to no single order (DESIGN: facts are recorded
/// once and everything else reacts to them). Append-only: facts are inserted (in batches, by their producers,
/// with `row`) and never changed.
struct ShopFacts {
    let sql: any SQLDatabase

    struct Fact: Codable, Sendable {
        var id: UUID
        var kind: String
        /// What the fact is about, e.g. `stock:JAR-1@WH-SEOUL`.
        var subject: String
        var occurredAt: Date
        var actor: String
        var source: String
        var payload: JSONValue
    }

    static let columns = ["id", "shop_id", "kind", "subject", "occurred_at", "actor", "source", "payload"]

    /// One fact's column values, for callers that insert many in one statement.
    static func row(id: UUID, shopID: UUID, _ kind: ShopFactKind, subject: String, payload: some Encodable & Sendable,
                    actor: Actor, at time: Date) -> [any Encodable & Sendable] {
        let json = (try? JSONCoding.encoder.encode(payload)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return row(id: id, shopID: shopID, kind, subject: subject, json: json, actor: actor, at: time)
    }

    /// A fact whose payload is already JSON (a page view's, one of a few fixed strings).
    static func row(id: UUID, shopID: UUID, _ kind: ShopFactKind, subject: String, json: String, actor: Actor, at time: Date) -> [any Encodable & Sendable] {
        [id, shopID, kind.rawValue, subject, time, actor.name, actor.source, json]
    }

    /// Newest first, optionally of one kind or about one subject.
    func list(shopID: UUID, kinds: [ShopFactKind] = [], subject: String? = nil, limit: Int = 100) async throws -> [Fact] {
        var query: SQLQueryString = "SELECT id, kind, subject, occurred_at, actor, source, payload FROM shop_facts WHERE shop_id = \(bind: shopID)"
        if !kinds.isEmpty { query += " AND kind IN (\(binds: kinds.map(\.rawValue)))" }
        if let subject { query += " AND subject = \(bind: subject)" }
        query += " ORDER BY occurred_at DESC, id LIMIT \(literal: max(1, min(limit, 1_000)))"
        return try await sql.raw(query).all().map { row in
            Fact(id: try row.decode(column: "id", as: UUID.self), kind: try row.decode(column: "kind", as: String.self),
                 subject: try row.decode(column: "subject", as: String.self),
                 occurredAt: try row.decode(column: "occurred_at", as: Date.self),
                 actor: try row.decode(column: "actor", as: String.self), source: try row.decode(column: "source", as: String.self),
                 payload: JSONValue.parse(try row.decode(column: "payload", as: String.self)))
        }
    }
}
