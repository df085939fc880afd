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
        // Dispatch rows first (they make the messages), then the messages, `workers` at a time.
        for row in claimed where row.kind == .dispatch { await handle(row) }
        let messages = claimed.filter { $0.kind != .dispatch }
        let width = max(application.outboxConfiguration.workers, 1)
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            while next < messages.count, next < width {
                let row = messages[next]
                group.addTask { await handle(row) }
                next += 1
            }
            while await group.next() != nil, next < messages.count {
                let row = messages[next]
                group.addTask { await handle(row) }
                next += 1
            }
        }
        return claimed.count
    }

    /// Runs passes until nothing is due (tests, the demo, `waybill outbox drain`).
    func drain() async throws {
        while try await run(limit: 200) > 0 {}
    }

    private func handle(_ row: Outbox.Claimed) async {
        let metrics = application.waybillMetrics
        let now = application.dependencies.clock.now()
        let outbox = { @Sendable (body: @escaping @Sendable (Outbox) async throws -> Void) async throws in
            try await application.writeGate.singleStatement(on: application.db) { db in try await body(Outbox(sql: db as! any SQLDatabase)) }
        }
        do {
            if row.kind == .dispatch {
                _ = try await OutboxDispatcher(application: application).expand(row, worker: worker)
                metrics.recordOutbox(kind: row.kind.rawValue, result: "sent")
                return
            }
            if let reason = try await optedOut(row) {
                try await outbox { try await $0.markSuppressed(row.id, worker: worker, reason: reason, at: now) }
                metrics.recordOutbox(kind: row.kind.rawValue, result: "suppressed")
                return
            }
            if row.kind == .sms, let until = try await quietUntil(row, now: now) {
                try await outbox { try await $0.postpone(row.id, worker: worker, until: until, reason: "held for quiet hours", at: now) }
                return
            }
            let sent = try await OutboxSender(application: application).send(row, now: now)
            let done = application.dependencies.clock.now()
            try await outbox { _ = try await $0.markSent(row.id, worker: worker, transport: sent.transport, reply: sent.reply, at: done) }
            metrics.recordOutbox(kind: row.kind.rawValue, result: "sent", lag: done.timeIntervalSince(row.createdAt))
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
        }
    }

    /// Checked again at send time: a customer who switched a channel off after the message was written (say,
    /// while an SMS waited out the night) must not get it.
    private func optedOut(_ row: Outbox.Claimed) async throws -> String? {
        guard row.kind == .email || row.kind == .sms, let orderID = row.orderID else { return nil }
        let sql = application.db as! any SQLDatabase
        guard let email = try await sql.raw("SELECT customer_email FROM orders WHERE id = \(bind: orderID)").first()?
            .decode(column: "customer_email", as: String.self) else { return nil }
        let preferences = try await NotificationPreferences.effective(shopID: row.shopID, orderID: orderID, email: email, sql: sql)
        if row.kind == .email, preferences.email == false { return "the customer turned e-mail updates off before it was sent" }
        if row.kind == .sms, preferences.sms == false { return "the customer turned SMS updates off before it was sent" }
        return nil
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
