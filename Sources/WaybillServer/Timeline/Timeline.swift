import Fluent
import SQLKit
import Foundation
import WaybillCore

/// Who did something and through which face, stamped on every fact.
struct Actor: Sendable {
    var name: String
    var source: String

    static func api(_ principal: APIPrincipal) -> Actor { Actor(name: principal.actor, source: "api") }
    static func user(_ email: String) -> Actor { Actor(name: "user:\(email)", source: "console") }
    static let system = Actor(name: "system", source: "system")
    static let cli = Actor(name: "cli", source: "cli")
    static let demo = Actor(name: "demo", source: "demo")
}

/// Appends facts to order timelines. The only writer of `timeline_facts`; every append also writes the
/// outbox's dispatch row for the new facts (`Outbox.dispatch`).
struct Timeline {
    let db: any Database
    let newID: @Sendable () -> UUID

    /// Appends facts in order. The caller holds the order's row lock (or is creating the order),
    /// so `seq` cannot race.
    func append(
        shopID: UUID, orderID: UUID, _ facts: [(TimelineKind, any Encodable & Sendable)], actor: Actor, at time: Date,
        startingAfter knownLast: Int? = nil
    ) async throws {
        var seq: Int
        if let knownLast {
            seq = knownLast
        } else {
            seq = try await TimelineFact.query(on: db).filter(\.$orderID == orderID).max(\.$seq) ?? 0
        }
        guard !facts.isEmpty else { return }
        // One multi-row insert in SQL: this runs inside every order change, including intake's hot path.
        let rows = try Self.rows(shopID: shopID, orderID: orderID, facts, actor: actor, at: time, after: seq, newID: newID)
        let sql = db as! any SQLDatabase
        try await sql.raw(SQLRows.insert(into: TimelineFact.schema, Self.columns, rows)).run()
        // In the same transaction: whatever these facts should tell the customer or the shop leaves through the outbox.
        try await Outbox(sql: sql).dispatch(id: newID(), shopID: shopID, orderID: orderID, first: seq + 1, last: seq + facts.count,
                                            kinds: facts.map(\.0), at: time)
    }

    static let columns = ["id", "shop_id", "order_id", "seq", "kind", "occurred_at", "actor", "source", "payload"]

    /// The column values of new facts numbered after `seq`, for callers that write them in a larger statement.
    static func rows(
        shopID: UUID, orderID: UUID, _ facts: [(TimelineKind, any Encodable & Sendable)], actor: Actor, at time: Date,
        after seq: Int, newID: () -> UUID
    ) throws -> [[any Encodable & Sendable]] {
        try facts.enumerated().map { offset, fact in
            let json = String(decoding: try JSONCoding.encoder.encode(fact.1), as: UTF8.self)
            return [newID(), shopID, orderID, seq + offset + 1, fact.0.rawValue, time, actor.name, actor.source, json]
        }
    }

    func facts(orderID: UUID) async throws -> [TimelineFact] {
        try await TimelineFact.query(on: db).filter(\.$orderID == orderID).sort(\.$seq).all()
    }
}

/// Any JSON value, for handing stored payloads back out unchanged.
enum JSONValue: Codable, Sendable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if n == n.rounded(), abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Parses stored JSON text; stored text is always written by `Timeline`, so failure means corruption.
    static func parse(_ text: String) -> JSONValue {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
    }
}
