import Crypto
import Foundation
import SQLKit
import Vapor
import WaybillCore

/// `POST /webhooks/{shop}/{source}`: carrier and aggregator webhooks into the inbox. A wrong or missing
/// signature is 401 and stores nothing; unreadable JSON is 400 and stores nothing; a readable message is
/// stored before it is answered (200), then processed.
struct WebhookController: RouteCollection {
    static let maximumBody = 1 << 20

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "webhooks", ":shop", ":source", body: .collect(maxSize: ByteCount(value: Self.maximumBody)), use: receive)
    }

    /// What a shop's webhook source is verified with.
    struct Secret: Sendable, Equatable {
        var shopID: UUID
        var secret: String
    }

    static func secretKey(slug: String, source: WebhookSignature.Scheme) -> String { slug + "\u{1F}" + source.rawValue }

    static func secret(slug: String, source: WebhookSignature.Scheme, sql: any SQLDatabase) async throws -> Secret? {
        guard let found = try await sql.raw("""
            SELECT s.id, w.secret FROM shops s JOIN inbound_webhooks w ON w.shop_id = s.id
            WHERE s.slug = \(bind: slug) AND w.source = \(bind: source.rawValue)
            """).first() else { return nil }
        return Secret(shopID: try found.decode(column: "id", as: UUID.self), secret: try found.decode(column: "secret", as: String.self))
    }

    struct Answer: Content {
        var status: String
        var id: UUID?
    }

    func receive(req: Request) async throws -> Answer {
        guard let source = WebhookSignature.Scheme(rawValue: req.parameters.get("source") ?? "") else {
            throw APIError.notFound("webhook source")
        }
        // The route refuses a streamed body past the limit; this also covers a body that arrived whole.
        guard (req.body.data?.readableBytes ?? 0) <= Self.maximumBody else {
            throw APIError(.payloadTooLarge, "payload_too_large", "webhook bodies are at most \(Self.maximumBody) bytes")
        }
        let slug = req.parameters.get("shop") ?? ""
        let body = req.body.data.map { Data(buffer: $0) } ?? Data()
        var headers: [String: String] = [:]
        for (name, value) in req.headers { headers[name.lowercased()] = value }
        let cacheKey = Self.secretKey(slug: slug, source: source)
        let cache = req.application.webhookSecrets
        var secret = cache.lookup(cacheKey)
        var verified = secret.map { WebhookSignature.verify(source, headers: headers, body: body, secret: $0.secret, now: req.now) } ?? false
        if !verified {
            // Not cached, or the secret was changed since (perhaps on another instance): ask the database.
            guard let found = try await Self.secret(slug: slug, source: source, sql: req.db as! any SQLDatabase) else {
                cache.remove(cacheKey)
                // An unknown shop and an unconfigured source look the same: nothing here to sign for.
                throw APIError(.unauthorized, "invalid_signature", "no \(source.rawValue) webhook is set up for this address")
            }
            if found != secret {
                secret = found
                cache.store(cacheKey, found)
                verified = WebhookSignature.verify(source, headers: headers, body: body, secret: found.secret, now: req.now)
            }
        }
        guard verified, let shopID = secret?.shopID else {
            throw APIError(.unauthorized, "invalid_signature", "the \(source.rawValue) signature does not match this body")
        }
        guard let text = String(data: body, encoding: .utf8), !text.isEmpty else {
            throw APIError(.badRequest, "invalid_body", "the body must be UTF-8 JSON")
        }
        let eventID: String
        do {
            // Without an event id, the body itself is the identity: an exact resend is still a duplicate.
            eventID = try TrackingWebhooks.eventID(source, body: body)
                ?? "sha256:" + SHA256.hash(data: body).hexString
        } catch let unreadable as TrackingWebhooks.Unreadable {
            throw APIError(.badRequest, "invalid_json", unreadable.reason)
        }
        let inbox = Inbox(application: req.application)
        switch try await inbox.store(shopID: shopID, source: source, eventID: eventID, body: text) {
        case .duplicate:
            return Answer(status: "duplicate", id: nil)
        case .stored(let id):
            // Stored: the sender may stop retrying whatever happens next. A failure here leaves the message
            // `received` for the job.
            if req.application.settings.inboxProcessing == .background {
                await req.application.inboxWorker.enqueue(id)
                return Answer(status: "received", id: id)
            }
            do {
                return Answer(status: try await inbox.process(id: id), id: id)
            } catch {
                req.logger.warning("inbox message \(id) left for retry: \(String(reflecting: error))")
                return Answer(status: "received", id: id)
            }
        }
    }
}

/// `/api/v1/shop/inbound-webhooks` (the secret each source signs with) and `/api/v1/inbox` (what arrived,
/// what failed, replay).
struct InboxController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("shop", "inbound-webhooks", use: listSources)
        routes.put("shop", "inbound-webhooks", ":source", use: setSource)
        routes.get("inbox", use: list)
        routes.get("inbox", ":id", use: show)
        routes.post("inbox", ":id", "replay", use: replay)
    }

    struct SourceDTO: Content {
        var source: String
        var path: String
        /// Shown in full only when set; listed as its last four characters.
        var secret: String
    }

    struct SetSource: Decodable, Sendable {
        /// The secret the sender signs with (AfterShip, EasyPost and Karrio show theirs); omitted: one is generated.
        var secret: String?
    }

    func listSources(req: Request) async throws -> [SourceDTO] {
        let principal = try req.principal(.settingsRead)
        let slug = try await slug(req, principal.shopID)
        return try await (req.db as! any SQLDatabase).raw("""
            SELECT source, secret FROM inbound_webhooks WHERE shop_id = \(bind: principal.shopID) ORDER BY source
            """).all().map { row in
            let source = try row.decode(column: "source", as: String.self)
            return SourceDTO(source: source, path: "/webhooks/\(slug)/\(source)", secret: "…" + String(try row.decode(column: "secret", as: String.self).suffix(4)))
        }
    }

    func setSource(req: Request) async throws -> SourceDTO {
        let principal = try req.principal(.settingsWrite)
        guard let source = WebhookSignature.Scheme(rawValue: req.parameters.get("source") ?? "") else {
            throw APIError.invalid("source", "unknown_source", "source must be one of \(WebhookSignature.Scheme.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let body = req.body.data.map { $0.readableBytes } ?? 0 > 0 ? try req.decodeJSON(SetSource.self) : SetSource()
        let secret = body.secret ?? SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.hexString
        guard (16...200).contains(secret.count) else { throw APIError.invalid("secret", "invalid_length", "secret must be 16–200 characters") }
        let id = req.newID(), now = req.now
        try await req.application.write { db in
            try await (db as! any SQLDatabase).raw("""
                INSERT INTO inbound_webhooks (id, shop_id, source, secret, created_at)
                VALUES (\(bind: id), \(bind: principal.shopID), \(bind: source.rawValue), \(bind: secret), \(bind: now))
                ON CONFLICT (shop_id, source) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at
                """).run()
        }
        let slug = try await slug(req, principal.shopID)
        // This instance stops accepting the old secret now; others within the cache's ten seconds.
        req.application.webhookSecrets.remove(WebhookController.secretKey(slug: slug, source: source))
        return SourceDTO(source: source.rawValue, path: "/webhooks/\(slug)/\(source.rawValue)", secret: secret)
    }

    private func slug(_ req: Request, _ shopID: UUID) async throws -> String {
        guard let row = try await (req.db as! any SQLDatabase).raw("SELECT slug FROM shops WHERE id = \(bind: shopID)").first() else {
            throw APIError.notFound("shop")
        }
        return try row.decode(column: "slug", as: String.self)
    }

    static let statuses = ["received", "processed", "orphan", "failed"]

    func list(req: Request) async throws -> Response {
        let principal = try req.principal(.shipmentsRead)
        let status = req.query[String.self, at: "status"]
        if let status, !Self.statuses.contains(status) {
            throw APIError.invalid("status", "invalid_value", "status must be one of \(Self.statuses.joined(separator: ", "))")
        }
        let limit = req.query[Int.self, at: "limit"] ?? 100
        guard (1...500).contains(limit) else { throw APIError.invalid("limit", "out_of_range", "limit must be 1–500") }
        return try .json(["data": try await Inbox(application: req.application).list(shopID: principal.shopID, status: status, limit: limit)])
    }

    func show(req: Request) async throws -> Response {
        let principal = try req.principal(.shipmentsRead)
        guard let id = UUID(uuidString: req.parameters.get("id") ?? "") else { throw APIError.notFound("inbox message") }
        return try .json(try await Inbox(application: req.application).find(shopID: principal.shopID, id: id))
    }

    func replay(req: Request) async throws -> Response {
        let principal = try req.principal(.shipmentsWrite)
        guard let id = UUID(uuidString: req.parameters.get("id") ?? "") else { throw APIError.notFound("inbox message") }
        return try .json(try await Inbox(application: req.application).replay(shopID: principal.shopID, id: id))
    }
}
