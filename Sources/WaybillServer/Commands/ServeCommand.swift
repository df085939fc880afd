import Vapor

/// `waybill serve [--demo] [--hostname H] [--port P]`: migrates the database, optionally loads the demo
/// shop, then serves HTTP until SIGINT/SIGTERM.
struct WaybillServeCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "demo", help: "Create the demo shop (first start) and print its console login and a fresh API key.")
        var demo: Bool
        @Option(name: "hostname", short: "H", help: "Address to listen on (default WAYBILL_HOST or 127.0.0.1).")
        var hostname: String?
        @Option(name: "port", short: "p", help: "Port to listen on (default WAYBILL_PORT or 8080).")
        var port: Int?
        init() {}
    }

    var help: String { "Starts Waybill: migrates the database and serves the API, console and pages." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.prepareDatabase()
        let host = signature.hostname ?? app.settings.hostname
        let port = signature.port ?? app.settings.port
        if signature.demo {
            // Sandbox parcels an hour of journey a minute, so a newcomer sees them move (unless set otherwise).
            if app.settings.sandboxSpeed == nil { app.settings.sandboxSpeed = 60 }
            let credentials = try await DemoSeeder(application: app).seed()
            context.console.output(credentials.banner(baseURL: "http://\(host):\(port)").consoleText())
        }
        if app.settings.jobsEnabled {
            // The app booted before this command ran: start the jobs here; the lifecycle stops them.
            let jobs = BackgroundJobs(interval: app.settings.jobInterval)
            try await jobs.didBootAsync(app)
            app.lifecycle.use(jobs)
            if app.outboxConfiguration.workers > 0 {
                let outbox = OutboxWorker()
                try await outbox.didBootAsync(app)
                app.lifecycle.use(outbox)
            }
        }
        var input = CommandInput(arguments: ["serve", "--hostname", host, "--port", String(port)])
        let serve = await app.servers.asyncCommand
        try await serve.run(using: context, signature: try ServeCommand.Signature(from: &input))
    }
}

/// `waybill migrate` runs through Fluent's own command; this one only makes the SQLite journal WAL first.
struct PrepareCommand: AsyncCommand {
    struct Signature: CommandSignature { init() {} }
    var help: String { "Creates or upgrades the database schema (WAL mode on SQLite)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.prepareDatabase()
        context.console.success("Database is up to date.")
    }
}
