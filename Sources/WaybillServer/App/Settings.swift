import Vapor

/// Everything Waybill reads from the environment, read once and typed.
/// A malformed value stops start-up with a message that names the variable.
public struct Settings: Sendable {
    public enum DatabaseChoice: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    public var database: DatabaseChoice
    public var hostname: String
    public var port: Int
    public var logLevel: Logger.Level
    /// Largest accepted request body for the JSON API.
    public var maxBodyBytes: Int
    /// PostgreSQL connections per event loop.
    public var databasePoolSize: Int
    /// Put the console session cookie behind `Secure` (set when served over HTTPS).
    public var secureCookies: Bool
    /// `text` (human-readable) or `json` (one object per line).
    public var logFormat: LogFormat = .text
    public enum LogFormat: String, Sendable { case text, json }
    /// How long a request waits for a free PostgreSQL connection before failing. The test suite, which runs
    /// many heavy tests at once on two cores, waits longer than a server should.
    var databasePoolTimeout: TimeInterval = 10
    /// PostgreSQL schemas to search; tests give each test its own schema.
    public var postgresSearchPath: [String]? = nil
    /// Run the scheduled jobs (nightly replenishment plans, stock alerts) inside `waybill serve`.
    public var jobsEnabled = true
    /// Seconds between passes of the background jobs (stock alerts, inbox retries, tracking polls, silence).
    public var jobInterval: TimeInterval = 30
    /// Days a stored answer to an `Idempotency-Key` is kept (`WAYBILL_IDEMPOTENCY_DAYS`; 0: for ever). Within
    /// them a retry gets the first answer; the background jobs forget older ones.
    public var idempotencyDays = 7
    /// `background`: a webhook is answered once stored and processed right after, off the request path;
    /// `inline`: processed before the answer, which then says what became of it (slower under load).
    public var inboxProcessing: InboxProcessing = .background
    public enum InboxProcessing: String, Sendable { case background, inline }
    /// How long a delivery quote may use stock it read before, per instance (`WAYBILL_QUOTE_STOCK_SECONDS`;
    /// 0: every quote reads the stock). Quotes only: an order always reserves against the stock as it is.
    public var quoteStockSeconds: Double = 2
    /// 스마트택배 (sweettracker): when its key is set, the poller asks it about CJ대한통운, 우체국택배, 한진, 로젠 and
    /// 롯데 parcels (`SWEETTRACKER_API_KEY`, `SWEETTRACKER_URL`, `SWEETTRACKER_REQUESTS_PER_MINUTE`).
    var sweetTracker: SweetTrackerSettings? = nil
    struct SweetTrackerSettings: Sendable {
        var key: String
        var url: String = SweetTrackerTracker.defaultURL
        /// For the key, shared by the five carriers.
        var requestsPerMinute: Int = 60
    }
    /// How much faster than life the sandbox carrier moves parcels (the demo uses 60: an hour a minute).
    /// Nil: 1, or 60 under `serve --demo`.
    public var sandboxSpeed: Double? = nil
    /// How e-mail, SMS and webhooks leave (`SMTP_URL`, `SMS_*`, `WAYBILL_PUBLIC_URL`, `WAYBILL_MAIL_FROM`,
    /// `WAYBILL_WEBHOOK_ALLOW_PRIVATE`, `WAYBILL_OUTBOX_WORKERS`).
    var outbox = OutboxConfiguration()
    /// Whether `WAYBILL_PUBLIC_URL` was given (otherwise links use this instance's host and port).
    var publicURLGiven = false
    /// `WAYBILL_CLIENT_IP_HEADER`: behind a reverse proxy, the header it puts the client's address in
    /// (`X-Forwarded-For`: its last entry, the one the proxy added; `X-Real-IP`). Nil: the connection's address.
    /// The tracking page's lookup limits count per client address.
    var clientIPHeader: String? = nil

    public init(
        database: DatabaseChoice = .sqlite(path: "waybill.sqlite"), hostname: String = "127.0.0.1", port: Int = 8080,
        logLevel: Logger.Level = .info, maxBodyBytes: Int = 1 << 20, databasePoolSize: Int = 4, secureCookies: Bool = false
    ) {
        self.database = database
        self.hostname = hostname
        self.port = port
        self.logLevel = logLevel
        self.maxBodyBytes = maxBodyBytes
        self.databasePoolSize = databasePoolSize
        self.secureCookies = secureCookies
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let variable: String
        public let problem: String
        public var description: String { "Configuration error: \(variable) \(problem)" }
    }

    /// Reads the settings from `environment` (normally the process environment).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        var settings = Settings()
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                guard URL(string: url)?.host != nil else {
                    throw Invalid(variable: "DATABASE_URL", problem: "is not a valid postgres:// URL")
                }
                settings.database = .postgres(url: url)
            } else if url.hasPrefix("sqlite://") {
                settings.database = .sqlite(path: String(url.dropFirst("sqlite://".count)))
            } else {
                throw Invalid(variable: "DATABASE_URL", problem: "must start with postgres:// or sqlite:// (got '\(url.prefix(20))…')")
            }
        } else if let path = environment["WAYBILL_SQLITE_PATH"], !path.isEmpty {
            settings.database = .sqlite(path: path)
        }
        if let host = environment["WAYBILL_HOST"], !host.isEmpty { settings.hostname = host }
        if let raw = environment["WAYBILL_PORT"], !raw.isEmpty {
            guard let port = Int(raw), (1...65535).contains(port) else {
                throw Invalid(variable: "WAYBILL_PORT", problem: "must be a port number 1–65535 (got '\(raw)')")
            }
            settings.port = port
        }
        if let raw = environment["LOG_LEVEL"], !raw.isEmpty {
            guard let level = Logger.Level(rawValue: raw.lowercased()) else {
                throw Invalid(variable: "LOG_LEVEL", problem: "must be one of trace, debug, info, notice, warning, error, critical")
            }
            settings.logLevel = level
        }
        if let raw = environment["WAYBILL_LOG_FORMAT"], !raw.isEmpty {
            guard let format = LogFormat(rawValue: raw.lowercased()) else {
                throw Invalid(variable: "WAYBILL_LOG_FORMAT", problem: "must be text or json")
            }
            settings.logFormat = format
        }
        if let raw = environment["WAYBILL_MAX_BODY_BYTES"], !raw.isEmpty {
            guard let bytes = Int(raw), bytes >= 1024 else {
                throw Invalid(variable: "WAYBILL_MAX_BODY_BYTES", problem: "must be an integer ≥ 1024")
            }
            settings.maxBodyBytes = bytes
        }
        if let raw = environment["WAYBILL_DB_POOL_SIZE"], !raw.isEmpty {
            guard let size = Int(raw), (1...64).contains(size) else {
                throw Invalid(variable: "WAYBILL_DB_POOL_SIZE", problem: "must be an integer 1–64")
            }
            settings.databasePoolSize = size
        }
        if let raw = environment["WAYBILL_SECURE_COOKIES"], !raw.isEmpty {
            guard let flag = Bool(raw.lowercased()) ?? ["1": true, "0": false][raw] else {
                throw Invalid(variable: "WAYBILL_SECURE_COOKIES", problem: "must be true or false")
            }
            settings.secureCookies = flag
        }
        if let raw = environment["WAYBILL_JOBS"], !raw.isEmpty {
            guard let flag = ["on": true, "off": false, "true": true, "false": false][raw.lowercased()] else {
                throw Invalid(variable: "WAYBILL_JOBS", problem: "must be on or off")
            }
            settings.jobsEnabled = flag
        }
        if let raw = environment["WAYBILL_JOB_INTERVAL"], !raw.isEmpty {
            guard let seconds = TimeInterval(raw), seconds >= 1, seconds <= 86_400 else {
                throw Invalid(variable: "WAYBILL_JOB_INTERVAL", problem: "must be a number of seconds 1–86400")
            }
            settings.jobInterval = seconds
        }
        if let raw = environment["WAYBILL_IDEMPOTENCY_DAYS"], !raw.isEmpty {
            guard let days = Int(raw), (0...3_650).contains(days) else {
                throw Invalid(variable: "WAYBILL_IDEMPOTENCY_DAYS", problem: "must be a whole number of days 0–3650 (0: keep for ever)")
            }
            settings.idempotencyDays = days
        }
        if let raw = environment["WAYBILL_INBOX_PROCESSING"], !raw.isEmpty {
            guard let mode = InboxProcessing(rawValue: raw.lowercased()) else {
                throw Invalid(variable: "WAYBILL_INBOX_PROCESSING", problem: "must be background or inline")
            }
            settings.inboxProcessing = mode
        }
        if let raw = environment["WAYBILL_QUOTE_STOCK_SECONDS"], !raw.isEmpty {
            guard let seconds = Double(raw), seconds >= 0, seconds <= 60 else {
                throw Invalid(variable: "WAYBILL_QUOTE_STOCK_SECONDS", problem: "must be a number of seconds 0–60")
            }
            settings.quoteStockSeconds = seconds
        }
        if let key = environment["SWEETTRACKER_API_KEY"], !key.isEmpty {
            var sweet = SweetTrackerSettings(key: key)
            if let raw = environment["SWEETTRACKER_URL"], !raw.isEmpty {
                guard let url = URL(string: raw), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                    throw Invalid(variable: "SWEETTRACKER_URL", problem: "must be an http(s) URL such as https://info.sweettracker.co.kr")
                }
                sweet.url = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
            }
            if let raw = environment["SWEETTRACKER_REQUESTS_PER_MINUTE"], !raw.isEmpty {
                guard let rate = Int(raw), (1...6_000).contains(rate) else {
                    throw Invalid(variable: "SWEETTRACKER_REQUESTS_PER_MINUTE", problem: "must be a whole number 1–6000")
                }
                sweet.requestsPerMinute = rate
            }
            settings.sweetTracker = sweet
        }
        if let raw = environment["WAYBILL_SANDBOX_SPEED"], !raw.isEmpty {
            guard let speed = Double(raw), speed >= 1, speed <= 10_000 else {
                throw Invalid(variable: "WAYBILL_SANDBOX_SPEED", problem: "must be a number 1–10000")
            }
            settings.sandboxSpeed = speed
        }
        try readOutbox(environment, into: &settings)
        return settings
    }

    private static func readOutbox(_ environment: [String: String], into settings: inout Settings) throws {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let url = value("SMTP_URL") {
            do { settings.outbox.smtp = try SMTPConfiguration(url: url) } catch {
                throw Invalid(variable: "SMTP_URL", problem: "is not usable: \(error)")
            }
        }
        if let from = value("WAYBILL_MAIL_FROM") {
            let parsed = Self.mailbox(from)
            guard let address = try? MailAddress(parsed.address, name: parsed.name) else {
                throw Invalid(variable: "WAYBILL_MAIL_FROM", problem: "must be an address like 'Shop <no-reply@example.com>'")
            }
            settings.outbox.mailFrom = address
        }
        if let url = value("SMS_API_URL") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw Invalid(variable: "SMS_API_URL", problem: "must be an http(s) URL")
            }
            guard let account = value("SMS_ACCOUNT"), let token = value("SMS_TOKEN"), let from = value("SMS_FROM") else {
                throw Invalid(variable: "SMS_API_URL", problem: "needs SMS_ACCOUNT, SMS_TOKEN and SMS_FROM as well")
            }
            settings.outbox.sms = SMSConfiguration(url: url, account: account, token: token, from: from)
        }
        if let url = value("WAYBILL_PUBLIC_URL") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw Invalid(variable: "WAYBILL_PUBLIC_URL", problem: "must be an http(s) URL such as https://track.example.com")
            }
            settings.outbox.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            settings.publicURLGiven = true
        }
        if let raw = value("WAYBILL_WEBHOOK_ALLOW_PRIVATE") {
            guard let flag = ["true": true, "false": false, "1": true, "0": false][raw.lowercased()] else {
                throw Invalid(variable: "WAYBILL_WEBHOOK_ALLOW_PRIVATE", problem: "must be true or false")
            }
            settings.outbox.allowPrivateWebhooks = flag
        }
        if let raw = value("WAYBILL_CLIENT_IP_HEADER") {
            guard raw.count <= 64, raw.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                throw Invalid(variable: "WAYBILL_CLIENT_IP_HEADER", problem: "must be a header name such as X-Forwarded-For")
            }
            settings.clientIPHeader = raw
        }
        if let raw = value("WAYBILL_OUTBOX_WORKERS") {
            guard let workers = Int(raw), (0...256).contains(workers) else {
                throw Invalid(variable: "WAYBILL_OUTBOX_WORKERS", problem: "must be an integer 0–256")
            }
            settings.outbox.workers = workers
        }
    }

    /// `Name <address>` or a bare address.
    static func mailbox(_ text: String) -> (name: String?, address: String) {
        guard let open = text.lastIndex(of: "<"), text.hasSuffix(">") else { return (nil, text.trimmingCharacters(in: .whitespaces)) }
        let name = text[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        return (name.isEmpty ? nil : name, String(text[text.index(after: open)..<text.index(before: text.endIndex)]))
    }
}
