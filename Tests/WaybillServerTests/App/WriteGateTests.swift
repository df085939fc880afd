import Fluent
import FluentSQLiteDriver
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
@testable import WaybillServer

/// SQLite-only by nature (its own file, whichever database the rest of the suite uses).
@Suite("SQLite's write gate: its own connections, and a transaction overtaken by another connection starts over")
struct WriteGateTests {
    @Test func aTransactionWhoseSnapshotWasOvertakenRunsAgainAndLandsOnce() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("waybill-gate-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let app = try await Application.make(.testing)
        app.databases.use(.sqlite(.file(path)), as: .sqlite)
        let sql = app.db as! any SQLDatabase
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        try await sql.raw("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)").run()
        // A second connection to the same file, as a second process would have.
        let other = try await SQLiteConnection.open(storage: .file(path: path))
        let runs = NIOLockedValueBox(0)
        do {
            let gate = WriteGate(serialised: true)
            let seen = try await gate.transaction(on: app.db) { db in
                let sql = db as! any SQLDatabase
                let run = runs.withLockedValue { $0 += 1; return $0 }
                let count = try await sql.raw("SELECT COUNT(*) AS n FROM notes").first()?.decode(column: "n", as: Int.self) ?? -1
                // The first time, the other connection commits between this read and this write.
                if run == 1 { try await other.query("INSERT INTO notes (text) VALUES ('other')", []) { _ in } }
                try await sql.raw("INSERT INTO notes (text) VALUES (\(bind: "gated \(count)"))").run()
                return count
            }
            #expect(runs.withLockedValue { $0 } == 2)
            #expect(seen == 1)
            let rows = try await sql.raw("SELECT text FROM notes ORDER BY id").all().map { try $0.decode(column: "text", as: String.self) }
            #expect(rows == ["other", "gated 1"])
        } catch {
            try? await other.close()
            try await app.asyncShutdown()
            throw error
        }
        try await other.close()
        try await app.asyncShutdown()
    }

    /// The gate's transactions have connections of their own: a write proceeds while its event loop's one
    /// reading connection is taken (before, it waited for that connection; here it would have waited forever,
    /// since the holder waits for the write, and failed at the pool's 10 s timeout).
    @Test func aGatedWriteDoesNotWaitForTheReadingConnectionOfItsEventLoop() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("waybill-gate-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let app = try await Application.make(.testing)
        var settings = Settings(logLevel: .warning)
        settings.database = .sqlite(path: path)
        do {
            try app.useDatabase(settings)
            let reader = app.databases.database(.sqlite, logger: app.logger, on: app.eventLoopGroup.any())!
            try await (reader as! any SQLDatabase).raw("PRAGMA journal_mode=WAL").run()
            try await (reader as! any SQLDatabase).raw("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)").run()
            let (seen, held) = try await reader.withConnection { held in
                let seen = try await app.writeGate.transaction(on: reader) { db in
                    let sql = db as! any SQLDatabase
                    try await sql.raw("INSERT INTO notes (text) VALUES ('gated')").run()
                    return try await sql.raw("SELECT COUNT(*) AS n FROM notes").first()?.decode(column: "n", as: Int.self) ?? -1
                }
                // The held reading connection sees the committed write.
                let held = try await (held as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM notes").first()?
                    .decode(column: "n", as: Int.self) ?? -1
                return (seen, held)
            }
            #expect(seen == 1)
            #expect(held == 1)
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
