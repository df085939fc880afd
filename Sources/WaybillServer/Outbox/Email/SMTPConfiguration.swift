import Foundation

/// Where and how Waybill submits mail, parsed from `SMTP_URL`.
///
/// `smtp://user:pass@host:587?starttls=required|optional|off&ca=/path/ca.pem&verify=false&helo=name&pool=4&timeout=30`
/// or `smtps://user:pass@host:465` (TLS from the first byte).
struct SMTPConfiguration: Sendable, Equatable {
    enum Security: Sendable, Equatable {
        case plain
        case startTLS(required: Bool)
        case implicitTLS
    }

    /// Why `SMTP_URL` was refused; never contains the password.
    struct ParseError: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    var host: String
    var port: Int
    var security: Security
    var username: String?
    var password: String?
    var heloName: String
    /// Seconds allowed for connecting and for each reply.
    var timeout: Double
    /// A PEM file of extra trusted roots (e.g. a test server's self-signed certificate).
    var trustRootsPath: String?
    var verifyCertificates: Bool
    var maxConnections: Int

    init(
        host: String, port: Int, security: Security, username: String? = nil, password: String? = nil,
        heloName: String = SMTPConfiguration.defaultHeloName, timeout: Double = 30, trustRootsPath: String? = nil,
        verifyCertificates: Bool = true, maxConnections: Int = 4
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.heloName = heloName
        self.timeout = timeout
        self.trustRootsPath = trustRootsPath
        self.verifyCertificates = verifyCertificates
        self.maxConnections = maxConnections
    }

    init(url: String) throws(ParseError) {
        // The URL itself is never quoted in an error: it may hold the password.
        guard let components = URLComponents(string: url.trimmingCharacters(in: .whitespaces)),
              let scheme = components.scheme?.lowercased()
        else { throw ParseError(description: "SMTP_URL is not a URL (expected smtp://user:pass@host:587)") }
        guard scheme == "smtp" || scheme == "smtps" else {
            throw ParseError(description: "SMTP_URL has scheme '\(scheme)'; use smtp:// (STARTTLS) or smtps:// (implicit TLS)")
        }
        var host = components.percentEncodedHost?.removingPercentEncoding ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ParseError(description: "SMTP_URL has no host") }
        guard components.path.isEmpty || components.path == "/" else {
            throw ParseError(description: "SMTP_URL must not have a path (got '\(components.path)')")
        }
        let port = components.port ?? (scheme == "smtps" ? 465 : 587)
        guard (1...65_535).contains(port) else { throw ParseError(description: "SMTP_URL port \(port) is out of range") }

        let username = try Self.decoded(components.percentEncodedUser, "user name")
        let password = try Self.decoded(components.percentEncodedPassword, "password")
        if username != nil, password == nil { throw ParseError(description: "SMTP_URL has a user name but no password") }
        if username?.isEmpty == true { throw ParseError(description: "SMTP_URL has an empty user name") }

        let loopback = Self.isLoopback(host)
        self.init(host: host, port: port, security: scheme == "smtps" ? .implicitTLS : .startTLS(required: !loopback),
                  username: username, password: password)
        var seen: Set<String> = []
        for item in components.queryItems ?? [] {
            let key = item.name.lowercased()
            let value = item.value ?? ""
            guard seen.insert(key).inserted else { throw ParseError(description: "SMTP_URL option '\(key)' is given twice") }
            switch key {
            case "starttls":
                guard scheme == "smtp" else { throw ParseError(description: "SMTP_URL option 'starttls' only applies to smtp://") }
                switch value.lowercased() {
                case "required": security = .startTLS(required: true)
                case "optional": security = .startTLS(required: false)
                case "off": security = .plain
                default: throw ParseError(description: "SMTP_URL option 'starttls' must be required, optional or off (got '\(value)')")
                }
            case "ca":
                guard !value.isEmpty else { throw ParseError(description: "SMTP_URL option 'ca' needs a file path") }
                guard FileManager.default.isReadableFile(atPath: value) else {
                    throw ParseError(description: "SMTP_URL option 'ca': cannot read '\(value)'")
                }
                trustRootsPath = value
            case "verify":
                switch value.lowercased() {
                case "true", "1", "yes": verifyCertificates = true
                case "false", "0", "no": verifyCertificates = false
                default: throw ParseError(description: "SMTP_URL option 'verify' must be true or false (got '\(value)')")
                }
            case "helo":
                guard Self.isValidHeloName(value) else {
                    throw ParseError(description: "SMTP_URL option 'helo' must be a domain name or address literal (got '\(value)')")
                }
                heloName = value
            case "pool":
                guard let count = Int(value), (1...1_000).contains(count) else {
                    throw ParseError(description: "SMTP_URL option 'pool' must be a number of connections from 1 to 1000 (got '\(value)')")
                }
                maxConnections = count
            case "timeout":
                guard let seconds = Double(value), seconds > 0, seconds <= 3_600 else {
                    throw ParseError(description: "SMTP_URL option 'timeout' must be seconds from 0 to 3600 (got '\(value)')")
                }
                timeout = seconds
            default:
                throw ParseError(description: "SMTP_URL has unknown option '\(item.name)' (known: starttls, ca, verify, helo, pool, timeout)")
            }
        }
        if security == .plain, scheme == "smtp", username != nil, !loopback {
            throw ParseError(description: "SMTP_URL has credentials but starttls=off; they would cross the network in clear text")
        }
    }

    /// Loopback servers may be spoken to without TLS, and given credentials in clear text.
    var isLoopback: Bool { Self.isLoopback(host) }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    static var defaultHeloName: String {
        let name = ProcessInfo.processInfo.hostName
        return isValidHeloName(name) && !name.isEmpty ? name : "localhost"
    }

    static func isValidHeloName(_ name: String) -> Bool {
        if name.hasPrefix("[") { return MailAddress.isValidAddressLiteral(name) }
        return MailAddress.isValidDomainName(name)
    }

    private static func decoded(_ encoded: String?, _ what: String) throws(ParseError) -> String? {
        guard let encoded else { return nil }
        guard let decoded = encoded.removingPercentEncoding else {
            throw ParseError(description: "SMTP_URL \(what) has a malformed %-escape")
        }
        return decoded
    }
}

extension SMTPConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A summary for logs; the password is never part of it.
    var description: String {
        let scheme = security == .implicitTLS ? "smtps" : "smtp"
        let user = username.map { "\($0.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? "?"):***@" } ?? ""
        let hostPart = host.contains(":") ? "[\(host)]" : host
        var options: [String] = []
        switch security {
        case .plain: options.append("starttls=off")
        case .startTLS(let required): options.append("starttls=\(required ? "required" : "optional")")
        case .implicitTLS: break
        }
        if let trustRootsPath { options.append("ca=\(trustRootsPath)") }
        if !verifyCertificates { options.append("verify=false") }
        options += ["helo=\(heloName)", "pool=\(maxConnections)", "timeout=\(timeout)"]
        return "\(scheme)://\(user)\(hostPart):\(port)?\(options.joined(separator: "&"))"
    }

    var debugDescription: String { description }

    /// `dump()` and reflection show the fields with the password masked.
    var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "port": port, "security": security, "username": username as Any,
            "password": password == nil ? "nil" : "***", "heloName": heloName, "timeout": timeout,
            "trustRootsPath": trustRootsPath as Any, "verifyCertificates": verifyCertificates, "maxConnections": maxConnections,
        ])
    }
}
