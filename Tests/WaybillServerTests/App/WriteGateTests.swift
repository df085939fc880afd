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
        try await GroupCommitTests.withNotes { app, gate, other in
            let runs = NIOLockedValueBox(0)
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
            #expect(try await GroupCommitTests.texts(other) == ["other", "gated 1"])
        }
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

/// SQLite's group commit (`GroupCommit`): writes that queue behind a running one share its successor's
/// transaction, each in a savepoint.
@Suite("SQLite's group commit: queued writes commit together, a failing one alone is undone")
struct GroupCommitTests {
    struct Refused: Error, Equatable {}

    /// A file database with a `notes` table, a second connection to it (as another process would have),
    /// and a gate on the application's own connections.
    static func withNotes(_ test: (Application, WriteGate, SQLiteConnection) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("waybill-group-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let app = try await Application.make(.testing)
        app.databases.use(.sqlite(.file(path)), as: .sqlite)
        let sql = app.db as! any SQLDatabase
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        try await sql.raw("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)").run()
        let other = try await SQLiteConnection.open(storage: .file(path: path))
        do {
            try await test(app, WriteGate(serialised: true, metrics: app.waybillMetrics), other)
        } catch {
            try? await other.close()
            try await app.asyncShutdown()
            throw error
        }
        try await other.close()
        try await app.asyncShutdown()
    }

    static func insert(_ text: String, _ db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("INSERT INTO notes (text) VALUES (\(bind: text))").run()
    }

    /// A sample's value on the application's `/metrics` page (`name` with its labels, as exposed).
    static func metric(_ app: Application, _ name: String) -> String? {
        app.waybillMetrics.exposition().split(separator: "\n").first { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) }
    }

    static func texts(_ connection: SQLiteConnection) async throws -> [String] {
        try await connection.query("SELECT text FROM notes ORDER BY id", []).map { $0.column("text")?.string ?? "?" }
    }

    /// A write that holds the gate until it is let go. `start` returns once it is running, so every write
    /// started after that queues behind it.
    struct Holder {
        let task: Task<Void, any Error>
        let release: NIOLockedValueBox<Bool>

        static func start(_ gate: WriteGate, db: any Database) async throws -> Holder {
            let running = NIOLockedValueBox(false), release = NIOLockedValueBox(false)
            let task = Task {
                try await gate.transaction(on: db) { db in
                    try await insert("holder", db)
                    running.withLockedValue { $0 = true }
                    while !release.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(2)) }
                }
            }
            while !running.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(2)) }
            return Holder(task: task, release: release)
        }

        /// Lets go once `count` writes are queued behind it, and waits for its own write.
        func release(after count: Int, _ gate: WriteGate) async throws {
            while await gate.group!.waiting < count { try await Task.sleep(for: .milliseconds(2)) }
            release.withLockedValue { $0 = true }
            try await task.value
        }
    }

    @Test func queuedWritesCommitInOneTransactionAndAFailingOneIsUndoneAlone() async throws {
        try await Self.withNotes { app, gate, other in
            let count = 10
            let holder = try await Holder.start(gate, db: app.db)
            async let answers = withTaskGroup(of: (Int, Result<[String], Refused>).self) { tasks in
                for i in 0..<count {
                    tasks.addTask {
                        do {
                            try await gate.transaction(on: app.db) { db in
                                try await Self.insert("w\(i)", db)
                                if i == 3 { throw Refused() }
                            }
                            // Answered only once the write is committed: another connection sees it.
                            return (i, .success(try await Self.texts(other)))
                        } catch {
                            return (i, .failure(error as? Refused ?? Refused()))
                        }
                    }
                }
                var outcomes: [Int: Result<[String], Refused>] = [:]
                for await (i, outcome) in tasks { outcomes[i] = outcome }
                return outcomes
            }
            try await holder.release(after: count, gate)
            let outcomes = await answers
            for i in 0..<count where i != 3 {
                #expect(try outcomes[i]!.get().contains("w\(i)"), "write \(i) was answered before it was committed")
            }
            #expect(throws: Refused.self) { try outcomes[3]!.get() }
            let texts = try await Self.texts(other)
            #expect(Set(texts) == Set(["holder"] + (0..<count).filter { $0 != 3 }.map { "w\($0)" }))
            #expect(texts.count == count)
            // On /metrics: the holder's transaction and the group's, 11 writes, each of which waited.
            #expect(Self.metric(app, "waybill_sqlite_write_transaction_writes_count") == "2")
            #expect(Self.metric(app, "waybill_sqlite_write_transaction_writes_sum") == "11.0")
            #expect(Self.metric(app, #"waybill_sqlite_write_transaction_writes_bucket{le="8.0"}"#) == "1")
            #expect(Self.metric(app, "waybill_sqlite_write_wait_seconds_count") == "11")
            #expect(Self.metric(app, "waybill_sqlite_write_groups_failed_total") == "0")
        }
    }

    /// A write in a group that SQLite makes start over (its snapshot overtaken by another connection's
    /// commit) starts the whole group over, as it would a transaction of its own: nothing of the failed try
    /// is committed, and each write lands once.
    @Test func aGroupThatMustStartOverStartsOverWholeAndEachWriteLandsOnce() async throws {
        try await Self.withNotes { app, gate, other in
            let runs = try await Self.group(gate, app.db, ["a", "b", "c"]) { name, run, db in
                if name == "a" && run == 1 {
                    // First in the group: it reads, another connection commits, then it writes.
                    _ = try await (db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM notes").all()
                    try await other.query("INSERT INTO notes (text) VALUES ('other')", []) { _ in }
                }
            }
            #expect(try await Self.texts(other) == ["holder", "other", "a", "b", "c"])
            #expect(runs == ["a": 2, "b": 1, "c": 1])
            // Started over, and still one transaction for the group after the holder's.
            #expect(Self.metric(app, "waybill_sqlite_write_transaction_writes_count") == "2")
            #expect(Self.metric(app, "waybill_sqlite_write_transaction_writes_sum") == "4.0")
        }
    }

    /// A group that fails as a whole for another reason (here a write ends the shared transaction and
    /// throws, so its savepoint cannot be rolled back to) commits nothing; each of its writes then runs
    /// alone, as its own transaction, and lands once.
    @Test func aGroupThatFailsWholeRunsEachWriteAlone() async throws {
        try await Self.withNotes { app, gate, other in
            let runs = try await Self.group(gate, app.db, ["a", "b", "c"]) { name, run, db in
                if name == "b" && run == 1 {
                    try await (db as! any SQLDatabase).raw("ROLLBACK").run()
                    throw Refused()
                }
            }
            #expect(try await Self.texts(other) == ["holder", "a", "b", "c"])
            #expect(runs == ["a": 2, "b": 2, "c": 1])
            #expect(Self.metric(app, "waybill_sqlite_write_groups_failed_total") == "1")
            // The holder's transaction, then each of the three alone.
            #expect(Self.metric(app, "waybill_sqlite_write_transaction_writes_count") == "4")
        }
    }

    /// Queues writes of `names`, in order, behind a holding write, lets them run as one group, and returns
    /// how many times each write's body ran. Each body calls `before` and then inserts its name.
    static func group(
        _ gate: WriteGate, _ db: any Database, _ names: [String],
        before: @escaping @Sendable (String, Int, any Database) async throws -> Void
    ) async throws -> [String: Int] {
        let runs = NIOLockedValueBox([String: Int]())
        let holder = try await Holder.start(gate, db: db)
        var writes: [Task<Void, any Error>] = []
        for (index, name) in names.enumerated() {
            writes.append(Task {
                try await gate.transaction(on: db) { db in
                    let run = runs.withLockedValue { $0[name, default: 0] += 1; return $0[name]! }
                    try await before(name, run, db)
                    try await insert(name, db)
                }
            })
            // Queued in this order.
            while await gate.group!.waiting < index + 1 { try await Task.sleep(for: .milliseconds(2)) }
        }
        try await holder.release(after: names.count, gate)
        for write in writes { try await write.value }
        return runs.withLockedValue { $0 }
    }
}
