import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

/// The tracking page in a real browser: the server listens on 127.0.0.1, and headless Chromium, driven by
/// `scripts/browser/tracking_page_test.py` (Selenium + axe-core), looks orders up, follows links, cancels,
/// changes an address, switches languages at a phone and a desktop size, and checks accessibility.
/// `WAYBILL_TEST_REQUIRE_BROWSER=1` (CI) makes a missing browser a failure, never a quiet skip.
@Suite("The tracking page in headless Chromium (W5–W7)")
struct TrackingPageBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let script = root.appendingPathComponent("scripts/browser/tracking_page_test.py").path
    static var required: Bool { ProcessInfo.processInfo.environment["WAYBILL_TEST_REQUIRE_BROWSER"] == "1" }

    static func run(_ arguments: [String], timeout: TimeInterval) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        let output = NIOLockedValueBox(Data())
        let reader = Thread { output.withLockedValue { $0 = pipe.fileHandleForReading.readDataToEndOfFile() } }
        reader.start()
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.2)
        return (process.terminationStatus, String(decoding: output.withLockedValue { $0 }, as: UTF8.self))
    }

    @Test func aCustomerUsesThePageInARealBrowser() async throws {
        let environment = try Self.run(["--check-environment"], timeout: 120)
        guard environment.status == 0 else {
            if Self.required { Issue.record("WAYBILL_TEST_REQUIRE_BROWSER=1 but the browser cannot run: \(environment.output)") }
            return
        }
        try await withTestApp { t in
            let hostile = "<script>document.title='XSS'</script><img src=x onerror=\"window.__xss=1\">"
            // Stock, then four orders: one to cancel, one to move, one shipped with scans, one full of markup.
            let cancel = try await t.stockedOrder(quantity: 1, email: "mina@example.com")
            func place(_ json: String) async throws -> Int {
                let r = try await t.send(.POST, "/api/v1/orders", json: json)
                #expect(r.status == .created)
                return try #require(try r.json()["number"] as? Int)
            }
            let line = #"[{"sku":"JAR-1","quantity":1}]"#
            let move = try await place(OrderJSON.body(email: "move@example.com", lines: line, shipping: 0, total: 76_000))
            let shipped = try await place(OrderJSON.body(email: "kim.mina@example.com", name: "Kim Mina", line1: "12 Teheran-ro",
                                                         lines: line, shipping: 0, total: 76_000))
            let bad = try await place(OrderJSON.body(email: "hostile@example.com", name: hostile, lines: line, shipping: 0, total: 76_000))
            try await t.inbound("waybill", secret: "waybill-test-secret-0001")
            for (order, number, text) in [(shipped, "623012590022", "간선하차"), (bad, "623012590033", hostile)] {
                #expect(try await t.ship(order, #"{"carrier":"cj","tracking_number":"\#(number)","handed_over":true}"#).status == .created)
                let scan = try String(decoding: JSONEncoder().encode(text), as: UTF8.self)
                let body = #"{"id":"b-\#(number)","tracking_number":"\#(number)","carrier":"cj","events":[{"occurred_at":"2026-11-23 19:10:00","code":"11","text":"상품인수","location":"서울강남"},{"occurred_at":"2026-11-23 23:40:00","code":"41","text":\#(scan),"location":"곤지암Hub"}]}"#
                #expect(try await t.waybillWebhook(body).status == .ok)
            }
            let faq = try String(decoding: JSONEncoder().encode(hostile), as: UTF8.self)
            #expect(try await t.send(.PUT, "/api/v1/tracking-page/settings",
                                     json: #"{"faq":[{"question":{"ko":\#(faq),"en":\#(faq)},"answer":{"ko":"답","en":"Answer"}}]}"#).status == .ok)
            t.time.advance(by: 2 * 3_600)

            try await t.app.server.start(address: .hostname("127.0.0.1", port: 0))
            defer { Task { await t.app.server.shutdown() } }
            let port = try #require(t.app.http.server.shared.localAddress?.port)
            let artefacts = FileManager.default.temporaryDirectory
                .appendingPathComponent("waybill-browser-artefacts/\(TestDatabase.postgresURL == nil ? "sqlite" : "postgres")")
            try? FileManager.default.removeItem(at: artefacts)
            try FileManager.default.createDirectory(at: artefacts, withIntermediateDirectories: true)
            let shippedPath = try await t.trackingPath(shipped)
            let last = shippedPath.last!
            let scenario: [String: Any] = [
                "base_url": "http://127.0.0.1:\(port)", "artefacts_dir": artefacts.path, "shop_slug": "test",
                "lookup": ["order_number": "\(cancel)", "email": "mina@example.com", "postal_code": "06236", "wrong_email": "nobody@example.com"],
                "orders": [
                    "cancel": ["path": try await t.trackingPath(cancel), "number": "#\(cancel)"],
                    "address": ["path": try await t.trackingPath(move), "number": "#\(move)"],
                    "shipped": ["path": shippedPath, "number": "#\(shipped)", "tracking_number": "623012590022", "customer_name": "Kim Mina",
                                "address_line1": "12 Teheran-ro"],
                    "hostile": ["path": try await t.trackingPath(bad), "number": "#\(bad)", "hostile_text": hostile],
                ],
                "tampered_path": String(shippedPath.dropLast()) + (last == "A" ? "B" : "A"),
            ]
            let file = artefacts.appendingPathComponent("scenario.json")
            try JSONSerialization.data(withJSONObject: scenario, options: [.prettyPrinted]).write(to: file)
            let result = try Self.run([file.path], timeout: 600)
            await t.app.server.shutdown()
            #expect(result.status == 0, "browser checks failed (screenshots in \(artefacts.path)):\n\(result.output.suffix(6_000))")
            // What the customers did is on record.
            #expect(try await t.factCount("tracking_page_viewed") > 0)
            #expect(try await t.orderStatus(cancel) == "cancelled")
        }
    }
}
