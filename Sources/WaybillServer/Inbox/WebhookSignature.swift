import Crypto
import Foundation
import WaybillCore

/// How each inbound source proves a request is its own. Every comparison is constant-time.
enum WebhookSignature {
    enum Scheme: String, Sendable, CaseIterable {
        /// `aftership-hmac-sha256`: base64 HMAC-SHA256 of the raw body.
        case aftership
        /// `X-Hmac-Signature: hmac-sha256-hex=<hex>`, HMAC-SHA256 of the raw body with the NFKD-normalised secret.
        case easypost
        /// `X-Karrio-Signature`: hex HMAC-SHA256 of the raw body.
        case karrio
        /// `Waybill-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, within five minutes.
        case waybill
    }

    static let tolerance: TimeInterval = 300

    static func verify(_ scheme: Scheme, headers: [String: String], body: Data, secret: String, now: Date) -> Bool {
        func header(_ name: String) -> String? { headers[name.lowercased()] }
        switch scheme {
        case .aftership:
            guard let given = header("aftership-hmac-sha256"), let bytes = Data(base64Encoded: given) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
        case .easypost:
            guard let given = header("x-hmac-signature"), given.hasPrefix("hmac-sha256-hex="),
                  let bytes = hex(String(given.dropFirst("hmac-sha256-hex=".count))) else { return false }
            let key = SymmetricKey(data: Data(secret.decomposedStringWithCompatibilityMapping.utf8))
            return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: body, using: key)
        case .karrio:
            guard let given = header("x-karrio-signature"), let bytes = hex(given) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
        case .waybill:
            guard let given = header("waybill-signature") else { return false }
            var timestamp: String?
            var signatures: [Data] = []
            for part in given.split(separator: ",") {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { continue }
                if pair[0] == "t" { timestamp = pair[1] } else if pair[0] == "v1", let bytes = hex(pair[1]) { signatures.append(bytes) }
            }
            guard let timestamp, let seconds = TimeInterval(timestamp), abs(now.timeIntervalSince1970 - seconds) <= tolerance else { return false }
            let signed = Data((timestamp + ".").utf8) + body
            let key = SymmetricKey(data: Data(secret.utf8))
            return signatures.contains { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: signed, using: key) }
        }
    }

    /// The `Waybill-Signature` header for a body, as a sender (and the tests and docs) computes it.
    static func waybillHeader(body: Data, secret: String, at time: Date) -> String {
        let t = String(Int(time.timeIntervalSince1970))
        let mac = HMAC<SHA256>.authenticationCode(for: Data((t + ".").utf8) + body, using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(t),v1=" + Data(mac).hexString
    }

    static func hex(_ text: String) -> Data? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0, chars.count <= 256 else { return nil }
        var out = Data(capacity: chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
