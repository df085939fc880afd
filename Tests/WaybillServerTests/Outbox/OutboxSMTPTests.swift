import Foundation
import SQLKit
import Testing
import Vapor
@testable import WaybillServer

/// The outbox against a real SMTP server (`scripts/smtp-test-server`, aiosmtpd): the acceptance test of
/// issue 6. Skipped without aiosmtpd unless `WAYBILL_TEST_REQUIRE_SMTP=1`.
@Suite("The outbox over real SMTP", .enabled(if: SMTPTestServer.shouldRun, "aiosmtpd is not installed (pip install aiosmtpd)"))
struct OutboxSMTPTests {
    @Test func aThousandNotificationsCausedWhileTheMailServerIsDownArriveExactlyOnceWhenItIsBack() async throws {
        guard SMTPTestServer.aiosmtpdInstalled else {
            throw TestFailure("WAYBILL_TEST_REQUIRE_SMTP=1 but python3 cannot import aiosmtpd (pip install aiosmtpd)")
        }
        let port = try await SMTPTestServer.unusedPort()
        let server = try SMTPTestServer([])
        let url = "smtp://127.0.0.1:\(port)"
        try await withTestApp(settings: { $0.outbox.smtp = try! SMTPConfiguration(url: url) }) { t in
            // The mail server is down while 1,000 orders are placed.
            for i in 0..<1_000 {
                let r = try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(email: "buyer\(i)@example.kr"))
                try #require(r.status == .created)
            }
            try await t.drainOutbox()
            let waiting = try await t.outbox(kind: "email")
            #expect(waiting.count == 1_000)
            #expect(waiting.allSatisfy { $0.status == "pending" && $0.attempts == 1 && $0.lastError != nil })
            // It comes back; the retries go out.
            try await server.start(port: port)
            t.time.advance(by: 3_600)
            try await t.drainOutbox()
            try await t.drainOutbox()
            let files = try server.messages()
            #expect(files.count == 1_000)
            var ids: [String] = [], recipients: [String] = []
            for file in files {
                let raw = try String(contentsOf: file, encoding: .utf8)
                for line in raw.components(separatedBy: "\r\n").prefix(40) {
                    if line.lowercased().hasPrefix("message-id: ") { ids.append(String(line.dropFirst(12))) }
                    if line.lowercased().hasPrefix("to: ") { recipients.append(String(line.dropFirst(4))) }
                }
            }
            let sent = try await t.outbox(kind: "email")
            #expect(sent.allSatisfy { $0.status == "sent" && $0.transport == "smtp" })
            #expect(Set(ids).count == 1_000 && Set(ids) == Set(sent.compactMap { $0.messageID.map { "<\($0)>" } }))
            #expect(Set(recipients).count == 1_000)
            await server.stop()
        }
        await server.stop()
        try? FileManager.default.removeItem(at: server.directory)
    }

    @Test func aRefusedRecipientIsParkedAtOnceAndATemporaryRefusalIsRetried() async throws {
        guard SMTPTestServer.aiosmtpdInstalled else {
            throw TestFailure("WAYBILL_TEST_REQUIRE_SMTP=1 but python3 cannot import aiosmtpd (pip install aiosmtpd)")
        }
        let port = try await SMTPTestServer.unusedPort()
        let server = try SMTPTestServer(["--reject-rcpt", "bounce", "--tempfail-rcpt", "later"])
        try await server.start(port: port)
        let url = "smtp://127.0.0.1:\(port)"
        try await withTestApp(settings: { $0.outbox.smtp = try! SMTPConfiguration(url: url) }) { t in
            for email in ["bounce@example.kr", "later@example.kr", "fine@example.kr"] {
                #expect(try await t.send(.POST, "/api/v1/orders", json: OrderJSON.body(email: email)).status == .created)
            }
            try await t.drainOutbox()
            let rows = Dictionary(uniqueKeysWithValues: try await t.outbox(kind: "email").map { ($0.recipient ?? "", $0) })
            #expect(rows["bounce@example.kr"]?.status == "parked" && rows["bounce@example.kr"]?.lastError?.contains("550") == true)
            #expect(rows["later@example.kr"]?.status == "pending" && rows["later@example.kr"]?.lastError?.contains("451") == true)
            #expect(rows["fine@example.kr"]?.status == "sent" && rows["fine@example.kr"]?.transport == "smtp")
            // Orders are not affected by what became of their mail.
            #expect((try await t.send(.GET, "/api/v1/orders?limit=10").json()["data"] as? [[String: Any]])?.compactMap { $0["status"] as? String } == ["ready", "ready", "ready"])
            #expect(try server.messages().count == 1)
        }
        await server.stop()
        try? FileManager.default.removeItem(at: server.directory)
    }
}
