import Foundation
import SQLKit
import Vapor

/// A named job held by one instance until `lease_until`: of several instances running the scheduler, the
/// first to claim an expired lease runs the job; the others skip it until the lease runs out again.
struct JobLease {
    let application: Application
    /// This instance, for the operator's eyes (`host:pid`).
    static let holder = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"

    /// True when this instance now holds `name` for `seconds` (one conditional upsert, so two instances
    /// cannot both win).
    func claim(_ name: String, for seconds: TimeInterval, now: Date) async throws -> Bool {
        try await application.write { db in
            try await (db as! any SQLDatabase).raw("""
                INSERT INTO job_leases (name, holder, lease_until, last_run_at)
                VALUES (\(bind: name), \(bind: Self.holder), \(bind: now.addingTimeInterval(seconds)), \(bind: now))
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until,
                    last_run_at = excluded.last_run_at
                WHERE job_leases.lease_until <= \(bind: now)
                RETURNING name
                """).first() != nil
        }
    }

    /// Gives the lease up so that the job can run again at once (after a failed run).
    func release(_ name: String) async throws {
        try await application.write { db in
            try await (db as! any SQLDatabase).raw("""
                UPDATE job_leases SET lease_until = last_run_at WHERE name = \(bind: name) AND holder = \(bind: Self.holder)
                """).run()
        }
    }
}
