import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import WaybillCore

/// The SMS provider: a Twilio-style HTTP API (form POST of To, From, Body with basic auth), configured by
/// `SMS_API_URL`, `SMS_ACCOUNT`, `SMS_TOKEN` and `SMS_FROM`.
struct SMSConfiguration: Sendable, Equatable {
    var url: String
    var account: String
    var token: String
    var from: String
}

/// A send that did not happen: `permanent` ones are parked at once (a 5xx from SMTP, a 4xx from an API),
/// the others are retried after the back-off.
struct SendFailure: Error, CustomStringConvertible {
    var permanent: Bool
    var message: String
    var description: String { message }
}

/// Sends one claimed message through its channel: SMTP, the SMS provider or the shop's webhook endpoint;
/// without a configured channel, e-mail and SMS are kept in the console's message log instead.
struct OutboxSender {
    let application: Application

    struct Sent: Sendable {
        var transport: String
        var reply: String
    }

    /// `secret`: the endpoint's signing secret when the caller read it already (a batch reads them at once).
    func send(_ row: Outbox.Claimed, now: Date, secret: String? = nil) async throws -> Sent {
        switch row.kind {
        case .email: return try await email(row, now: now)
        case .sms: return try await sms(row)
        case .webhook: return try await webhook(row, now: now, secret: secret)
        case .dispatch: throw SendFailure(permanent: true, message: "a dispatch row is expanded, not sent")
        }
    }

    private func email(_ row: Outbox.Claimed, now: Date) async throws -> Sent {
        let configuration = application.outboxConfiguration
        guard let client = application.smtpClient else {
            return Sent(transport: "log", reply: "kept in the message log: no SMTP_URL is configured")
        }
        guard let recipient = row.recipient, let to = try? MailAddress(recipient) else {
            throw SendFailure(permanent: true, message: "invalid e-mail address '\(row.recipient ?? "")'")
        }
        let settings = try await application.notificationSettingsCache.settings(shopID: row.shopID, application: application)
        let from: MailAddress
        if let address = settings.sender.email, let shopFrom = try? MailAddress(address, name: settings.sender.name) {
            from = shopFrom
        } else {
            from = try MailAddress(configuration.mailFrom.address, name: settings.sender.name ?? configuration.mailFrom.name)
        }
        let unsubscribe = try await unsubscribeLink(shopID: row.shopID, email: recipient)
        let message = MailMessage(
            from: from, to: [to], replyTo: settings.sender.replyTo.flatMap { try? MailAddress($0) }, subject: row.subject ?? "",
            text: row.bodyText ?? "", html: row.bodyHTML, messageID: row.messageID ?? "\(row.id.uuidString.lowercased())@\(configuration.messageIDDomain)",
            date: now,
            headers: [(name: "List-Unsubscribe", value: "<\(unsubscribe)>"), (name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click"),
                      (name: "X-Waybill-Message", value: row.id.uuidString.lowercased())])
        do {
            return Sent(transport: "smtp", reply: try await client.send(message))
        } catch let error as SMTPError {
            throw SendFailure(permanent: error.isPermanent, message: error.description)
        }
    }

    private func unsubscribeLink(shopID: UUID, email: String) async throws -> String {
        let secret = try await application.linkSecret()
        return application.outboxConfiguration.publicURL + "/u/" + UnsubscribeToken(shopID: shopID, email: email, channel: .email).signed(secret: secret)
    }

    private func sms(_ row: Outbox.Claimed) async throws -> Sent {
        guard let provider = application.outboxConfiguration.sms else {
            return Sent(transport: "log", reply: "kept in the message log: no SMS_API_URL is configured")
        }
        guard let to = row.recipient.flatMap({ MessageBuilder.normalisedPhone($0) }) else {
            throw SendFailure(permanent: true, message: "invalid phone number '\(row.recipient ?? "")'")
        }
        let plan = SMSText.plan(row.bodyText ?? "")
        var replies: [String] = []
        for (index, part) in plan.parts.enumerated() {
            var form = URLComponents()
            form.queryItems = [URLQueryItem(name: "To", value: to), URLQueryItem(name: "From", value: provider.from),
                               URLQueryItem(name: "Body", value: part)]
            let body = (form.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
            var headers = HTTPHeaders()
            headers.contentType = .urlEncodedForm
            headers.basicAuthorization = BasicAuthorization(username: provider.account, password: provider.token)
            let response = try await post(provider.url, headers: headers, body: Data(body.utf8))
            guard (200..<300).contains(response.status.code) else {
                let text = response.body.map { String(buffer: $0) }.map { String($0.prefix(300)) } ?? ""
                // 4xx is the provider refusing this message (a bad number, no credit is 402/429: worth a retry).
                let permanent = (400..<500).contains(response.status.code) && ![408, 409, 425, 429, 402].contains(response.status.code)
                throw SendFailure(permanent: permanent && index == 0,
                                  message: "SMS provider answered \(response.status.code) on part \(index + 1)/\(plan.parts.count): \(text)")
            }
            let sid = response.body.flatMap { try? JSONDecoder().decode([String: JSONValue].self, from: Data(buffer: $0)) }?["sid"]?.string
            replies.append(sid ?? "\(response.status.code)")
        }
        return Sent(transport: "sms", reply: "\(plan.kind) \(plan.parts.count) part(s): " + replies.joined(separator: ", "))
    }

    private func webhook(_ row: Outbox.Claimed, now: Date, secret known: String?) async throws -> Sent {
        let sql = application.db as! any SQLDatabase
        let endpoints = WebhookEndpoints(sql: sql)
        var secret = known
        if secret == nil, let endpointID = row.endpointID { secret = try await endpoints.secret(shopID: row.shopID, id: endpointID) }
        guard let endpointID = row.endpointID, let url = row.recipient, let secret else {
            throw SendFailure(permanent: true, message: "the webhook endpoint was deleted")
        }
        do {
            try await WebhookURLPolicy.checkBeforeDelivery(url, allowPrivate: application.outboxConfiguration.allowPrivateWebhooks)
        } catch {
            application.endpointHealth.failed(endpointID)
            try await endpoints.recordFailure(endpointID, error: "\(error)", at: now)
            throw SendFailure(permanent: false, message: "refused: \(error)")
        }
        let body = Data((row.bodyText ?? "{}").utf8)
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: "Waybill-Signature", value: WebhookSignature.waybillHeader(body: body, secret: secret, at: now))
        headers.add(name: "Waybill-Event-Id", value: row.messageID ?? row.id.uuidString.lowercased())
        headers.add(name: "Waybill-Event-Type", value: row.trigger ?? "")
        headers.add(name: "User-Agent", value: "Waybill-Webhooks/1")
        let response: ClientResponse
        do {
            response = try await post(url, headers: headers, body: body)
        } catch {
            application.endpointHealth.failed(endpointID)
            try await endpoints.recordFailure(endpointID, error: "\(error)", at: now)
            throw SendFailure(permanent: false, message: "could not reach \(url): \(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            let message = "endpoint answered \(response.status.code)"
            application.endpointHealth.failed(endpointID)
            try await endpoints.recordFailure(endpointID, error: message, at: now)
            throw SendFailure(permanent: false, message: message)
        }
        // The endpoint's health row is written when it changes, and at most every 30 s while it stays healthy:
        // every delivery touching the one row would make all workers queue on its lock.
        if application.endpointHealth.shouldRecordSuccess(endpointID, at: now) { try await endpoints.recordSuccess(endpointID, at: now) }
        return Sent(transport: "webhook", reply: "\(response.status.code)")
    }

    private func post(_ url: String, headers: HTTPHeaders, body: Data) async throws -> ClientResponse {
        let request = ClientRequest(method: .POST, url: URI(string: url), headers: headers, body: ByteBuffer(data: body), timeout: .seconds(10))
        do {
            return try await application.client.send(request)
        } catch {
            throw SendFailure(permanent: false, message: "\(url): \(error)")
        }
    }
}

extension Application {
    private struct SMTPClientKey: StorageKey { typealias Value = SMTPClient }
    private struct LinkSecretKey: StorageKey { typealias Value = String }
    private static let linkSecretLock = NIOLock()

    /// The SMTP connection pool, when `SMTP_URL` is set (created at start-up, closed at shutdown).
    var smtpClient: SMTPClient? {
        get { storage[SMTPClientKey.self] }
        set { storage[SMTPClientKey.self] = newValue }
    }

    /// The deployment's link-signing secret (made once, kept in the database, never changes).
    func linkSecret() async throws -> String {
        if let known = Self.linkSecretLock.withLock({ storage[LinkSecretKey.self] }) { return known }
        let value = try await DeploymentSecrets.value("links", sql: db as! any SQLDatabase)
        Self.linkSecretLock.withLock { storage[LinkSecretKey.self] = value }
        return value
    }
}

/// Notification settings per shop, kept for 30 seconds: the sender reads them for every message.
final class NotificationSettingsCache: Sendable {
    private let entries = ExpiringCache<UUID, NotificationSettings>(ttl: .seconds(30))

    func settings(shopID: UUID, application: Application) async throws -> NotificationSettings {
        if let settings = entries.lookup(shopID) { return settings }
        let settings = try await NotificationSettings.load(shopID: shopID, sql: application.db as! any SQLDatabase)
        entries.store(shopID, settings)
        return settings
    }

    func forget(_ shopID: UUID) { entries.remove(shopID) }
}

extension Application {
    private struct SettingsCacheKey: StorageKey { typealias Value = NotificationSettingsCache }

    var notificationSettingsCache: NotificationSettingsCache { shared(SettingsCacheKey.self) { NotificationSettingsCache() } }
}

/// When this instance last wrote an endpoint's success, so a healthy endpoint's row is not rewritten on every
/// delivery. A failure forgets it, so the first success after a failure is always written.
final class EndpointHealthCache: Sendable {
    private let written = NIOLockedValueBox<[UUID: Date]>([:])

    func shouldRecordSuccess(_ id: UUID, at time: Date) -> Bool {
        written.withLockedValue { map in
            if let last = map[id], time.timeIntervalSince(last) < 30, time >= last { return false }
            map[id] = time
            return true
        }
    }

    func failed(_ id: UUID) { written.withLockedValue { _ = $0.removeValue(forKey: id) } }
}

extension Application {
    private struct EndpointHealthKey: StorageKey { typealias Value = EndpointHealthCache }

    var endpointHealth: EndpointHealthCache { shared(EndpointHealthKey.self) { EndpointHealthCache() } }
}
