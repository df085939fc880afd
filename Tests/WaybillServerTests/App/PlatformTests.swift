import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

@Suite("Platform: settings, health, metrics, OpenAPI")
struct PlatformTests {
    @Test func theSuiteRunsOnTheDatabaseItWasAskedFor() async throws {
        try await withTestApp { t in
            let health = try await t.send(.GET, "/health", headers: [:])
            let database = try health.json()["database"] as? String
            if TestDatabase.postgresRequired || TestDatabase.postgresURL != nil {
                #expect(database == "postgresql")
            } else {
                #expect(database == "sqlite")
            }
        }
    }

    @Test(arguments: [
        (["WAYBILL_PORT": "eighty"], "WAYBILL_PORT"), (["WAYBILL_PORT": "70000"], "WAYBILL_PORT"),
        (["DATABASE_URL": "mysql://x"], "DATABASE_URL"), (["LOG_LEVEL": "loud"], "LOG_LEVEL"),
        (["WAYBILL_DB_POOL_SIZE": "0"], "WAYBILL_DB_POOL_SIZE"), (["WAYBILL_LOG_FORMAT": "xml"], "WAYBILL_LOG_FORMAT"), (["WAYBILL_SECURE_COOKIES": "perhaps"], "WAYBILL_SECURE_COOKIES"),
        (["WAYBILL_JOBS": "sometimes"], "WAYBILL_JOBS"), (["WAYBILL_JOB_INTERVAL": "0"], "WAYBILL_JOB_INTERVAL"),
        (["WAYBILL_INBOX_PROCESSING": "later"], "WAYBILL_INBOX_PROCESSING"), (["WAYBILL_SANDBOX_SPEED": "0.5"], "WAYBILL_SANDBOX_SPEED"),
        (["SMTP_URL": "http://mail.example.com"], "SMTP_URL"), (["SMTP_URL": "smtp://u:p@mail.example.com:25?starttls=off"], "SMTP_URL"),
        (["WAYBILL_MAIL_FROM": "Shop <not an address>"], "WAYBILL_MAIL_FROM"), (["SMS_API_URL": "https://sms.example.com/send"], "SMS_API_URL"),
        (["WAYBILL_PUBLIC_URL": "track.example.com"], "WAYBILL_PUBLIC_URL"), (["WAYBILL_OUTBOX_WORKERS": "-1"], "WAYBILL_OUTBOX_WORKERS"),
        (["WAYBILL_WEBHOOK_ALLOW_PRIVATE": "maybe"], "WAYBILL_WEBHOOK_ALLOW_PRIVATE"), (["WAYBILL_CLIENT_IP_HEADER": "X Forwarded: For"], "WAYBILL_CLIENT_IP_HEADER"),
        (["WAYBILL_IDEMPOTENCY_DAYS": "-1"], "WAYBILL_IDEMPOTENCY_DAYS"), (["WAYBILL_IDEMPOTENCY_DAYS": "a week"], "WAYBILL_IDEMPOTENCY_DAYS"),
        (["WAYBILL_QUOTE_STOCK_SECONDS": "-1"], "WAYBILL_QUOTE_STOCK_SECONDS"), (["WAYBILL_QUOTE_STOCK_SECONDS": "a while"], "WAYBILL_QUOTE_STOCK_SECONDS"),
        (["SWEETTRACKER_API_KEY": "k", "SWEETTRACKER_URL": "ftp://info.sweettracker.co.kr"], "SWEETTRACKER_URL"),
        (["SWEETTRACKER_API_KEY": "k", "SWEETTRACKER_REQUESTS_PER_MINUTE": "0"], "SWEETTRACKER_REQUESTS_PER_MINUTE"),
    ])
    func aBadSettingNamesItsVariable(environment: [String: String], variable: String) {
        #expect {
            try Settings.fromEnvironment(environment)
        } throws: { error in
            (error as? Settings.Invalid)?.variable == variable && "\(error)".contains(variable)
        }
    }

    @Test func settingsHaveSafeDefaultsAndReadDatabaseURL() throws {
        let defaults = try Settings.fromEnvironment([:])
        #expect(defaults.database == .sqlite(path: "waybill.sqlite"))
        #expect(defaults.hostname == "127.0.0.1")
        #expect(defaults.port == 8080)
        #expect(defaults.jobsEnabled && defaults.jobInterval == 30 && defaults.inboxProcessing == .background && defaults.sandboxSpeed == nil)
        let jobs = try Settings.fromEnvironment(["WAYBILL_JOBS": "off", "WAYBILL_JOB_INTERVAL": "5", "WAYBILL_INBOX_PROCESSING": "inline",
                                                 "WAYBILL_SANDBOX_SPEED": "60"])
        #expect(!jobs.jobsEnabled && jobs.jobInterval == 5 && jobs.inboxProcessing == .inline && jobs.sandboxSpeed == 60)
        let pg = try Settings.fromEnvironment(["DATABASE_URL": "postgres://u@db:5432/waybill", "WAYBILL_PORT": "9000"])
        #expect(pg.database == .postgres(url: "postgres://u@db:5432/waybill"))
        #expect(pg.port == 9000)
        let outbox = try Settings.fromEnvironment([
            "SMTP_URL": "smtp://waybill:s%40crt@mail.example.com:587", "WAYBILL_MAIL_FROM": "한강 리빙 <hello@hangang.example>",
            "SMS_API_URL": "https://sms.example.com/send", "SMS_ACCOUNT": "AC1", "SMS_TOKEN": "t", "SMS_FROM": "+8215881234",
            "WAYBILL_PUBLIC_URL": "https://track.example.com/", "WAYBILL_OUTBOX_WORKERS": "0",
        ]).outbox
        #expect(try Settings.fromEnvironment(["WAYBILL_CLIENT_IP_HEADER": "X-Forwarded-For"]).clientIPHeader == "X-Forwarded-For")
        #expect(defaults.quoteStockSeconds == 2 && defaults.sweetTracker == nil)
        #expect(try Settings.fromEnvironment(["WAYBILL_QUOTE_STOCK_SECONDS": "0"]).quoteStockSeconds == 0)
        #expect(defaults.idempotencyDays == 7)
        #expect(try Settings.fromEnvironment(["WAYBILL_IDEMPOTENCY_DAYS": "0"]).idempotencyDays == 0)
        #expect(try Settings.fromEnvironment(["WAYBILL_IDEMPOTENCY_DAYS": "30"]).idempotencyDays == 30)
        let sweet = try Settings.fromEnvironment(["SWEETTRACKER_API_KEY": "k1", "SWEETTRACKER_URL": "http://127.0.0.1:9000/",
                                                  "SWEETTRACKER_REQUESTS_PER_MINUTE": "300"]).sweetTracker
        #expect(sweet?.key == "k1" && sweet?.url == "http://127.0.0.1:9000" && sweet?.requestsPerMinute == 300)
        #expect(try Settings.fromEnvironment(["SWEETTRACKER_API_KEY": "k1"]).sweetTracker?.url == "https://info.sweettracker.co.kr")
        #expect(outbox.smtp?.host == "mail.example.com" && outbox.smtp?.port == 587 && outbox.smtp?.password == "s@crt")
        #expect(outbox.mailFrom.address == "hello@hangang.example" && outbox.mailFrom.name == "한강 리빙")
        #expect(outbox.sms == SMSConfiguration(url: "https://sms.example.com/send", account: "AC1", token: "t", from: "+8215881234"))
        #expect(outbox.publicURL == "https://track.example.com" && outbox.workers == 0 && !outbox.allowPrivateWebhooks)
    }

    @Test func metricsCountRequestsByRoute() async throws {
        try await withTestApp { t in
            _ = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body())
            let metrics = try await t.send(.GET, "/metrics", headers: [:])
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains(#"http_requests_total{method="POST",route="/api/v1/orders",status="201"} 1"#))
            #expect(metrics.text.contains("waybill_orders_created_total 1"))
            #expect(metrics.headers.first(name: "X-Request-Id") != nil)
        }
    }

    @Test func errorsCarryTheRequestID() async throws {
        try await withTestApp { t in
            let r = try await t.send(.GET, "/api/v1/orders", headers: [:])
            let error = try r.json()["error"] as? [String: Any]
            #expect(error?["request_id"] as? String == r.headers.first(name: "X-Request-Id"))
        }
    }

    /// Every API route is documented and every documented operation exists.
    @Test func theOpenAPIDocumentMatchesTheRoutes() async throws {
        try await withTestApp { t in
            let response = try await t.send(.GET, "/openapi.json", headers: [:])
            let doc = try response.json()
            #expect(doc["openapi"] as? String == "3.1.0")
            let paths = doc["paths"] as? [String: [String: Any]] ?? [:]
            let methods: Set<String> = ["get", "post", "put", "patch", "delete"]
            let documented = Set(paths.flatMap { path, ops in ops.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" } })
            let served = Set(t.app.routes.all.compactMap { route -> String? in
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                guard path.hasPrefix("/api/") || path.hasPrefix("/webhooks/") || ["/health", "/metrics", "/openapi.json"].contains(path) else { return nil }
                return "\(route.method.rawValue) \(path)"
            })
            #expect(served.subtracting(documented).isEmpty, "undocumented: \(served.subtracting(documented).sorted())")
            #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        }
    }
}

@Suite("Shop settings API")
struct ShopSettingsTests {
    @Test func aShopSetsItsHoldPolicyAndIntakeFollowsIt() async throws {
        try await withTestApp { t in
            let shown = try await t.send(.GET, "/api/v1/shop")
            #expect(try shown.json()["slug"] as? String == "test")
            let bad = try await t.send(.PATCH, "/api/v1/shop", json: #"{"timezone":"Mars/Base","hold_policy":{"ships_to":["KR","XX"],"high_value_multiple":0.5}}"#)
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(try bad.errorFields()) == ["timezone", "hold_policy.ships_to[1]", "hold_policy.high_value_multiple"])
            let ok = try await t.send(.PATCH, "/api/v1/shop", json: #"{"hold_policy":{"ships_to":["JP","KR"]}}"#)
            #expect(ok.status == .ok)
            let policy = try ok.json()["hold_policy"] as? [String: Any]
            #expect(policy?["ships_to"] as? [String] == ["JP", "KR"])
            #expect(policy?["duplicate_window_minutes"] as? Int == 30)
            let order = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(
                country: "US", postal: "94105", city: "San Francisco", region: "CA", phone: "+14155550132"))
            #expect(try order.json()["status"] as? String == "on_hold")
        }
    }
}
