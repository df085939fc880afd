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
}
