import Foundation
import SQLKit
import Vapor

/// The inventory's scheduled work (F1): once a day (whichever instance claims the lease) every position's
/// forecast and plan is recomputed and every alert re-evaluated; between those runs, every `interval`
/// the positions whose stock moved, and those with an active alert, are re-evaluated against their plans.
struct InventoryScheduler {
    let application: Application

    static let planJob = "replenishment_plan"
    /// About nightly, without every instance starting at the same minute.
    static let planEvery: TimeInterval = 20 * 3600
    /// Movements can commit a little after their timestamp: each pass looks this far back past the last one.
    static let overlap: TimeInterval = 120

    struct PassReport: Sendable {
        var startedAt: Date
        var planned: Bool
        var alerts: StockAlerts.Outcome
    }

    /// One pass over every shop. `since` is the previous pass's start (nil: evaluate everything).
    func pass(since: Date?) async throws -> PassReport {
        let now = application.dependencies.clock.now()
        let sql = application.db as! any SQLDatabase
        let shops = try await sql.raw("SELECT id FROM shops ORDER BY created_at").all().map { try $0.decode(column: "id", as: UUID.self) }
        let lease = JobLease(application: application)
        let planned = try await lease.claim(Self.planJob, for: Self.planEvery, now: now)
        var total = StockAlerts.Outcome()
        do {
            for shopID in shops {
                let alerts = StockAlerts(application: application, now: now)
                let outcome: StockAlerts.Outcome
                if planned {
                    let report = try await ReplenishmentPlanner(application: application, now: now).run(shopID: shopID)
                    outcome = try await alerts.evaluate(shopID: shopID, planned: report)
                } else if let since {
                    let skus = Set(try await alerts.movedSKUs(shopID: shopID, since: since.addingTimeInterval(-Self.overlap)))
                        .union(try await alerts.alertedSKUs(shopID: shopID))
                    guard !skus.isEmpty else { continue }
                    outcome = try await alerts.evaluate(shopID: shopID, skus: skus.sorted())
                } else {
                    outcome = try await alerts.evaluate(shopID: shopID)
                }
                total.evaluated += outcome.evaluated
                total.raised += outcome.raised
                total.cleared += outcome.cleared
            }
        } catch {
            if planned { try? await lease.release(Self.planJob) }
            throw error
        }
        return PassReport(startedAt: now, planned: planned, alerts: total)
    }
}
