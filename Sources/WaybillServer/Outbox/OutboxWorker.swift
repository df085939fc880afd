import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import WaybillCore

/// Sends what the outbox holds. Every instance of `waybill serve` runs one (`WAYBILL_OUTBOX_WORKERS=0` turns
/// it off): it claims due rows in batches, expands dispatch rows, sends the rest `workers` at a time, and
/// records each outcome. Instances coordinate only through their claims in the database.
final class OutboxWorker: LifecycleHandler, Sendable {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func didBootAsync(_ application: Application) async throws {
        task.withLockedValue { $0 = Task { await Self.loop(application) } }
    }

    func shutdownAsync(_ application: Application) async {
        let running = task.withLockedValue { task -> Task<Void, Never>? in defer { task = nil }; return task }
        running?.cancel()
        await running?.value
    }

    private static func loop(_ application: Application) async {
        let pass = OutboxPass(application: application)
        let configuration = application.outboxConfiguration
        while !Task.isCancelled {
            var handled = 0
            do { handled = try await pass.run(limit: max(configuration.workers * 8, 16)) } catch {
                application.logger.error("outbox pass failed: \(String(reflecting: error))")
            }
            if handled == 0 { try? await Task.sleep(nanoseconds: UInt64(configuration.pollInterval * 1_000_000_000)) }
        }
    }
}

/// One round of the outbox: claim, handle, record. Also what tests and `waybill outbox drain` run directly.
struct OutboxPass: Sendable {
    let application: Application
    let worker: String

    init(application: Application, worker: String = OutboxPass.workerName()) {
        self.application = application
        self.worker = worker
    }

    static func workerName() -> String {
        "\(ProcessInfo.processInfo.hostName.prefix(40)):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
    }

    /// Claims up to `limit` due rows and handles them; returns how many it claimed.
    @discardableResult
    func run(limit: Int) async throws -> Int {
        let now = application.dependencies.clock.now()
        let worker = self.worker
        let claimed = try await application.writeGate.singleStatement(on: application.db) { db in
            try await Outbox(sql: db as! any SQLDatabase).claim(worker: worker, limit: limit, now: now)
        }
        guard !claimed.isEmpty else { return 0 }
        let metrics = application.waybillMetrics
        // Dispatch rows first (they make the messages), all in one transaction; then the messages, `workers` at a time.
        let dispatch = claimed.filter { $0.kind == .dispatch }
        if !dispatch.isEmpty {
            do {
                _ = try await OutboxDispatcher(application: application).expand(dispatch, worker: worker)
                for row in dispatch { metrics.recordOutbox(kind: row.kind.rawValue, result: "sent") }
            } catch {
                application.logger.error("outbox: dispatch failed: \(String(reflecting: error))")
            }
        }
        let messages = claimed.filter { $0.kind != .dispatch }
        guard !messages.isEmpty else { return claimed.count }
        var prepared = try await prepare(messages)
        // This worker's claim ends then; a message not started 15 s before is left for the next claimant
        // rather than sent while another worker may already have taken it.
        prepared.sendBefore = now.addingTimeInterval(Outbox.lease - 15)
        let batch = prepared
        let sent = NIOLockedValueBox<[Outbox.Delivered]>([])
        let width = max(application.outboxConfiguration.workers, 1)
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            func add(_ row: Outbox.Claimed) {
                group.addTask {
                    if let done = await handle(row, batch: batch) { sent.withLockedValue { $0.append(done) } }
                }
            }
            while next < messages.count, next < width { add(messages[next]); next += 1 }
            while await group.next() != nil {
                // Sends are recorded a few at a time: one statement for several, yet a crash leaves at most
                // about `workers` sent-but-unrecorded messages to be sent again.
                if sent.withLockedValue({ $0.count }) >= min(width, 16) { await record(sent) }
                if next < messages.count { add(messages[next]); next += 1 }
            }
        }
        await record(sent)
        return claimed.count
    }

    /// Records (and empties) the sends collected so far, in one statement.
    private func record(_ sent: NIOLockedValueBox<[Outbox.Delivered]>) async {
        let delivered = sent.withLockedValue { list -> [Outbox.Delivered] in defer { list = [] }; return list }
        guard !delivered.isEmpty else { return }
        do {
            try await application.writeGate.singleStatement(on: application.db) { db in
                try await Outbox(sql: db as! any SQLDatabase).markSent(delivered, worker: worker)
            }
        } catch {
            // Not recorded: after the claim runs out they are sent again, with the same Message-ID / event id.
            application.logger.error("outbox: could not record \(delivered.count) sends: \(String(reflecting: error))")
        }
        for done in delivered { application.waybillMetrics.recordOutbox(kind: done.kind, result: "sent", lag: done.lag) }
    }

    /// Runs passes until nothing is due (tests, the demo, `waybill outbox drain`).
    func drain() async throws {
        while try await run(limit: 200) > 0 {}
    }

    /// What a batch of messages needs from the database, read once for all of them: each message whose
    /// customer has since turned its channel off (checked again at send time: an SMS held overnight must
    /// not go after the customer said stop), and the signing secrets of the endpoints it posts to.
    struct Batch: Sendable {
        var optedOut: [UUID: String] = [:]
        var secrets: [UUID: String] = [:]
        var sendBefore = Date.distantFuture
    }

    private func prepare(_ messages: [Outbox.Claimed]) async throws -> Batch {
        let sql = application.db as! any SQLDatabase
        var batch = Batch()
        let endpointIDs = Array(Set(messages.compactMap(\.endpointID)))
        if !endpointIDs.isEmpty {
            for row in try await sql.raw("SELECT id, secret FROM webhook_endpoints WHERE id IN (\(binds: endpointIDs))").all() {
                batch.secrets[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "secret", as: String.self)
            }
        }
        let personal = messages.filter { ($0.kind == .email || $0.kind == .sms) && $0.orderID != nil }
        guard !personal.isEmpty else { return batch }
        let orderIDs = Array(Set(personal.compactMap(\.orderID)))
        var emails: [UUID: String] = [:]
        for row in try await sql.raw("SELECT id, customer_email FROM orders WHERE id IN (\(binds: orderIDs))").all() {
            emails[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "customer_email", as: String.self)
        }
        let subjects = orderIDs.map(NotificationPreferences.subject(orderID:)) + emails.values.map(NotificationPreferences.subject(email:))
        var choices: [String: NotificationPreferences] = [:]
        for row in try await sql.raw("""
            SELECT subject, email, sms FROM notification_preferences WHERE shop_id IN (\(binds: Array(Set(personal.map(\.shopID)))))
            AND subject IN (\(binds: Array(Set(subjects))))
            """).all() {
            choices[try row.decode(column: "subject", as: String.self)] = NotificationPreferences(
                email: try row.decode(column: "email", as: Bool?.self), sms: try row.decode(column: "sms", as: Bool?.self))
        }
        guard !choices.isEmpty else { return batch }
        for row in personal {
            guard let orderID = row.orderID, let email = emails[orderID] else { continue }
            let choice = NotificationPreferences.resolve(order: choices[NotificationPreferences.subject(orderID: orderID)],
                                                         customer: choices[NotificationPreferences.subject(email: email)])
            if row.kind == .email, choice.email == false {
                batch.optedOut[row.id] = "the customer turned e-mail updates off before it was sent"
            }
            if row.kind == .sms, choice.sms == false {
                batch.optedOut[row.id] = "the customer turned SMS updates off before it was sent"
            }
        }
        return batch
    }

    /// Sends one message; returns it when sent (recorded with the batch), records anything else itself.
    private func handle(_ row: Outbox.Claimed, batch: Batch) async -> Outbox.Delivered? {
        let metrics = application.waybillMetrics
        let now = application.dependencies.clock.now()
        let outbox = { @Sendable (body: @escaping @Sendable (Outbox) async throws -> Void) async throws in
            try await application.writeGate.singleStatement(on: application.db) { db in try await body(Outbox(sql: db as! any SQLDatabase)) }
        }
        guard now < batch.sendBefore else { return nil }
        do {
            if let reason = batch.optedOut[row.id] {
                try await outbox { try await $0.markSuppressed(row.id, worker: worker, reason: reason, at: now) }
                metrics.recordOutbox(kind: row.kind.rawValue, result: "suppressed")
                return nil
            }
            if row.kind == .sms, let until = try await quietUntil(row, now: now) {
                try await outbox { try await $0.postpone(row.id, worker: worker, until: until, reason: "held for quiet hours", at: now) }
                return nil
            }
            let sent = try await OutboxSender(application: application).send(row, now: now, secret: row.endpointID.flatMap { batch.secrets[$0] })
            let done = application.dependencies.clock.now()
            return Outbox.Delivered(id: row.id, kind: row.kind.rawValue, transport: sent.transport, reply: sent.reply, at: done,
                                    lag: done.timeIntervalSince(row.createdAt))
        } catch {
            let failure = error as? SendFailure
            let permanent = failure?.permanent ?? false
            let message = failure?.message ?? String(describing: error)
            let parked = permanent || row.attempts >= Outbox.maxAttempts
            do {
                try await outbox { try await $0.markFailed(row.id, worker: worker, attempts: row.attempts, error: message, permanent: permanent, at: now) }
            } catch {
                application.logger.error("outbox: could not record the failure of \(row.id): \(String(reflecting: error))")
            }
            metrics.recordOutbox(kind: row.kind.rawValue, result: parked ? "parked" : "retry")
            application.logger.log(level: parked ? .warning : .info, "outbox \(row.kind.rawValue) \(row.id) \(parked ? "parked" : "will retry"): \(message)")
            return nil
        }
    }

    /// The end of the quiet hours an SMS falls in, in the customers' zone (the shop's unless the shop says otherwise).
    private func quietUntil(_ row: Outbox.Claimed, now: Date) async throws -> Date? {
        let settings = try await application.notificationSettingsCache.settings(shopID: row.shopID, application: application)
        let zone: TimeZone
        if let name = settings.customerTimezone, let given = TimeZone(identifier: name) {
            zone = given
        } else {
            let name = try await (application.db as! any SQLDatabase).raw("SELECT timezone FROM shops WHERE id = \(bind: row.shopID)").first()?
                .decode(column: "timezone", as: String.self)
            zone = name.flatMap(TimeZone.init(identifier:)) ?? .gmt
        }
        return settings.smsAllowed(at: now, zone: zone)
    }
}

/// Closes the SMTP connections when the application stops.
struct SMTPClientShutdown: LifecycleHandler {
    let client: SMTPClient
    func shutdownAsync(_ application: Application) async { await client.shutdown() }
}
