import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Vapor

extension Application {
    /// Points Fluent at the database the settings name.
    func useDatabase(_ settings: Settings) throws {
        switch settings.database {
        case .sqlite(let path):
            databases.use(.sqlite(.file(path), sqlLogLevel: .trace), as: .sqlite)
            databases.use(OwnThreadDatabase(base: .sqlite(.file(path), sqlLogLevel: .trace)), as: .sqliteWriter, isDefault: false)
            let databases = databases
            writeGate = WriteGate(serialised: true, metrics: waybillMetrics) { db in
                databases.database(.sqliteWriter, logger: db.logger, on: db.eventLoop, history: db.history,
                                   pageSizeLimit: db.pageSizeLimit)!
            }
        case .postgres(let url):
            var config = try SQLPostgresConfiguration(url: url)
            config.searchPath = settings.postgresSearchPath
            databases.use(
                .postgres(configuration: config, maxConnectionsPerEventLoop: settings.databasePoolSize,
                          connectionPoolTimeout: .milliseconds(Int64(settings.databasePoolTimeout * 1_000)), sqlLogLevel: .trace),
                as: .psql
            )
            writeGate = WriteGate(serialised: false)
        }
    }

    /// Prepares the database for use: WAL journal on SQLite, then every pending migration.
    public func prepareDatabase() async throws {
        if let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" {
            try await sql.raw("PRAGMA journal_mode=WAL").run()
        }
        try await autoMigrate()
    }

    /// Registers model middleware on every database ID that writes: on SQLite the write gate's own ID too.
    /// Use this rather than `databases.middleware.use`, which registers on the default ID only and so would
    /// miss every save that goes through the gate on SQLite.
    func useModelMiddleware(_ middleware: any AnyModelMiddleware) {
        databases.middleware.use(middleware)
        if databases.ids().contains(.sqliteWriter) { databases.middleware.use(middleware, on: .sqliteWriter) }
    }

    var isSQLite: Bool { (db as? any SQLDatabase)?.dialect.name == "sqlite" }

    private struct WriteGateKey: StorageKey { typealias Value = WriteGate }

    var writeGate: WriteGate {
        get { storage[WriteGateKey.self] ?? WriteGate(serialised: false) }
        set { storage[WriteGateKey.self] = newValue }
    }
}

/// Runs write transactions. SQLite allows one writer per file: a deferred transaction that reads and then
/// writes can fail with SQLITE_BUSY instead of waiting, so on SQLite this process lets one write
/// transaction in at a time. PostgreSQL transactions run concurrently and rely on row locks and constraints.
///
/// On SQLite the gate's transactions run on connections of their own (`DatabaseID.sqliteWriter`), served by
/// a thread of their own: the writer's statements never queue behind other requests' reads on the shared
/// thread pool, and never wait for an event loop's one reading connection to come free. Measured under full
/// intake load, a write transaction held the gate 2.7 ms with the shared connections, ~0.3 ms of it waiting
/// for a connection.
///
/// Writes that arrive while one is running are committed together (group commit, `GroupCommit`): each runs
/// inside a savepoint of one shared transaction, so one that fails is undone alone, and each caller hears
/// back only once the transaction holding its write has committed.
final class WriteGate: Sendable {
    let group: GroupCommit?
    /// The database a gated transaction runs on, given the caller's (the caller's own when nil).
    private let writer: (@Sendable (any Database) -> any Database)?

    init(serialised: Bool, metrics: WaybillMetrics? = nil, writer: (@Sendable (any Database) -> any Database)? = nil) {
        group = serialised ? GroupCommit(largest: 32, metrics: metrics?.writeGateSeries()) : nil
        self.writer = writer
    }

    func transaction<T: Sendable>(
        on database: any Database, _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        guard let group else { return try await database.transaction(body) }
        let value = try await group.run(on: writer?(database) ?? database) { try await body($0) }
        return value as! T
    }

    /// Runs a SQLite transaction, again when SQLite says it must start over: another connection to the file
    /// (a second process, or a statement outside this gate) committed after the transaction began reading,
    /// which SQLite cannot wait out. The failed run was rolled back whole, so running it again is safe.
    static func restarting<T>(_ run: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await run()
            } catch let error as SQLiteError where mustRestart(error) && attempt < attempts {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * attempt))))
            }
        }
    }

    static let attempts = 8

    /// SQLite's answers that mean "run the transaction again": a snapshot overtaken by another writer
    /// (`SQLITE_BUSY_SNAPSHOT`), or busy/locked where its busy handler does not apply.
    static func mustRestart(_ error: SQLiteError) -> Bool {
        switch error.reason {
        case .busy, .busyInSnapshot, .busyInRecovery, .busyTimeout, .locked: return true
        default: return false
        }
    }
}

/// SQLite's group commit: the gated writes that queue up while a transaction runs become the next
/// transaction, in arrival order, each inside a savepoint of its own. A SQLite commit writes every page the
/// transaction changed to the WAL, and an order touches about 65 pages (its tables' and indexes' leaves),
/// many of them the same pages as the next order's: measured on a copy of a benchmark database, 65 WAL
/// frames per order committed alone, 39 in groups of 4 and 23 in groups of 16. The transaction's fixed
/// statements (PRAGMA, BEGIN, COMMIT) are shared by the group too.
///
/// A write that throws is rolled back to its savepoint and its caller gets the error; the others are not
/// touched. When SQLite asks for the transaction to start over, the whole group starts over, as a lone
/// transaction would (`WriteGate.restarting`). When the group fails otherwise (its commit, a savepoint, or
/// restarts run out), nothing of it was committed, and every write in it runs again alone, as its own
/// transaction, so each caller gets its own write's outcome. So, as before groups, a write's body must be
/// safe to run again. Writes run one after another, each seeing the ones before it, exactly as if they had
/// queued for a lock; no caller is answered before the transaction holding its write commits.
actor GroupCommit {
    typealias Body = @Sendable (any Database) async throws -> any Sendable

    private struct Write: Sendable {
        let database: any Database
        let body: Body
        let continuation: CheckedContinuation<any Sendable, any Error>
        let arrived: ContinuousClock.Instant
    }

    private var queue: [Write] = []
    private var running = false
    /// Writes waiting for the transaction after the running one (read by the tests).
    var waiting: Int { queue.count }
    /// The most writes one transaction takes (its callers wait for all of them).
    let largest: Int
    /// On `/metrics`: writes per transaction, each write's wait, groups that failed whole.
    private let metrics: WaybillMetrics.WriteGateSeries?

    init(largest: Int, metrics: WaybillMetrics.WriteGateSeries? = nil) {
        self.largest = max(1, largest)
        self.metrics = metrics
    }

    func run(on database: any Database, _ body: @escaping Body) async throws -> any Sendable {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Write(database: database, body: body, continuation: continuation, arrived: .now))
            if !running {
                running = true
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            let group = Array(queue.prefix(largest))
            queue.removeFirst(group.count)
            if let metrics {
                let now = ContinuousClock.now
                for write in group { metrics.wait.record(now - write.arrived) }
            }
            let outcomes = await commit(group)
            for (write, outcome) in zip(group, outcomes) { write.continuation.resume(with: outcome) }
        }
        running = false
    }

    private func commit(_ group: [Write]) async -> [Result<any Sendable, any Error>] {
        if group.count > 1 {
            do {
                let outcomes = try await Self.together(group)
                metrics?.writesPerTransaction.record(Double(group.count))
                return outcomes
            } catch {
                metrics?.failedGroups.increment()
                group[0].database.logger.info("write gate: a group of \(group.count) writes failed as a whole (\(error)); running them one by one")
            }
        }
        var outcomes: [Result<any Sendable, any Error>] = []
        for write in group {
            metrics?.writesPerTransaction.record(1.0)
            do {
                outcomes.append(.success(try await Self.transaction(on: write.database, write.body)))
            } catch {
                outcomes.append(.failure(error))
            }
        }
        return outcomes
    }

    /// One transaction for the group: each write's outcome, or an error when the group as a whole failed
    /// and nothing of it was committed.
    private static func together(_ group: [Write]) async throws -> [Result<any Sendable, any Error>] {
        try await transaction(on: group[0].database) { db in
            let sql = db as! any SQLDatabase
            var outcomes: [Result<any Sendable, any Error>] = []
            for write in group {
                try await sql.raw("SAVEPOINT gated").run()
                do {
                    outcomes.append(.success(try await write.body(db)))
                } catch let error as SQLiteError where WriteGate.mustRestart(error) {
                    throw error
                } catch {
                    try await sql.raw("ROLLBACK TO gated").run()
                    outcomes.append(.failure(error))
                }
                try await sql.raw("RELEASE gated").run()
            }
            return outcomes
        }
    }

    /// One SQLite transaction, started over when SQLite asks (`WriteGate.restarting`).
    private static func transaction<T: Sendable>(
        on database: any Database, _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        try await WriteGate.restarting { try await database.withConnection { connection in
            // Per connection, and cheap: WAL with NORMAL syncs at checkpoints, not every commit.
            try await (connection as! any SQLDatabase).raw("PRAGMA synchronous=NORMAL").run()
            return try await connection.transaction(body)
        } }
    }
}

extension WriteGate {
    /// For a body whose only write is one statement (atomic on its own): on PostgreSQL it runs without
    /// BEGIN/COMMIT, saving two round trips; on SQLite it is a gated transaction as usual.
    func singleStatement<T: Sendable>(
        on database: any Database, _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        guard group != nil else { return try await body(database) }
        return try await transaction(on: database, body)
    }
}

extension Request {
    /// Runs `body` in one write transaction: all of it lands or none of it does.
    func write<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await application.writeGate.transaction(on: db, body)
    }
}

extension Application {
    func write<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await writeGate.transaction(on: db, body)
    }
}

extension DatabaseID {
    /// SQLite's write-gate connections (the same file as `.sqlite`).
    static let sqliteWriter = DatabaseID(string: "sqlite-writer")
}

/// A database configuration whose connections do their blocking work on a thread pool of their own (one
/// thread), created with the driver and shut down after it.
struct OwnThreadDatabase: DatabaseConfiguration {
    var base: any DatabaseConfiguration

    init(base: DatabaseConfigurationFactory) { self.base = base.make() }

    var middleware: [any AnyModelMiddleware] {
        get { base.middleware }
        set { base.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        return Driver(base: base.makeDriver(for: Databases(threadPool: threadPool, on: databases.eventLoopGroup)),
                      threadPool: threadPool)
    }

    struct Driver: DatabaseDriver {
        let base: any DatabaseDriver
        let threadPool: NIOThreadPool

        func makeDatabase(with context: DatabaseContext) -> any Database { base.makeDatabase(with: context) }

        func shutdown() {
            base.shutdown()
            try? threadPool.syncShutdownGracefully()
        }

        func shutdownAsync() async {
            await base.shutdownAsync()
            try? await threadPool.shutdownGracefully()
        }
    }
}
