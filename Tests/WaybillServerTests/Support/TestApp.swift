import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer
@testable import WaybillCore

/// The database tests run on: SQLite by default, PostgreSQL when `WAYBILL_TEST_DATABASE_URL` names one.
/// `WAYBILL_TEST_REQUIRE_POSTGRES=1` makes a missing PostgreSQL URL a failure, never a quiet SQLite run.
enum TestDatabase {
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["WAYBILL_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }
    static var postgresRequired: Bool { ProcessInfo.processInfo.environment["WAYBILL_TEST_REQUIRE_POSTGRES"] == "1" }
}

/// One test's application: its own clean database, a fixed clock, deterministic ids, a shop with a key and
/// a small catalog.
struct TestApp: Sendable {
    let app: Application
    let shop: Shop
    let apiKey: String
    let time: ManualTime

    static let start = ISO8601DateFormatter().date(from: "2026-11-23T09:00:00Z")!

    var auth: HTTPHeaders { ["Authorization": "Bearer \(apiKey)", "Content-Type": "application/json"] }

    /// Sends a request through the whole middleware stack.
    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, json: String? = nil, headers: HTTPHeaders? = nil) async throws -> TestingHTTPResponse {
        var buffer: ByteBuffer? = nil
        if let json { buffer = ByteBuffer(string: json) }
        return try await app.testing().sendRequest(method, path, headers: headers ?? auth, body: buffer)
    }

    func send(_ method: HTTPMethod, _ path: String, body: ByteBuffer, headers: HTTPHeaders? = nil) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(method, path, headers: headers ?? auth, body: body)
    }

    func count<M: Model>(_ model: M.Type) async throws -> Int { try await M.query(on: app.db).count() }
}

/// Runs `body` against a fresh application and database, then tears both down.
func withTestApp(
    policy: HoldPolicy = HoldPolicy(),
    settings change: (inout Settings) -> Void = { _ in },
    _ body: @Sendable (TestApp) async throws -> Void
) async throws {
    if TestDatabase.postgresRequired && TestDatabase.postgresURL == nil {
        Issue.record("WAYBILL_TEST_REQUIRE_POSTGRES=1 but WAYBILL_TEST_DATABASE_URL is not set")
        return
    }
    let app = try await Application.make(.testing)
    var settings = Settings(logLevel: .warning)
    // Answers say what became of each webhook; one test covers background processing explicitly.
    settings.inboxProcessing = .inline
    // Tests change stock and quote at once; the quote cache has its own test.
    settings.quoteStockSeconds = 0
    // Webhook receivers in tests listen on 127.0.0.1.
    settings.outbox.allowPrivateWebhooks = true
    change(&settings)
    var cleanup: @Sendable () async throws -> Void = {}
    let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    if let url = TestDatabase.postgresURL {
        settings.database = .postgres(url: url)
        settings.postgresSearchPath = [schema]
        settings.databasePoolSize = 2
        // The suite runs heavy tests side by side (64 racing buyers next to 1,000 orders through SMTP): a request
        // may wait on the pool longer than a server's 10 s without anything being wrong.
        settings.databasePoolTimeout = 120
    } else {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("waybill-\(schema).sqlite").path
        settings.database = .sqlite(path: path)
        cleanup = {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }
    let (clock, time) = WaybillClock.manual(TestApp.start)
    do {
        try await configure(app, settings: settings, dependencies: AppDependencies(clock: clock, ids: .random))
        app.passwords.use(.bcrypt(cost: 4))
        if TestDatabase.postgresURL != nil {
            try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA \(ident: schema)").run()
            cleanup = { try await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
        }
        try await app.prepareDatabase()
        let (shop, key) = try await app.write { db in
            let accounts = AccountService(db: db, application: app)
            let shop = try await accounts.createShop(slug: "test", name: "테스트 상점", currency: "KRW", timezone: "Asia/Seoul", locale: "ko")
            shop.holdPolicy = policy
            try await shop.save(on: db)
            let catalog = CatalogService(db: db, now: TestApp.start, newID: app.dependencies.ids.next)
            for product in TestCatalog.products { try await catalog.upsert(product, shop: shop) }
            return (shop, try await accounts.createKey(shop: shop, name: "test", scopes: APIKey.Scope.allCases).1)
        }
        try await body(TestApp(app: app, shop: shop, apiKey: key, time: time))
    } catch {
        try? await cleanup()
        try? await app.asyncShutdown()
        throw error
    }
    try await cleanup()
    try await app.asyncShutdown()
}

enum TestCatalog {
    static let products = [
        ProductDraft(handle: "celadon-mug", names: ["ko": "청자 머그", "en": "Celadon mug"],
                     variants: [VariantDraft(sku: "MUG-1", price: 12_000, weightGrams: 400, trackInventory: false)]),
        ProductDraft(handle: "bamboo-tray", names: ["ko": "대나무 쟁반", "en": "Bamboo tray"],
                     variants: [VariantDraft(sku: "TRAY-1", price: 24_000, trackInventory: false),
                                VariantDraft(sku: "TRAY-2", titles: ["en": "Large"], price: 34_000, trackInventory: false)]),
        ProductDraft(handle: "retired", names: ["en": "Retired thing"], active: false,
                     variants: [VariantDraft(sku: "OLD-1", price: 1_000, trackInventory: false)]),
        // Tracked: orders reserve its stock.
        ProductDraft(handle: "onggi-jar", names: ["ko": "옹기 항아리", "en": "Onggi jar"],
                     variants: [VariantDraft(sku: "JAR-1", price: 76_000), VariantDraft(sku: "JAR-2", price: 96_000)]),
    ]
}

/// Order bodies for tests: a valid Korean order by default, every part overridable.
enum OrderJSON {
    static func body(
        email: String = "minjun.kim@example.kr", name: String = "김민준", line1: String = "테헤란로 152",
        country: String = "KR", postal: String = "06236", city: String = "서울특별시 강남구", region: String? = nil,
        lines: String = #"[{"sku":"MUG-1","quantity":2},{"sku":"TRAY-1","quantity":1}]"#,
        shipping: Int64 = 3_000, total: Int64 = 51_000, externalID: String? = nil, billingCountry: String? = nil,
        phone: String = "010-2345-6789"
    ) -> String {
        let external = externalID.map { #""external_id":"\#($0)","source":"shopify","# } ?? ""
        let regionField = region.map { #","region":"\#($0)""# } ?? ""
        let billing = billingCountry.map {
            #","billing_address":{"name":"Bill","line1":"1 Main St","city":"Austin","region":"TX","postal_code":"78701","country":"\#($0)"}"#
        } ?? ""
        return """
        {\(external)"currency":"KRW","locale":"ko",
         "customer":{"name":\(quoted(name)),"email":\(quoted(email)),"phone":"\(phone)"},
         "shipping_address":{"name":\(quoted(name)),"line1":\(quoted(line1)),"city":\(quoted(city)),"postal_code":"\(postal)","country":"\(country)"\(regionField)}\(billing),
         "line_items":\(lines),"shipping_total":\(shipping),"total":\(total)}
        """
    }

    static func quoted(_ s: String) -> String {
        String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
    }
}

extension TestingHTTPResponse {
    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
    }

    var text: String { body.getString(at: body.readerIndex, length: body.readableBytes) ?? "" }

    /// The `error.fields[].field` values of an error response.
    func errorFields() throws -> [String] {
        let error = try json()["error"] as? [String: Any]
        return (error?["fields"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }

    func errorCode() throws -> String? {
        (try json()["error"] as? [String: Any])?["code"] as? String
    }
}
