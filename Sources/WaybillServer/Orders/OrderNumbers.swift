import Fluent
import Foundation
import SQLKit

/// Allocates per-shop order numbers (#1001, #1002, …).
///
/// On PostgreSQL each shop has a sequence: `nextval` takes no row lock, so concurrent order intake never
/// queues behind a counter row (numbers of rolled-back orders are skipped, as with any sequence).
/// On SQLite writers are serialised anyway, so a counter column on the shop row is exact and gap-free.
enum OrderNumbers {
    static func sequenceName(_ shopID: UUID) -> String {
        "order_numbers_" + shopID.uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// Called when a shop is created.
    static func prepare(shopID: UUID, startingAt start: Int64, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        // Identifiers cannot be bound; the name is built from a UUID's hex digits only.
        try await sql.raw("CREATE SEQUENCE IF NOT EXISTS \(ident: sequenceName(shopID)) START \(unsafeRaw: String(start))").run()
    }

    static func next(shopID: UUID, on db: any Database) async throws -> Int64 {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            let row = try await sql.raw("SELECT nextval(\(bind: sequenceName(shopID))) AS n").first()
            return try row!.decode(column: "n", as: Int64.self)
        }
        let row = try await sql.raw("""
            UPDATE shops SET next_order_number = next_order_number + 1 WHERE id = \(bind: shopID)
            RETURNING next_order_number - 1 AS n
            """).first()
        guard let row else { throw APIError.notFound("shop") }
        return try row.decode(column: "n", as: Int64.self)
    }
}
