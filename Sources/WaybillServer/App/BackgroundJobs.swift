import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The background work of `waybill serve` (`WAYBILL_JOBS=off` turns it off, for instances that should only
/// answer requests), every `interval` seconds: stock alerts and the nightly plan, inbox messages whose first
/// processing did not finish, carriers to ask, silences to call, the nightly refit of delivery promises, and
/// stored idempotent answers past their retention. Every step coordinates through the
/// database only, so any number of instances may run it.
final class BackgroundJobs: LifecycleHandler, Sendable {
    let interval: TimeInterval
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(interval: TimeInterval) { self.interval = interval }

    func didBootAsync(_ application: Application) async throws {
        let interval = self.interval
        task.withLockedValue { $0 = Task { await Self.loop(application, interval: interval) } }
    }

    private static func loop(_ application: Application, interval: TimeInterval) async {
        let scheduler = InventoryScheduler(application: application)
        let logger = application.logger
        var since: Date? = nil
        while !Task.isCancelled {
            do {
                let report = try await scheduler.pass(since: since)
                since = report.startedAt
                if report.planned || !report.alerts.raised.isEmpty || !report.alerts.cleared.isEmpty {
                    logger.info("inventory pass", metadata: [
                        "planned": "\(report.planned)", "evaluated": "\(report.alerts.evaluated)",
                        "raised": "\(report.alerts.raised.count)", "cleared": "\(report.alerts.cleared.count)"])
                }
            } catch {
                logger.error("inventory pass failed: \(String(reflecting: error))")
            }
            await step("inbox retry", logger) { _ = try await Inbox(application: application).retryPending(wait: false) }
            await step("tracking poll", logger) {
                let report = try await TrackingPoller(application: application).pass(window: interval)
                if report.asked > 0 { logger.debug("tracking poll", metadata: ["asked": "\(report.asked)", "new_events": "\(report.newEvents)"]) }
            }
            await step("shipment watch", logger) {
                let report = try await ShipmentWatch(application: application).pass()
                if !report.stalled.isEmpty || !report.late.isEmpty {
                    logger.info("shipment watch", metadata: ["stalled": "\(report.stalled.count)", "late": "\(report.late.count)"])
                }
            }
            await step("promise watch", logger) {
                let report = try await PromiseWatch(application: application).pass()
                if !report.atRisk.isEmpty { logger.info("promise watch", metadata: ["at_risk": "\(report.atRisk.count)", "checked": "\(report.checked)"]) }
            }
            await step("promise fit", logger) {
                // Nightly per shop: a model older than a day is refitted (a shop's first deliveries start one).
                let service = PromiseService(application: application)
                for shop in try await service.stale(olderThan: 86_400) {
                    let outcome = try await service.fit(shopID: shop)
                    logger.info("promise fit", metadata: ["shop": "\(shop)", "used": "\(outcome.report.used)", "lanes": "\(outcome.report.lanes)"])
                }
            }
            await step("idempotency expiry", logger) {
                let days = application.settings.idempotencyDays
                guard days > 0 else { return }
                let cutoff = application.dependencies.clock.now().addingTimeInterval(-Double(days) * 86_400)
                let deleted = try await IdempotencyExpiry(application: application).run(before: cutoff)
                if deleted > 0 { logger.info("idempotency keys expired", metadata: ["deleted": "\(deleted)", "older_than_days": "\(days)"]) }
            }
            try? await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
        }
    }

    /// One step's failure is logged and never stops the others.
    private static func step(_ name: String, _ logger: Logger, _ body: () async throws -> Void) async {
        do { try await body() } catch { logger.error("\(name) failed: \(String(reflecting: error))") }
    }

    func shutdownAsync(_ application: Application) async {
        let running = task.withLockedValue { task -> Task<Void, Never>? in defer { task = nil }; return task }
        running?.cancel()
        await running?.value
    }
}
