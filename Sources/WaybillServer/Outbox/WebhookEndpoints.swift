import Crypto
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import WaybillCore

/// The shop's outbound webhook endpoints: where its order facts are posted, signed with the endpoint's own
/// secret (`Waybill-Signature: t=…,v1=…`). A failing endpoint is never switched off silently: its failures
/// are counted and shown, and every delivery keeps being retried like any other outbox message.
struct WebhookEndpoints {
    let sql: any SQLDatabase

    struct Endpoint: Sendable, Codable {
        var id: UUID
        var url: String
        var events: [String]
        var description: String
        var createdAt: Date
        var consecutiveFailures: Int
        var failingSince: Date?
        var lastSuccessAt: Date?
        var lastError: String?
        var disabledAt: Date?

        /// `*` or the fact kind.
        func wants(_ kind: String) -> Bool { events.contains("*") || events.contains(kind) }
        var healthy: Bool { consecutiveFailures == 0 }
    }

    static let columns = "id, url, events, description, created_at, consecutive_failures, failing_since, last_success_at, last_error, disabled_at"

    static func endpoint(_ row: any SQLRow) throws -> Endpoint {
        Endpoint(id: try row.decode(column: "id", as: UUID.self), url: try row.decode(column: "url", as: String.self),
                 events: try row.decode(column: "events", as: String.self).split(separator: ",").map(String.init),
                 description: try row.decode(column: "description", as: String.self), createdAt: try row.decode(column: "created_at", as: Date.self),
                 consecutiveFailures: try row.decode(column: "consecutive_failures", as: Int.self),
                 failingSince: try row.decode(column: "failing_since", as: Date?.self), lastSuccessAt: try row.decode(column: "last_success_at", as: Date?.self),
                 lastError: try row.decode(column: "last_error", as: String?.self), disabledAt: try row.decode(column: "disabled_at", as: Date?.self))
    }

    func active(shopID: UUID) async throws -> [Endpoint] {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM webhook_endpoints WHERE shop_id = \(bind: shopID) AND disabled_at IS NULL ORDER BY created_at")
            .all().map(Self.endpoint)
    }

    func all(shopID: UUID) async throws -> [Endpoint] {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM webhook_endpoints WHERE shop_id = \(bind: shopID) ORDER BY created_at").all().map(Self.endpoint)
    }

    func find(shopID: UUID, id: UUID) async throws -> Endpoint? {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM webhook_endpoints WHERE shop_id = \(bind: shopID) AND id = \(bind: id)").first().map(Self.endpoint)
    }

    func secret(shopID: UUID, id: UUID) async throws -> String? {
        try await sql.raw("SELECT secret FROM webhook_endpoints WHERE shop_id = \(bind: shopID) AND id = \(bind: id)").first()?
            .decode(column: "secret", as: String.self)
    }

    static func newSecret() -> String {
        "whsec_" + SymmetricKey(size: .bits256).withUnsafeBytes { Base64URL.encode(Data($0)) }
    }

    /// The event a fact becomes: fixed when the delivery row is written, so every retry posts the same bytes.
    struct Event: Codable, Sendable {
        struct OrderRef: Codable, Sendable {
            var id: UUID
            var number: Int64?
        }
        var id: UUID
        var type: String
        var createdAt: Date
        var shopId: UUID
        var order: OrderRef
        var data: JSONValue
    }

    static func delivery(endpoint: Endpoint, shopID: UUID, orderID: UUID, orderNumber: Int64?, fact: OutboxDispatcher.Fact, id: UUID,
                         at time: Date) throws -> [any Encodable & Sendable] {
        let event = Event(id: fact.id, type: fact.kind, createdAt: fact.occurredAt, shopId: shopID,
                          order: .init(id: orderID, number: orderNumber), data: fact.payload)
        let body = String(decoding: try JSONCoding.encoder.encode(event), as: UTF8.self)
        let key = "webhook:\(endpoint.id.uuidString.lowercased()):\(fact.id.uuidString.lowercased())"
        return [id, shopID, orderID, Outbox.Kind.webhook.rawValue, fact.kind, UUID?.none, endpoint.id, key, Outbox.Status.pending.rawValue, 0,
                time, endpoint.url, String?.none, String?.none, body, String?.none, fact.id.uuidString.lowercased(), String?.none, time, time]
    }

    func recordSuccess(_ id: UUID, at time: Date) async throws {
        try await sql.raw("""
            UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL, last_error = NULL, last_success_at = \(bind: time)
            WHERE id = \(bind: id)
            """).run()
    }

    func recordFailure(_ id: UUID, error: String, at time: Date) async throws {
        try await sql.raw("""
            UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1, failing_since = COALESCE(failing_since, \(bind: time)),
            last_error = \(bind: String(error.prefix(500))) WHERE id = \(bind: id)
            """).run()
    }
}

/// Where a webhook may point. Without `WAYBILL_WEBHOOK_ALLOW_PRIVATE`, a URL whose host is or resolves to a
/// loopback, private, link-local, CGNAT, multicast or unspecified address is refused — checked when the
/// endpoint is saved and again before every delivery (a name can be re-pointed after it was saved).
enum WebhookURLPolicy {
    enum Refusal: Error, CustomStringConvertible {
        case malformed(String), privateAddress(String), unresolvable(String)
        var description: String {
            switch self {
            case .malformed(let m): m
            case .privateAddress(let a): "the URL's host resolves to \(a), a loopback or private address"
            case .unresolvable(let h): "the host \(h) does not resolve"
            }
        }
    }

    static func check(_ text: String, allowPrivate: Bool) async throws {
        guard text.count <= 2_000, let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw Refusal.malformed("url must be an absolute http(s) URL of at most 2,000 characters")
        }
        if url.user != nil || url.password != nil { throw Refusal.malformed("url must not carry a user name or password") }
        guard !allowPrivate else { return }
        let addresses = try await resolve(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
        guard !addresses.isEmpty else { throw Refusal.unresolvable(host) }
        if let bad = addresses.first(where: isPrivate) { throw Refusal.privateAddress(bad) }
    }

    /// URLs found public within the last minute. A delivery checks its endpoint again (the host may have come
    /// to resolve to a private address since it was saved), but not with a DNS query per webhook: at thousands
    /// a second that is the resolver's load, not ours. A refusal is never remembered: it is checked again.
    private static let recentlyPublic = ExpiringCache<String, Bool>(ttl: .seconds(60), capacity: 10_000)

    /// Whether a delivery to `text` would skip the check (found public within the last minute).
    static func remembersAsPublic(_ text: String) -> Bool { recentlyPublic.lookup(text) != nil }

    /// `check` before each delivery, resolving a host at most once a minute per instance.
    static func checkBeforeDelivery(_ text: String, allowPrivate: Bool) async throws {
        if !allowPrivate, remembersAsPublic(text) { return }
        try await check(text, allowPrivate: allowPrivate)
        guard !allowPrivate else { return }
        recentlyPublic.store(text, true)
    }

    /// Numeric addresses of `host` (getaddrinfo, off the event loop).
    static func resolve(_ host: String) async throws -> [String] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var result: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(host, nil, &hints, &result) == 0 else { return continuation.resume(returning: []) }
                defer { freeaddrinfo(result) }
                var out: [String] = []
                var cursor = result
                while let info = cursor {
                    var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                        out.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                    }
                    cursor = info.pointee.ai_next
                }
                continuation.resume(returning: out)
            }
        }
    }

    static func isPrivate(_ address: String) -> Bool {
        if address.contains(":") {
            let a = address.lowercased()
            if a == "::1" || a == "::" { return true }
            if a.hasPrefix("fc") || a.hasPrefix("fd") || a.hasPrefix("fe8") || a.hasPrefix("fe9") || a.hasPrefix("fea") || a.hasPrefix("feb")
                || a.hasPrefix("ff") { return true }
            if a.hasPrefix("::ffff:") { return isPrivate(String(a.dropFirst(7))) }
            return false
        }
        let octets = address.split(separator: ".").compactMap { Int($0) }
        guard octets.count == 4 else { return true }
        switch (octets[0], octets[1]) {
        case (0, _), (10, _), (127, _), (169, 254), (192, 168), (224...255, _): return true
        case (172, 16...31), (100, 64...127), (198, 18...19): return true
        default: return false
        }
    }
}
