import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Why a message was not accepted. `permanent` is a 5xx from the server: sending again will not help.
/// Everything else — 4xx, timeouts, refused or dropped connections, TLS trouble — is `transient`.
enum SMTPError: Error, CustomStringConvertible, Equatable {
    case permanent(code: Int, enhanced: String?, message: String)
    case transient(code: Int?, message: String)

    var isPermanent: Bool {
        if case .permanent = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .permanent(_, _, let message): return "permanent SMTP failure: \(message)"
        case .transient(_, let message): return "temporary SMTP failure: \(message)"
        }
    }

    /// The error a negative reply means: 5xx permanent, anything else transient.
    init(_ reply: SMTPReply, _ step: String) {
        let message = "\(step): \(reply.summary)"
        self = reply.code >= 500 ? .permanent(code: reply.code, enhanced: reply.enhanced, message: message)
            : .transient(code: reply.code, message: message)
    }
}

/// Sends mail over a small pool of reused SMTP sessions (RFC 5321, STARTTLS per RFC 3207, AUTH per RFC 4954).
final class SMTPClient: Sendable {
    let configuration: SMTPConfiguration
    private let group: any EventLoopGroup
    private let tlsContext: NIOSSLContext?
    private let pool: SMTPSessionPool

    /// Throws when the TLS settings cannot be loaded (e.g. an unreadable or malformed `ca=` file).
    convenience init(configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup) throws {
        try self.init(configuration: configuration, eventLoopGroup: eventLoopGroup, idleTimeout: .seconds(30))
    }

    init(configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup, idleTimeout: TimeAmount) throws {
        self.configuration = configuration
        self.group = eventLoopGroup
        if configuration.security == .plain {
            tlsContext = nil
        } else {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let path = configuration.trustRootsPath { tls.additionalTrustRoots = [.file(path)] }
            if !configuration.verifyCertificates { tls.certificateVerification = .none }
            tlsContext = try NIOSSLContext(configuration: tls)
        }
        pool = SMTPSessionPool(capacity: max(1, configuration.maxConnections), idleTimeout: idleTimeout)
    }

    /// Delivers `message` to all its recipients or to none; returns the server's reply to the data,
    /// e.g. `250 2.0.0 Ok: queued as ABC`.
    func send(_ message: MailMessage) async throws -> String {
        guard !message.to.isEmpty else {
            throw SMTPError.permanent(code: 0, enhanced: nil, message: "the message has no recipients; nothing was sent")
        }
        let rendered = message.rendered()
        let data = Self.transmissionData(rendered)
        var session = try await pool.acquire()
        var retried = false
        while true {
            do {
                let current: SMTPSession
                if let session { current = session } else { current = try await SMTPSession.open(configuration, tls: tlsContext, group: group) }
                session = current
                let reply = try await current.deliver(
                    from: message.from.address, to: message.to.map(\.address), data: data, size: rendered.utf8.count)
                await pool.release(current)
                return reply
            } catch let failure as SMTPSession.DeliveryFailure {
                if failure.sessionUsable {
                    await pool.release(session)
                    throw failure.error
                }
                session?.connection.close()
                session = nil
                // The server dropped the session before it could have taken the message: try once more on a
                // fresh connection, keeping this caller's place in the pool.
                if failure.retryable, !retried {
                    retried = true
                    continue
                }
                await pool.release(nil)
                throw failure.error
            } catch {
                session?.connection.close()
                await pool.release(nil)
                throw error
            }
        }
    }

    /// Closes idle sessions (with QUIT) and refuses further sends. A send already under way finishes, and its
    /// session is closed when it does.
    func shutdown() async {
        await pool.shutdown()
    }

    /// The message with dot-stuffing (RFC 5321 4.5.2), a final CRLF and the `.` line that ends the data.
    static func transmissionData(_ rendered: String) -> ByteBuffer {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(rendered.utf8.count + 64)
        var atLineStart = true
        for byte in rendered.utf8 {
            if atLineStart, byte == UInt8(ascii: ".") { bytes.append(byte) }
            bytes.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
        if !bytes.isEmpty, !atLineStart { bytes += Array("\r\n".utf8) }
        bytes += Array(".\r\n".utf8)
        return ByteBuffer(bytes: bytes)
    }
}

/// Hands out sessions to at most `capacity` senders at once; the rest wait in order. Idle sessions are kept
/// for `idleTimeout`, then closed.
actor SMTPSessionPool {
    private let capacity: Int
    private let idleTimeout: TimeAmount
    private var idle: [(session: SMTPSession, token: Int)] = []
    private var leased = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<SMTPSession?, any Error>)] = []
    private var nextToken = 0
    private var isShutdown = false

    init(capacity: Int, idleTimeout: TimeAmount) {
        self.capacity = capacity
        self.idleTimeout = idleTimeout
    }

    /// An idle session, or nil: the caller may open a new connection. Waits while `capacity` are in use.
    func acquire() async throws -> SMTPSession? {
        guard !isShutdown else { throw SMTPError.transient(code: nil, message: "the SMTP client has been shut down") }
        while let entry = idle.popLast() {
            if entry.session.connection.isActive {
                leased += 1
                return entry.session
            }
            entry.session.connection.close()
        }
        if leased < capacity {
            leased += 1
            return nil
        }
        nextToken += 1
        let id = nextToken
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled { continuation.resume(throwing: CancellationError()) } else { waiters.append((id, continuation)) }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Gives back a leased place: with a session that can be reused, or nil when it was discarded.
    func release(_ session: SMTPSession?) {
        let reusable = session.map { $0.connection.isActive && !isShutdown } ?? false
        if !reusable, let session { Task { await session.connection.quit() } }
        if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: reusable ? session : nil)
            return
        }
        leased -= 1
        guard reusable, let session else { return }
        nextToken += 1
        let token = nextToken
        idle.append((session, token))
        session.connection.channel.eventLoop.scheduleTask(in: idleTimeout) { [self] in
            Task { await self.expire(token) }
        }
    }

    func shutdown() async {
        isShutdown = true
        for waiter in waiters {
            waiter.continuation.resume(throwing: SMTPError.transient(code: nil, message: "the SMTP client has been shut down"))
        }
        waiters.removeAll()
        let sessions = idle.map(\.session)
        idle.removeAll()
        await withTaskGroup(of: Void.self) { group in
            for session in sessions { group.addTask { await session.connection.quit() } }
        }
    }

    private func expire(_ token: Int) async {
        guard let index = idle.firstIndex(where: { $0.token == token }) else { return }
        let session = idle.remove(at: index).session
        await session.connection.quit()
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}

/// One reply: its code and the text of each line (`250-…` continuation lines included).
struct SMTPReply: Sendable, Equatable {
    let code: Int
    let lines: [String]

    /// `250 2.0.0 Ok: queued as ABC`
    var summary: String { lines.allSatisfy(\.isEmpty) ? "\(code)" : "\(code) " + lines.joined(separator: " ") }

    /// The RFC 3463 enhanced status code at the start of the text, e.g. `5.1.1`.
    var enhanced: String? {
        guard let first = lines.first?.split(separator: " ").first else { return nil }
        let parts = first.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "\(code / 100)",
              parts[1...].allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy(\.isNumber) && $0.allSatisfy(\.isASCII) })
        else { return nil }
        return String(first)
    }
}

/// What the server's EHLO reply offers.
struct SMTPExtensions: Sendable, Equatable {
    var startTLS = false
    var pipelining = false
    var eightBitMIME = false
    /// nil when SIZE is not offered; 0 when offered without a limit.
    var size: Int?
    var authMechanisms: Set<String> = []

    init() {}

    init(ehlo reply: SMTPReply) {
        for line in reply.lines.dropFirst() {
            let words = line.uppercased().split(separator: " ")
            guard let keyword = words.first else { continue }
            switch keyword {
            case "STARTTLS": startTLS = true
            case "PIPELINING": pipelining = true
            case "8BITMIME": eightBitMIME = true
            case "SIZE": size = words.count > 1 ? Int(words[1]) ?? 0 : 0
            case "AUTH": authMechanisms.formUnion(words.dropFirst().map(String.init))
            default:
                // Some servers still send the pre-standard "AUTH=PLAIN LOGIN".
                if keyword.hasPrefix("AUTH=") {
                    authMechanisms.formUnion([String(keyword.dropFirst(5))] + words.dropFirst().map(String.init))
                }
            }
        }
    }
}

/// A connected channel whose replies arrive through `SMTPReplyHandler`.
struct SMTPConnection: Sendable {
    let channel: any Channel
    let reader: NIOLoopBound<SMTPReplyHandler>
    let timeout: TimeAmount

    var isActive: Bool { channel.isActive }

    func write(_ text: String) { write(ByteBuffer(string: text)) }
    func write(_ bytes: ByteBuffer) { channel.writeAndFlush(bytes, promise: nil) }

    /// The next reply, or `SMTPReplyHandler.Failure` (timeout, close, I/O or TLS error, garbage).
    func reply() async throws -> SMTPReply {
        let (reader, timeout, eventLoop) = (reader, timeout, channel.eventLoop)
        return try await eventLoop.flatSubmit { reader.value.nextReply(timeout: timeout, on: eventLoop) }.get()
    }

    func command(_ line: String) async throws -> SMTPReply {
        write(line + "\r\n")
        return try await reply()
    }

    /// Ends the session politely (RFC 5321 4.1.1.10): QUIT, wait for the reply, close.
    func quit() async {
        if isActive { _ = try? await command("QUIT") }
        close()
    }

    func close() { channel.close(promise: nil) }
}

/// A connection that has been greeted, said EHLO, secured and authenticated: ready for mail transactions.
struct SMTPSession: Sendable {
    let connection: SMTPConnection
    let extensions: SMTPExtensions

    struct DeliveryFailure: Error {
        let error: SMTPError
        /// The connection can carry the next message (the failed transaction was reset).
        var sessionUsable = false
        /// The server went away before the message could have been accepted.
        var retryable = false
    }

    static func open(_ configuration: SMTPConfiguration, tls: NIOSSLContext?, group: any EventLoopGroup) async throws -> SMTPSession {
        let timeout = TimeAmount.nanoseconds(Int64(configuration.timeout * 1_000_000_000))
        let isIP = configuration.host.contains(":") || configuration.host.allSatisfy { $0.isNumber || $0 == "." }
        let serverName = isIP ? nil : configuration.host
        let implicitTLS = configuration.security == .implicitTLS ? tls : nil
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: implicitTLS, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                }
            }
        let target = "\(configuration.host):\(configuration.port)"
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch ChannelError.connectTimeout {
            throw SMTPError.transient(code: nil, message: "timed out connecting to \(target) after \(configuration.timeout)s")
        } catch {
            throw SMTPError.transient(code: nil, message: "cannot connect to \(target): \(error)")
        }
        let connection: SMTPConnection
        do {
            let reader = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self), eventLoop: channel.eventLoop)
            }.get()
            connection = SMTPConnection(channel: channel, reader: reader, timeout: timeout)
        } catch {
            channel.close(promise: nil)
            throw SMTPError.transient(code: nil, message: "cannot set up the connection to \(target): \(error)")
        }

        var step = "reading the greeting of \(target)"
        do {
            let greeting = try await connection.reply()
            guard greeting.code == 220 else { throw SMTPError(greeting, "greeting of \(target)") }
            step = "EHLO"
            var extensions = try await hello(connection, configuration.heloName)
            var secured = implicitTLS != nil
            if case .startTLS(let required) = configuration.security, let tls {
                if extensions.startTLS {
                    step = "STARTTLS"
                    let reply = try await connection.command("STARTTLS")
                    guard reply.code == 220 else { throw SMTPError(reply, "STARTTLS") }
                    let reader = connection.reader
                    try await channel.eventLoop.submit {
                        // Anything already buffered was sent in clear text and could be an injected reply (CVE-2011-0411).
                        guard !reader.value.hasUnreadInput else {
                            throw SMTPReplyHandler.Failure.malformed("the server sent data right after its STARTTLS reply")
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: serverName), position: .first)
                    }.get()
                    step = "the TLS handshake and EHLO after STARTTLS"
                    extensions = try await hello(connection, configuration.heloName)
                    secured = true
                } else if required {
                    throw SMTPError.transient(code: nil, message: "\(target) does not offer STARTTLS, which SMTP_URL requires")
                }
            }
            if let username = configuration.username {
                guard secured || configuration.isLoopback else {
                    throw SMTPError.transient(code: nil, message: "refusing to send credentials to \(target) without TLS")
                }
                step = "AUTH"
                try await authenticate(connection, extensions, username: username, password: configuration.password ?? "")
            }
            return SMTPSession(connection: connection, extensions: extensions)
        } catch let error as SMTPError {
            await connection.quit()
            throw error
        } catch {
            connection.close()
            throw SMTPReplyHandler.Failure.describe(error, while: step, timeout: configuration.timeout)
        }
    }

    /// EHLO, or HELO (no extensions) when the server refuses EHLO with a 5xx.
    private static func hello(_ connection: SMTPConnection, _ name: String) async throws -> SMTPExtensions {
        let reply = try await connection.command("EHLO \(name)")
        if reply.code == 250 { return SMTPExtensions(ehlo: reply) }
        guard reply.code >= 500 else { throw SMTPError(reply, "EHLO") }
        let helo = try await connection.command("HELO \(name)")
        guard helo.code == 250 else { throw SMTPError(helo, "HELO") }
        return SMTPExtensions()
    }

    /// AUTH PLAIN, or AUTH LOGIN when PLAIN is not offered (RFC 4954).
    private static func authenticate(
        _ connection: SMTPConnection, _ extensions: SMTPExtensions, username: String, password: String
    ) async throws {
        let mechanisms = extensions.authMechanisms
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        if mechanisms.contains("PLAIN") {
            let reply = try await connection.command("AUTH PLAIN " + base64("\u{0}\(username)\u{0}\(password)"))
            if reply.code == 235 { return }
            guard reply.code == 504, mechanisms.contains("LOGIN") else { throw SMTPError(reply, "AUTH PLAIN") }
        }
        guard mechanisms.contains("LOGIN") else {
            let offered = mechanisms.isEmpty ? "none" : mechanisms.sorted().joined(separator: " ")
            throw SMTPError.transient(code: nil, message: "the server offers no AUTH mechanism Waybill supports (offered: \(offered))")
        }
        for (line, expected) in [("AUTH LOGIN", 334), (base64(username), 334), (base64(password), 235)] {
            let reply = try await connection.command(line)
            guard reply.code == expected else { throw SMTPError(reply, "AUTH LOGIN") }
        }
    }

    /// One mail transaction: MAIL FROM, RCPT TO for each recipient (pipelined when offered), DATA.
    func deliver(from: String, to recipients: [String], data: ByteBuffer, size: Int) async throws -> String {
        if let limit = extensions.size, limit > 0, size > limit {
            throw DeliveryFailure(
                error: .permanent(code: 552, enhanced: "5.3.4", message: "the message is \(size) bytes; the server takes at most \(limit)"),
                sessionUsable: true)
        }
        let envelope = ["MAIL FROM:<\(from)>" + (extensions.size == nil ? "" : " SIZE=\(size)")]
            + recipients.map { "RCPT TO:<\($0)>" }
        do {
            if extensions.pipelining {
                connection.write(envelope.map { $0 + "\r\n" }.joined())
                var rejection: (reply: SMTPReply, command: String)?
                for command in envelope {
                    let reply: SMTPReply
                    do {
                        reply = try await connection.reply()
                    } catch where rejection != nil {
                        break  // e.g. the connection closed after a 421: report the 421
                    }
                    if rejection == nil, reply.code / 100 != 2 { rejection = (reply, command) }
                }
                if let rejection { throw await rejected(rejection.reply, rejection.command) }
            } else {
                for command in envelope {
                    let reply = try await connection.command(command)
                    guard reply.code / 100 == 2 else { throw await rejected(reply, command) }
                }
            }
            let reply = try await connection.command("DATA")
            guard reply.code == 354 else { throw await rejected(reply, "DATA") }
        } catch let failure as DeliveryFailure {
            throw failure
        } catch {
            // Until the final "." has been sent the server cannot have accepted the message.
            throw DeliveryFailure(
                error: SMTPReplyHandler.Failure.describe(error, while: "the mail transaction", timeout: timeoutSeconds),
                retryable: SMTPReplyHandler.Failure.isConnectionLoss(error))
        }
        connection.write(data)
        let reply: SMTPReply
        do {
            reply = try await connection.reply()
        } catch {
            throw DeliveryFailure(error: SMTPReplyHandler.Failure.describe(error, while: "waiting for the reply to the message data",
                                                                           timeout: timeoutSeconds))
        }
        if reply.code / 100 == 2 { return reply.summary }
        if reply.code == 421 { connection.close() }
        throw DeliveryFailure(error: SMTPError(reply, "message data"), sessionUsable: reply.code >= 400 && reply.code != 421)
    }

    private var timeoutSeconds: Double { Double(connection.timeout.nanoseconds) / 1_000_000_000 }

    /// The failure a negative reply in the envelope means; the transaction is reset so the session can be reused.
    private func rejected(_ reply: SMTPReply, _ command: String) async -> DeliveryFailure {
        if reply.code == 421 {
            connection.close()
            return DeliveryFailure(error: SMTPError(reply, command), retryable: true)
        }
        guard reply.code >= 400 else {
            connection.close()
            return DeliveryFailure(error: .transient(code: reply.code, message: "unexpected reply to \(command): \(reply.summary)"))
        }
        let reset = try? await connection.command("RSET")
        return DeliveryFailure(error: SMTPError(reply, command), sessionUsable: reset?.code == 250)
    }
}

/// Reads CRLF-terminated reply lines, joins `250-` continuations into one `SMTPReply` and hands replies out in order.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    enum Failure: Error {
        case closed
        case timedOut
        case io(any Error)
        case malformed(String)

        /// The server closed or reset the connection (rather than being slow or speaking nonsense).
        static func isConnectionLoss(_ error: any Error) -> Bool {
            switch error as? Failure {
            case .closed, .io(is IOError): return true
            default: return false
            }
        }

        static func describe(_ error: any Error, while step: String, timeout: Double) -> SMTPError {
            if let error = error as? SMTPError { return error }
            let reason: String
            switch error as? Failure {
            case .closed: reason = "the server closed the connection"
            case .timedOut: reason = "no reply within \(timeout)s"
            case .io(let cause as NIOSSLError): reason = "TLS failure: \(cause)"
            case .io(let cause as NIOSSLExtraError): reason = "TLS failure: \(cause)"
            case .io(let cause as BoringSSLError): reason = "TLS failure: \(cause)"
            case .io(let cause): reason = "\(cause)"
            case .malformed(let what): reason = what
            case nil: reason = "\(error)"
            }
            return .transient(code: nil, message: "\(step): \(reason)")
        }
    }

    private var buffer = ByteBuffer()
    private var partial: (code: Int, lines: [String])?
    private var replies = CircularBuffer<SMTPReply>()
    private var waiters = CircularBuffer<(promise: EventLoopPromise<SMTPReply>, timeout: TimeAmount)>()
    private var timer: Scheduled<Void>?
    private var failure: Failure?
    private var context: ChannelHandlerContext?

    /// Bytes or replies that arrived and have not been asked for.
    var hasUnreadInput: Bool { buffer.readableBytes > 0 || partial != nil || !replies.isEmpty }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func nextReply(timeout: TimeAmount, on eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        if let reply = replies.popFirst() { return eventLoop.makeSucceededFuture(reply) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        guard context != nil else { return eventLoop.makeFailedFuture(Failure.closed) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiters.append((promise, timeout))
        if waiters.count == 1 { armTimer() }
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        buffer.writeBuffer(&bytes)
        while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            var line = buffer.readBytes(length: newline - buffer.readerIndex) ?? []
            buffer.moveReaderIndex(forwardBy: 1)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            parse(line)
            if failure != nil { return }
        }
        if buffer.readableBytes > 4096 { fail(.malformed("a reply line longer than 4096 bytes")) }
        buffer.discardReadBytes()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.io(error))
    }

    private func parse(_ line: [UInt8]) {
        let digits = line.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let code = Int(String(decoding: digits, as: UTF8.self)), (200...599).contains(code),
              line.count == 3 || line[3] == UInt8(ascii: " ") || line[3] == UInt8(ascii: "-")
        else { return fail(.malformed("not an SMTP reply: \(String(decoding: line.prefix(80), as: UTF8.self).debugDescription)")) }
        if let partial, partial.code != code { return fail(.malformed("reply code changed from \(partial.code) to \(code) mid-reply")) }
        let text = line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : ""
        var current = partial ?? (code, [])
        current.lines.append(text)
        guard line.count == 3 || line[3] == UInt8(ascii: " ") else {
            partial = current
            return
        }
        partial = nil
        let reply = SMTPReply(code: current.code, lines: current.lines)
        if let waiter = waiters.popFirst() {
            timer?.cancel()
            if !waiters.isEmpty { armTimer() }
            waiter.promise.succeed(reply)
        } else {
            replies.append(reply)
        }
    }

    private func armTimer() {
        guard let context, let timeout = waiters.first?.timeout else { return }
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            fail(.timedOut)
        }
    }

    /// Fails every waiter and closes: after a timeout or garbage the conversation cannot be trusted.
    private func fail(_ reason: Failure) {
        if failure == nil { failure = reason }
        timer?.cancel()
        timer = nil
        while let waiter = waiters.popFirst() { waiter.promise.fail(reason) }
        context?.close(promise: nil)
    }
}
