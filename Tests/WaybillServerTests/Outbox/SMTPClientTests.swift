import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import WaybillServer

/// The SMTP client against `scripts/smtp-test-server` (aiosmtpd). Skipped when aiosmtpd is missing, unless
/// `WAYBILL_TEST_REQUIRE_SMTP=1`, which turns a missing aiosmtpd into failures.
@Suite(.enabled(if: SMTPTestServer.shouldRun, "aiosmtpd is not installed (pip install aiosmtpd)"))
struct SMTPClientTests {
    static let koreanSubject = "[상점] 주문이 확인되었습니다 — 배송 예정 11월 28일"

    @Test func aMessageRoundTripsWithItsKoreanSubjectBothPartsAndMessageID() async throws {
        try await SMTPTestServer.with { server in
            let client = try server.client()
            let message = try SMTPFixture.message(
                subject: Self.koreanSubject, text: "주문 #1042 확인\n감사합니다.", html: "<p>주문 <b>#1042</b> 확인</p>",
                fromName: "Waybill 상점", toName: "김민지")
            let reply = try await client.send(message)
            await client.shutdown()
            #expect(reply.hasPrefix("250 2.0.0 Ok: queued as"))

            let files = try server.messages()
            try #require(files.count == 1)
            let raw = try String(contentsOf: files[0], encoding: .utf8)
            let mail = try await ParsedMail(files[0])
            #expect(mail.subject == Self.koreanSubject)
            #expect(mail.from == "Waybill 상점 <shop@waybill.example>")
            #expect(mail.to == "김민지 <minji@example.com>")
            #expect(mail.messageID == "<\(message.messageID)>")
            #expect(mail.contentType == "multipart/alternative")
            #expect(mail.text?.trimmingTrailingNewlines == "주문 #1042 확인\n감사합니다.")
            #expect(mail.html?.trimmingTrailingNewlines == "<p>주문 <b>#1042</b> 확인</p>")
            #expect(mail.defects.isEmpty)
            #expect(mail.headers.contains("List-Unsubscribe"))
            for line in raw.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
            #expect(raw.unicodeScalars.allSatisfy { $0.isASCII })
        }
    }

    @Test func startTLSWithAuthenticationAndASelfSignedCertificate() async throws {
        let certificate = try await SelfSignedCertificate()
        defer { certificate.remove() }
        try await SMTPTestServer.with(certificate.serverArguments + ["--auth", "waybill:s3cret/pa$$"]) { server in
            // By name (SNI and a DNS name check) and by address (an IP check); the password is percent-encoded.
            for host in ["localhost", "127.0.0.1"] {
                let client = try server.client("smtp://waybill:s3cret%2Fpa%24%24@\(host):\(server.port)?starttls=required&ca=\(certificate.certPath)")
                let reply = try await client.send(try SMTPFixture.message(subject: "over TLS via \(host)"))
                await client.shutdown()
                #expect(reply.hasPrefix("250"))
            }
            #expect(try server.messages().count == 2)
        }
    }

    @Test func implicitTLSWithAuthentication() async throws {
        let certificate = try await SelfSignedCertificate()
        defer { certificate.remove() }
        try await SMTPTestServer.with(certificate.serverArguments + ["--implicit-tls", "--auth", "waybill:pw"]) { server in
            let client = try server.client("smtps://waybill:pw@localhost:\(server.port)?ca=\(certificate.certPath)")
            let reply = try await client.send(try SMTPFixture.message())
            await client.shutdown()
            #expect(reply.hasPrefix("250"))
            #expect(try server.messages().count == 1)
        }
    }

    @Test func aWrongPasswordIsPermanent() async throws {
        let certificate = try await SelfSignedCertificate()
        defer { certificate.remove() }
        try await SMTPTestServer.with(certificate.serverArguments + ["--auth", "waybill:right"]) { server in
            let client = try server.client("smtp://waybill:wrong@127.0.0.1:\(server.port)?ca=\(certificate.certPath)")
            let error = await #expect(throws: SMTPError.self) { try await client.send(try SMTPFixture.message()) }
            await client.shutdown()
            #expect(error?.isPermanent == true)
            if case .permanent(let code, _, _) = error { #expect(code == 535) }
        }
    }

    @Test func anUntrustedCertificateIsATransientTLSFailure() async throws {
        let certificate = try await SelfSignedCertificate()
        defer { certificate.remove() }
        try await SMTPTestServer.with(certificate.serverArguments) { server in
            let client = try server.client("smtp://127.0.0.1:\(server.port)?starttls=required")
            let error = await #expect(throws: SMTPError.self) { try await client.send(try SMTPFixture.message()) }
            await client.shutdown()
            #expect(error?.isPermanent == false)
            #expect(error?.description.contains("TLS") == true, "\(String(describing: error))")

            let unverified = try server.client("smtp://127.0.0.1:\(server.port)?starttls=required&verify=false")
            #expect(try await unverified.send(try SMTPFixture.message()).hasPrefix("250"))
            await unverified.shutdown()
        }
    }

    @Test func aRejectedRecipientFailsTheWholeMessagePermanentlyAndTheSessionIsReused() async throws {
        try await SMTPTestServer.with(["--reject-rcpt", "nobody"]) { server in
            let client = try server.client()
            var message = try SMTPFixture.message()
            message.to.append(try MailAddress("nobody@example.com"))
            let error = await #expect(throws: SMTPError.self) { try await client.send(message) }
            guard case .permanent(let code, let enhanced, let text) = error else {
                Issue.record("expected a permanent error, got \(String(describing: error))")
                return
            }
            #expect(code == 550)
            #expect(enhanced == "5.1.1")
            #expect(text.contains("nobody@example.com"))
            #expect(try server.messages().isEmpty)

            _ = try await client.send(try SMTPFixture.message())
            await client.shutdown()
            #expect(try server.messages().count == 1)
            let log = try server.log()
            #expect(try server.connections().count == 1, "\(log)")
        }
    }

    @Test func aTemporarilyFailedRecipientIsTransient() async throws {
        try await SMTPTestServer.with(["--tempfail-rcpt", "later"]) { server in
            let client = try server.client()
            let message = try SMTPFixture.message(to: "later@example.com")
            let error = await #expect(throws: SMTPError.self) { try await client.send(message) }
            await client.shutdown()
            #expect(error == .transient(code: 451, message: "RCPT TO:<later@example.com>: 451 4.3.0 Recipient temporarily unavailable, try again later"))
            #expect(error?.isPermanent == false)
        }
    }

    @Test func fortyConcurrentMessagesArriveOnceEachOverAtMostFourConnections() async throws {
        try await SMTPTestServer.with { server in
            let client = try server.client("smtp://127.0.0.1:\(server.port)?pool=4")
            let replies = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 1...40 {
                    group.addTask {
                        var message = try SMTPFixture.message(subject: "message \(index)")
                        message.headers.append((name: "X-Waybill-Message", value: "m\(index)"))
                        return try await client.send(message)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            await client.shutdown()
            #expect(Set(replies).count == 40)
            let files = try server.messages()
            #expect(files.count == 40)
            let ids = try files.map { file in
                try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\r\n")
                    .first { $0.hasPrefix("X-Waybill-Message: ") } ?? "missing"
            }
            #expect(Set(ids) == Set((1...40).map { "X-Waybill-Message: m\($0)" }))
            let connections = try server.connections()
            let log = try server.log()
            #expect(connections.count <= 4, "\(log)")
            #expect(connections.map(\.active).max() ?? 0 <= 4)
        }
    }

    @Test func longLinesAndLinesStartingWithADotArriveIntact() async throws {
        try await SMTPTestServer.with { server in
            let client = try server.client()
            let long = String(repeating: "0123456789", count: 150) + String(repeating: "배송", count: 250)
            let text = ".\n.hidden\n..two dots\n\(long)\nend with space \n."
            let reply = try await client.send(try SMTPFixture.message(text: text, html: "<pre>\n.\n\(long)\n</pre>"))
            await client.shutdown()
            #expect(reply.hasPrefix("250"))
            let mail = try await ParsedMail(try #require(try server.messages().first))
            #expect(mail.text?.trimmingTrailingNewlines == text)
            #expect(mail.html?.trimmingTrailingNewlines == "<pre>\n.\n\(long)\n</pre>")
        }
    }

    @Test func aLineBreakInTheSubjectCannotAddAHeader() async throws {
        try await SMTPTestServer.with { server in
            let client = try server.client()
            _ = try await client.send(try SMTPFixture.message(subject: "x\r\nBcc: evil@x"))
            await client.shutdown()
            let mail = try await ParsedMail(try #require(try server.messages().first))
            #expect(!mail.headers.contains { $0.lowercased() == "bcc" })
            #expect(mail.subject == "x  Bcc: evil@x")
            #expect(try server.log().contains("to=minji@example.com connection="))
        }
    }

    @Test func idleSessionsAreClosedAndARestartedServerIsReachedAgain() async throws {
        try await SMTPTestServer.with { server in
            let client = try SMTPClient(
                configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(server.port)"),
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, idleTimeout: .milliseconds(300))
            _ = try await client.send(try SMTPFixture.message(subject: "one"))
            try await server.waitFor("DISCONNECT 1")
            _ = try await client.send(try SMTPFixture.message(subject: "two"))
            #expect(try server.connections().count == 2)

            // The pooled session dies with the server; the next send goes to the new one.
            try await server.restart()
            _ = try await client.send(try SMTPFixture.message(subject: "three"))
            await client.shutdown()
            #expect(try server.messages().count == 3)
        }
    }
}

fileprivate enum SMTPFixture {
    static func message(
        subject: String = "Your order has shipped", text: String = "Hello.\n", html: String? = nil,
        fromName: String? = "Waybill", to: String = "minji@example.com", toName: String? = nil
    ) throws -> MailMessage {
        MailMessage(
            from: try MailAddress("shop@waybill.example", name: fromName), to: [try MailAddress(to, name: toName)],
            replyTo: try MailAddress("help@waybill.example"), subject: subject, text: text, html: html,
            messageID: "\(UUID().uuidString.lowercased())@waybill.example", date: Date(timeIntervalSince1970: 1_795_000_000),
            headers: [(name: "List-Unsubscribe", value: "<https://waybill.example/u/abc>"),
                      (name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click")])
    }
}

fileprivate extension String {
    var trimmingTrailingNewlines: String {
        var text = replacingOccurrences(of: "\r\n", with: "\n")
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}

/// Rendering, without a server.
struct MailRenderingTests {
    @Test(arguments: [
        SMTPClientTests.koreanSubject,
        Array(repeating: SMTPClientTests.koreanSubject, count: 4).joined(separator: " "),
        String(repeating: "📦🚚 ", count: 30),
        "Order 1042 — " + String(repeating: "가", count: 100) + " done",
        "é" + String(repeating: "a", count: 200),
    ])
    func longNonASCIISubjectsBecomeShortEncodedWordsThatDecodeBack(subject: String) throws {
        let field = MailFormat.unstructuredField("Subject", subject)
        let lines = field.components(separatedBy: "\r\n")
        #expect(lines.count > 1 || field.utf8.count <= 78)
        for line in lines { #expect(line.utf8.count <= 76, "\(line)") }  // RFC 2047's limit, within the 78 of RFC 5322
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(try decodeEncodedWords(String(field.dropFirst("Subject:".count))) == subject)
    }

    @Test func nonASCIIDisplayNamesAreEncodedAndSpecialsQuoted() throws {
        let field = MailFormat.addressField("To", [
            try MailAddress("minji@example.com", name: String(repeating: "김민지 ", count: 12) + "님"),
            try MailAddress("john@example.com", name: "Smith, John \"JJ\""),
            try MailAddress("plain@example.com", name: "Plain Name"),
            try MailAddress("bare@example.com"),
        ])
        for line in field.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 76, "\(line)") }
        let unfolded = field.replacingOccurrences(of: "\r\n", with: "")
        #expect(unfolded.hasSuffix(#"<minji@example.com>, "Smith, John \"JJ\"" <john@example.com>, Plain Name <plain@example.com>, bare@example.com"#))
        let encodedName = unfolded.dropFirst("To:".count).components(separatedBy: " <minji@example.com>")[0]
        #expect(try decodeEncodedWords(encodedName) == String(repeating: "김민지 ", count: 12) + "님")
    }

    @Test func longASCIIHeadersFoldAtWhitespaceAndUnfoldToTheSameValue() {
        let value = "<https://waybill.example/u/" + String(repeating: "a1b2c3", count: 8) + ">, <mailto:unsubscribe@waybill.example?subject=" + String(repeating: "x", count: 30) + ">"
        let field = MailFormat.unstructuredField("List-Unsubscribe", value)
        #expect(field.contains("\r\n "))
        #expect(field.replacingOccurrences(of: "\r\n", with: "") == "List-Unsubscribe: " + value)
        let words = MailFormat.unstructuredField("Subject", String(repeating: "word ", count: 40))
        for line in words.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
    }

    @Test func lineBreaksInHeaderValuesAndNamesCannotStartANewHeader() throws {
        var message = try MailMessage(
            from: MailAddress("a@example.com"), to: [MailAddress("b@example.com")], subject: "x\r\nBcc: evil@x",
            text: "hi", messageID: "id\r\nBcc: evil@x@example.com", date: Date(timeIntervalSince1970: 0))
        message.headers = [(name: "X-Evil\r\nBcc", value: "1\nBcc: evil@x"), (name: "Subject", value: "second subject")]
        let rendered = message.rendered()
        let headerBlock = rendered.components(separatedBy: "\r\n\r\n")[0]
        #expect(!headerBlock.components(separatedBy: "\r\n").contains { $0.lowercased().hasPrefix("bcc") })
        #expect(headerBlock.contains("Subject: x  Bcc: evil@x"))
        #expect(!headerBlock.contains("second subject"))
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\r") && !rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test func aMessageWithoutHTMLIsSinglePartAndDatesAreUTC() throws {
        let message = try MailMessage(
            from: MailAddress("a@example.com"), to: [MailAddress("b@example.com")], subject: "Hi", text: "Hello",
            messageID: "1@waybill.example", date: Date(timeIntervalSince1970: 0))
        let rendered = message.rendered()
        #expect(rendered.hasPrefix("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\nFrom: a@example.com\r\nTo: b@example.com\r\nSubject: Hi\r\nMessage-ID: <1@waybill.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"))
        #expect(rendered.hasSuffix("\r\n\r\nHello\r\n"))
    }

    @Test func theBoundaryCannotCollideWithTheParts() throws {
        let message = try MailMessage(
            from: MailAddress("a@example.com"), to: [MailAddress("b@example.com")], subject: "Hi",
            text: "--=_waybill_0000000000000000\n=_", html: "<p>=_waybill_</p>", messageID: "1@waybill.example",
            date: Date(timeIntervalSince1970: 0))
        let rendered = message.rendered()
        let boundary = try #require(rendered.firstMatch(of: /boundary="([^"]+)"/)?.1)
        #expect(boundary.hasPrefix("=_"))
        #expect(rendered.components(separatedBy: "--" + boundary).count == 4)
    }

    @Test(arguments: [
        "", "plain ascii", "tabs\tand trailing space \nnext", "equals = sign and =3D literal",
        String(repeating: "가나다", count: 60), String(repeating: "a", count: 74) + "한" + String(repeating: "b", count: 200),
        "emoji 👩‍👩‍👧‍👦 " + String(repeating: "🚚", count: 40), "lf\nonly\n", "crlf\r\nand\rcr\r\n", "\u{1}control\u{7F}", ".\n..", "ends with tab\t",
    ])
    func quotedPrintableRoundTripsWithinSeventySixColumns(text: String) throws {
        let encoded = MailFormat.quotedPrintable(text)
        for line in encoded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76, "\(line)")
            #expect(line.unicodeScalars.allSatisfy { (32...126).contains($0.value) || $0 == "\t" })
            #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"))
            // A soft break never leaves part of a character (or of an =XX) on either side.
            #expect(String(validating: try #require(decodeQuotedPrintable(line)), as: UTF8.self) != nil, "\(line)")
        }
        let expected = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try #require(decodeQuotedPrintable(encoded)) == Array(expected.utf8))
    }

    /// The byte-wise encoder against the first, character-by-character one (kept here as the reference) on
    /// random text: ASCII, spaces and tabs before line ends, `=`, Korean, emoji, controls, every kind of line end.
    @Test func quotedPrintableMatchesTheReferenceEncoderOnRandomText() {
        var generator = SystemRandomNumberGenerator()
        let pieces: [String] = ["a", "Z", " ", "\t", "=", ".", "가", "한글", "🚚", "👩‍👩‍👧‍👦", "\u{1}", "\u{7F}", "é", "\n", "\r", "\r\n", "~", "<p>"]
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0..<300, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(MailFormat.quotedPrintable(text) == Self.referenceQuotedPrintable(text), "\(text.debugDescription)")
        }
    }

    static func referenceQuotedPrintable(_ text: String) -> String {
        var lines: [[Unicode.Scalar]] = [[]]
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n", previousWasCR { previousWasCR = false; continue }
            previousWasCR = scalar == "\r"
            if scalar == "\r" || scalar == "\n" { lines.append([]) } else { lines[lines.count - 1].append(scalar) }
        }
        func hex(_ byte: UInt8) -> String {
            let digits = Array("0123456789ABCDEF")
            return "=" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
        }
        var output = ""
        for (lineIndex, line) in lines.enumerated() {
            if lineIndex > 0 { output += "\r\n" }
            var current = ""
            for (index, scalar) in line.enumerated() {
                let unit: String
                switch scalar.value {
                case 32, 9: unit = index == line.count - 1 ? hex(UInt8(scalar.value)) : String(scalar)
                case 33...60, 62...126: unit = String(scalar)
                default: unit = String(scalar).utf8.map(hex).joined()
                }
                if current.utf8.count + unit.utf8.count > 75 {
                    output += current + "=\r\n"
                    current = ""
                }
                current += unit
            }
            output += current
        }
        return output
    }

    @Test(arguments: [
        "a@b.c", "first.last+tag@example.co.kr", #""john doe"@example.com"#, #""a\"b"@x.io"#, "user@[192.0.2.1]",
        "user@[IPv6:2001:db8::1]", "user@[IPv6:::ffff:192.0.2.1]", "x@localhost", String(repeating: "l", count: 64) + "@example.com",
        "!#$%&'*+-/=?^_`{|}~@example.com", "a@x-y.example",
    ])
    func validAddresses(address: String) throws {
        #expect(try MailAddress(address).address == address)
    }

    @Test(arguments: [
        ("", "empty"), ("plain", "'@'"), ("a@", "domain is empty"), ("@b.c", "before '@' is empty"), ("a..b@c.d", "dot-separated"),
        (".a@b.c", "dot-separated"), ("a.@b.c", "dot-separated"), ("a b@c.d", "dot-separated"), ("a@b..c", "labels"),
        ("a@-b.c", "labels"), ("a@b-.c", "labels"), ("a@b_c.d", "labels"), ("a@b.c.", "labels"),
        ("a@b.c\r\nBcc: x@y", "line break"), ("a\n@b.c", "line break"), ("a\0@b.c", "NUL"),
        (String(repeating: "l", count: 65) + "@example.com", "64"), ("a@" + String(repeating: "d", count: 60) + "." + String(repeating: "e", count: 200), "254"),
        ("한글@example.com", "ASCII"), ("a@exämple.com", "ASCII"), (#""unterminated@x.y"#, "quoted"), ("a@[300.1.1.1]", "literal"),
        ("a@[IPv6:1::2::3]", "literal"), ("a@" + String(repeating: "d", count: 64) + ".com", "63"),
    ])
    func invalidAddressesSayWhy(address: String, reason: String) {
        #expect {
            _ = try MailAddress(address)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func aDisplayNameWithALineBreakIsRefused() {
        #expect(throws: MailAddress.Invalid.self) { try MailAddress("a@b.c", name: "Evil\r\nBcc: x@y") }
    }

    @Test func dataIsDotStuffedAndTerminated() {
        #expect(String(buffer: SMTPClient.transmissionData(".a\r\nb\r\n.\r\n")) == "..a\r\nb\r\n..\r\n.\r\n")
        #expect(String(buffer: SMTPClient.transmissionData("x")) == "x\r\n.\r\n")
    }

    @Test func ehloExtensionsAndEnhancedCodesAreParsed() {
        let ehlo = SMTPReply(code: 250, lines: ["mx.example Hello", "PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN", "STARTTLS", "8BITMIME", "AUTH=CRAM-MD5"])
        let extensions = SMTPExtensions(ehlo: ehlo)
        #expect(extensions.pipelining && extensions.startTLS && extensions.eightBitMIME)
        #expect(extensions.size == 10_240_000)
        #expect(extensions.authMechanisms == ["PLAIN", "LOGIN", "CRAM-MD5"])
        #expect(SMTPReply(code: 550, lines: ["5.1.1 No such user"]).enhanced == "5.1.1")
        #expect(SMTPReply(code: 550, lines: ["4.1.1 mismatched class"]).enhanced == nil)
        #expect(SMTPReply(code: 250, lines: ["2.0.0 Ok: queued as ABC"]).summary == "250 2.0.0 Ok: queued as ABC")
    }
}

/// `SMTP_URL` parsing.
struct SMTPConfigurationTests {
    @Test func aSubmissionURLWithEncodedCredentials() throws {
        let configuration = try SMTPConfiguration(url: "smtp://user%40shop:p%3Ass%2Fw@mail.example.com:587")
        #expect(configuration.host == "mail.example.com")
        #expect(configuration.port == 587)
        #expect(configuration.security == .startTLS(required: true))
        #expect(configuration.username == "user@shop")
        #expect(configuration.password == "p:ss/w")
        #expect(configuration.timeout == 30)
        #expect(configuration.maxConnections == 4)
        #expect(configuration.verifyCertificates)
        #expect(!configuration.heloName.isEmpty)
    }

    @Test func defaultsAndOptions() throws {
        #expect(try SMTPConfiguration(url: "smtp://127.0.0.1:2525").security == .startTLS(required: false))
        #expect(try SMTPConfiguration(url: "smtp://localhost").port == 587)
        let implicit = try SMTPConfiguration(url: "smtps://mail.example.com")
        #expect(implicit.security == .implicitTLS && implicit.port == 465)
        let tuned = try SMTPConfiguration(url: "smtp://mx.example.com?starttls=optional&pool=8&helo=out.waybill.example&verify=false&timeout=5")
        #expect(tuned.security == .startTLS(required: false))
        #expect(tuned.maxConnections == 8 && tuned.heloName == "out.waybill.example" && !tuned.verifyCertificates && tuned.timeout == 5)
        #expect(try SMTPConfiguration(url: "smtp://localhost:25?starttls=off").security == .plain)
        let v6 = try SMTPConfiguration(url: "smtp://[::1]:25")
        #expect(v6.host == "::1" && v6.isLoopback)
    }

    @Test(arguments: [
        ("http://mail.example.com", "scheme"), ("smtp://mail.example.com?from=a@b.c", "unknown option 'from'"),
        ("smtp://mail.example.com?pool=0", "pool"), ("smtps://mail.example.com?starttls=off", "starttls"),
        ("smtp://user@mail.example.com", "no password"), ("smtp://mail.example.com?ca=/nonexistent/ca.pem", "ca"),
        ("smtp://mail.example.com?starttls=maybe", "required, optional or off"), ("smtp://mail.example.com?helo=bad_name", "helo"),
        ("smtp://:587", "no host"), ("smtp://u:hunter2@mail.example.com?starttls=off", "clear text"),
        ("smtp://u:hunter2@mail.example.com?pool=x", "pool"),
    ])
    func badURLsAreRefusedWithAReasonAndNoPassword(url: String, reason: String) {
        #expect {
            _ = try SMTPConfiguration(url: url)
        } throws: { error in
            "\(error)".contains(reason) && !"\(error)".contains("hunter2")
        }
    }

    @Test func thePasswordIsNeverPrinted() throws {
        let configuration = try SMTPConfiguration(url: "smtp://user:hunter2@mail.example.com")
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [configuration.description, String(reflecting: configuration), "\(configuration)", dumped] {
            #expect(!text.contains("hunter2"), "\(text)")
        }
        #expect(configuration.description.hasPrefix("smtp://user:***@mail.example.com:587?starttls=required"))
    }
}

/// Conversations that aiosmtpd cannot be made to have, against a scripted in-process server.
struct SMTPProtocolTests {
    @Test func nothingListeningIsTransient() async throws {
        let port = try await SMTPTestServer.unusedPort()
        let client = try SMTPClient(
            configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(port)?timeout=5"),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let error = await #expect(throws: SMTPError.self) { try await client.send(try SMTPFixture.message()) }
        await client.shutdown()
        #expect(error?.isPermanent == false)
        #expect(error?.description.contains("cannot connect") == true, "\(String(describing: error))")
    }

    @Test func aSessionClosedWith421BeforeTheDataIsRetriedOnceOnAFreshConnection() async throws {
        let server = try await FakeSMTPServer { connection, command in
            connection == 1 && command.hasPrefix("MAIL FROM") ? .replyAndClose("421 4.4.2 closing") : .standard
        }
        let client = try server.client()
        let reply = try await client.send(try SMTPFixture.message())
        await client.shutdown()
        #expect(reply == "250 2.0.0 Ok: queued as FAKE")
        #expect(server.connections == 2)
    }

    @Test func aConnectionLostAfterTheDataIsNotRetried() async throws {
        let server = try await FakeSMTPServer { _, command in command == FakeSMTPServer.endOfData ? .close : .standard }
        let client = try server.client()
        let error = await #expect(throws: SMTPError.self) { try await client.send(try SMTPFixture.message()) }
        await client.shutdown()
        #expect(error?.isPermanent == false)
        #expect(error?.description.contains("closed the connection") == true, "\(String(describing: error))")
        #expect(server.connections == 1)
    }

    @Test func aSilentServerTimesOut() async throws {
        let server = try await FakeSMTPServer { _, command in command == FakeSMTPServer.connect ? .silent : .standard }
        let client = try server.client("?timeout=0.3")
        let error = await #expect(throws: SMTPError.self) { try await client.send(try SMTPFixture.message()) }
        await client.shutdown()
        #expect(error?.description.contains("no reply within 0.3s") == true, "\(String(describing: error))")
        #expect(error?.isPermanent == false)
    }

    @Test func heloIsUsedWhenEhloIsRefusedAndTheDataIsDotStuffed() async throws {
        let server = try await FakeSMTPServer { _, command in
            command.hasPrefix("EHLO") ? .reply("502 5.5.1 EHLO not implemented") : command.hasPrefix("HELO") ? .reply("250 fake") : .standard
        }
        let client = try server.client("?helo=out.waybill.example")
        _ = try await client.send(try SMTPFixture.message(text: ".\n.x\n"))
        await client.shutdown()
        let transcript = server.transcript
        #expect(transcript.contains("HELO out.waybill.example"))
        #expect(transcript.contains("..") && transcript.contains("..x"))
        #expect(!transcript.contains { $0.hasPrefix("MAIL FROM") && $0.contains("SIZE") })
    }

    @Test func authLoginIsUsedWhenPlainIsNotOffered() async throws {
        let server = try await FakeSMTPServer { _, command in
            switch command {
            case _ where command.hasPrefix("EHLO"): .reply("250-fake\r\n250-SIZE 1000000\r\n250 AUTH LOGIN")
            case "AUTH LOGIN": .reply("334 VXNlcm5hbWU6")
            case "dXNlcg==": .reply("334 UGFzc3dvcmQ6")
            case "cDRzcw==": .reply("235 2.7.0 Authentication successful")
            default: .standard
            }
        }
        let client = try server.client("", credentials: "user:p4ss@")
        _ = try await client.send(try SMTPFixture.message())
        await client.shutdown()
        #expect(server.transcript.prefix(4).dropFirst() == ["AUTH LOGIN", "dXNlcg==", "cDRzcw=="])
        #expect(server.transcript.contains { $0.hasPrefix("MAIL FROM:<shop@waybill.example> SIZE=") })
    }
}

// MARK: - Helpers

/// `scripts/smtp-test-server` on a free port with its own mail directory.
// Used by one test at a time, from one task; the outbox test hands it into its app closure.
final class SMTPTestServer: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/smtp-test-server")
    static let required = ProcessInfo.processInfo.environment["WAYBILL_TEST_REQUIRE_SMTP"] == "1"
    static let aiosmtpdInstalled = (try? run(["python3", "-c", "import aiosmtpd"])) == 0
    static var shouldRun: Bool { aiosmtpdInstalled || required }

    let directory: URL
    var maildir: URL { directory.appendingPathComponent("mail") }
    let arguments: [String]
    private(set) var port = 0
    private var process: Process?
    private var logs: [URL] = []

    init(_ arguments: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.arguments = arguments
    }

    /// Runs `body` against a fresh server, then stops it and removes its files.
    static func with(_ arguments: [String] = [], _ body: (SMTPTestServer) async throws -> Void) async throws {
        guard aiosmtpdInstalled else {
            throw TestFailure("WAYBILL_TEST_REQUIRE_SMTP=1 but python3 cannot import aiosmtpd (pip install aiosmtpd)")
        }
        let server = try SMTPTestServer(arguments)
        do {
            try await server.start(port: 0)
            try await body(server)
        } catch {
            await server.stop()
            try? FileManager.default.removeItem(at: server.directory)
            throw error
        }
        await server.stop()
        try? FileManager.default.removeItem(at: server.directory)
    }

    func client(_ url: String? = nil) throws -> SMTPClient {
        try SMTPClient(configuration: SMTPConfiguration(url: url ?? "smtp://127.0.0.1:\(port)"),
                       eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
    }

    func start(port: Int) async throws {
        let log = directory.appendingPathComponent("log-\(logs.count + 1).txt")
        let errors = directory.appendingPathComponent("stderr-\(logs.count + 1).txt")
        try Data().write(to: log)
        try Data().write(to: errors)
        logs.append(log)
        let process = Process()
        process.executableURL = Self.script
        process.arguments = ["--host", "127.0.0.1", "--port", "\(port)", "--maildir", maildir.path] + arguments
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        self.process = process
        // Python starting aiosmtpd beside a busy suite (a Chromium run, 64 racing buyers) has taken over 15 s in CI.
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline {
            if let match = try String(contentsOf: log, encoding: .utf8).firstMatch(of: /READY (\d+)/) {
                self.port = Int(match.1)!
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("smtp-test-server did not start: \((try? String(contentsOf: errors, encoding: .utf8)) ?? "")")
    }

    /// SIGTERM, then SIGKILL if it has not gone within 5 s. Never blocks a thread of the test's executor.
    func stop() async {
        guard let process, process.isRunning else { return }
        process.terminate()
        for _ in 0..<250 where process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// Stops the server and starts it again on the same port and mail directory.
    func restart() async throws {
        await stop()
        try await start(port: port)
    }

    func log() throws -> String { try logs.map { try String(contentsOf: $0, encoding: .utf8) }.joined() }

    func connections() throws -> [(number: Int, active: Int)] {
        try log().split(separator: "\n").compactMap { line in
            line.wholeMatch(of: /CONNECT (\d+) active=(\d+)/).map { (Int($0.1)!, Int($0.2)!) }
        }
    }

    func waitFor(_ text: String) async throws {
        for _ in 0..<500 where !(try log().contains(text)) { try await Task.sleep(for: .milliseconds(20)) }
        if !(try log().contains(text)) { throw TestFailure("the server log never said '\(text)'") }
    }

    func messages() throws -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: maildir.path)) ?? []
        return names.compactMap { name in name.firstMatch(of: /^(\d+)\.eml$/).map { (Int($0.1)!, name) } }
            .sorted { $0.0 < $1.0 }.map { maildir.appendingPathComponent($0.1) }
    }

    static func unusedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 1
        try await channel.close()
        return port
    }

    /// Runs a short command (blocking; only for the one-off aiosmtpd check).
    static func run(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs a command to its end without blocking a thread; its standard output goes through a file.
    static func output(of arguments: [String]) async throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-run-\(UUID().uuidString)")
        try Data().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: file)
        process.standardError = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return (status, try String(contentsOf: file, encoding: .utf8))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A saved message as Python's `email` package (policy `default`) reads it: an independent decoder.
fileprivate struct ParsedMail: Decodable {
    var subject: String
    var from: String
    var to: String
    var messageID: String
    var contentType: String
    var text: String?
    var html: String?
    var headers: [String]
    var defects: [String]

    private static let script = """
        import email, email.policy, json, sys
        m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
        def body(kind):
            part = m.get_body(preferencelist=(kind,))
            return None if part is None else part.get_content()
        defects = [repr(d) for part in m.walk() for d in part.defects] + [repr(d) for _, v in m.items() for d in v.defects]
        print(json.dumps({'subject': str(m['subject']), 'from': str(m['from']), 'to': str(m['to']),
            'messageID': str(m['message-id']), 'contentType': m.get_content_type(), 'text': body('plain'),
            'html': body('html'), 'headers': list(m.keys()), 'defects': defects}))
        """

    init(_ file: URL) async throws {
        let result = try await SMTPTestServer.output(of: ["python3", "-c", Self.script, file.path])
        guard result.status == 0 else { throw TestFailure("python could not parse \(file.lastPathComponent)") }
        self = try JSONDecoder().decode(ParsedMail.self, from: Data(result.output.utf8))
    }
}

/// A throwaway self-signed certificate for `localhost` and 127.0.0.1, made with openssl.
fileprivate struct SelfSignedCertificate {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-cert-\(UUID().uuidString)")
    var certPath: String { directory.appendingPathComponent("cert.pem").path }
    var keyPath: String { directory.appendingPathComponent("key.pem").path }
    var serverArguments: [String] { ["--tls-cert", certPath, "--tls-key", keyPath] }

    init() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let result = try await SMTPTestServer.output(of: [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certPath,
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "2",
        ])
        guard result.status == 0 else { throw TestFailure("openssl could not make a certificate") }
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Decodes a header value made of RFC 2047 B encoded-words; each word must be valid UTF-8 on its own.
fileprivate func decodeEncodedWords<S: StringProtocol>(_ value: S) throws -> String {
    var bytes: [UInt8] = []
    for word in value.split(whereSeparator: { $0 == " " || $0 == "\r\n" || $0 == "\r" || $0 == "\n" }) {
        #expect(word.count <= 75, "\(word)")
        let match = try #require(String(word).wholeMatch(of: /=\?UTF-8\?B\?([A-Za-z0-9+\/=]+)\?=/), "\(word)")
        let decoded = try #require(Data(base64Encoded: String(match.1)))
        #expect(String(validating: Array(decoded), as: UTF8.self) != nil, "a word splits a character: \(word)")
        bytes += decoded
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Strict quoted-printable decoding: nil when an `=` is not followed by two hex digits or a line end.
fileprivate func decodeQuotedPrintable(_ text: String) -> [UInt8]? {
    var output: [UInt8] = []
    let lines = text.components(separatedBy: "\r\n")
    for (index, line) in lines.enumerated() {
        let bytes = Array(line.utf8)
        var position = 0
        var soft = false
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "=") {
                if position == bytes.count - 1 { soft = true; break }
                guard position + 2 < bytes.count + 0, let value = UInt8(String(decoding: bytes[position + 1...position + 2], as: UTF8.self), radix: 16)
                else { return nil }
                output.append(value)
                position += 3
            } else {
                output.append(bytes[position])
                position += 1
            }
        }
        if !soft, index < lines.count - 1 { output += [13, 10] }
    }
    return output
}

/// A scripted SMTP server on loopback: `script(connection, command)` decides each answer.
fileprivate final class FakeSMTPServer: Sendable {
    enum Action: Sendable {
        case standard, reply(String), replyAndClose(String), close, silent
    }

    static let connect = "<connect>"
    static let endOfData = "<end of data>"

    private let channel: any Channel
    private let state: Locked<(connections: Int, transcript: [String])>

    var connections: Int { state.value.connections }
    /// Every command and data line received, in order, without line ends.
    var transcript: [String] { state.value.transcript }

    init(_ script: @escaping @Sendable (Int, String) -> Action) async throws {
        let state = Locked((connections: 0, transcript: [String]()))
        self.state = state
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let number = state.update { $0.connections += 1; return $0.connections }
                    try channel.pipeline.syncOperations.addHandler(Handler(number: number, script: script, state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    deinit { channel.close(promise: nil) }

    func client(_ query: String = "", credentials: String = "") throws -> SMTPClient {
        try SMTPClient(configuration: SMTPConfiguration(url: "smtp://\(credentials)127.0.0.1:\(channel.localAddress!.port!)\(query)"),
                       eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let number: Int
        let script: @Sendable (Int, String) -> Action
        let state: Locked<(connections: Int, transcript: [String])>
        var buffer = ByteBuffer()
        var inData = false

        init(number: Int, script: @escaping @Sendable (Int, String) -> Action, state: Locked<(connections: Int, transcript: [String])>) {
            self.number = number
            self.script = script
            self.state = state
        }

        func channelActive(context: ChannelHandlerContext) {
            perform(script(number, FakeSMTPServer.connect), standard: "220 fake.example ESMTP", context: context)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            buffer.writeBuffer(&bytes)
            while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                var line = buffer.readString(length: newline - buffer.readerIndex)!
                buffer.moveReaderIndex(forwardBy: 1)
                if line.hasSuffix("\r") { line.removeLast() }
                state.update { $0.transcript.append(line) }
                if inData {
                    guard line == "." else { continue }
                    inData = false
                    perform(script(number, FakeSMTPServer.endOfData), standard: "250 2.0.0 Ok: queued as FAKE", context: context)
                    continue
                }
                let verb = line.split(separator: " ").first.map { String($0).uppercased() } ?? ""
                let standard = switch verb {
                case "EHLO": "250-fake.example\r\n250 8BITMIME"
                case "HELO", "MAIL", "RCPT", "RSET", "NOOP": "250 2.0.0 Ok"
                case "DATA": "354 End data with <CR><LF>.<CR><LF>"
                case "QUIT": "221 2.0.0 Bye"
                default: "502 5.5.2 Error: command not recognized"
                }
                if verb == "DATA" { inData = true }
                perform(script(number, line), standard: standard, context: context)
                if verb == "QUIT" { context.close(promise: nil) }
            }
        }

        private func perform(_ action: Action, standard: String, context: ChannelHandlerContext) {
            switch action {
            case .standard: context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: standard + "\r\n")), promise: nil)
            case .reply(let text): context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
            case .replyAndClose(let text):
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
                context.close(promise: nil)
            case .close: context.close(promise: nil)
            case .silent: break
            }
        }
    }
}

/// A value behind a lock, for the fake server's counters.
fileprivate final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func update<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&stored) } }
}
