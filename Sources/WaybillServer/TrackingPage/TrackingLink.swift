import Crypto
import Foundation
import Vapor

/// The tracking page's link, `/t/{token}`: the order's id and the day the link stops working, signed with
/// the deployment's secret. Unguessable (a 128-bit MAC), checked without the database, and short enough
/// for an SMS (50 characters).
struct TrackingLink: Equatable, Sendable {
    var orderID: UUID
    /// Days since 1970-01-01 (UTC) after which the link is refused.
    var expiresDay: UInt32

    /// Links in messages work for 400 days: long after delivery, for returns and questions.
    static let lifetimeDays = 400

    init(orderID: UUID, expiresDay: UInt32) {
        self.orderID = orderID
        self.expiresDay = expiresDay
    }

    init(orderID: UUID, issuedAt: Date) {
        self.init(orderID: orderID, expiresDay: UInt32(max(0, issuedAt.timeIntervalSince1970 / 86_400)) + UInt32(Self.lifetimeDays))
    }

    var expires: Date { Date(timeIntervalSince1970: Double(expiresDay + 1) * 86_400) }

    func signed(secret: String) -> String {
        let payload = Base64URL.encode(Self.bytes(orderID, expiresDay))
        return payload + Self.mac(payload, secret: secret)
    }

    enum Refusal: Error, Equatable { case malformed, tampered, expired }

    /// The link's order, or why the token is refused. The MAC is compared in constant time.
    static func verify(_ token: String, secret: String, now: Date) -> Result<TrackingLink, Refusal> {
        // 20 bytes → 27 characters of payload, 16 bytes → 22 of MAC.
        guard token.utf8.count == 49, token.utf8.allSatisfy({ $0 < 128 }) else { return .failure(.malformed) }
        let payload = String(token.prefix(27)), given = Array(token.suffix(22).utf8)
        guard let data = Base64URL.decode(payload), data.count == 20 else { return .failure(.malformed) }
        let expected = Array(mac(payload, secret: secret).utf8)
        guard expected.count == given.count, zip(expected, given).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return .failure(.tampered) }
        let id = data.prefix(16).withUnsafeBytes { raw in UUID(uuid: raw.loadUnaligned(as: uuid_t.self)) }
        let day = data.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let link = TrackingLink(orderID: id, expiresDay: day)
        return now >= link.expires ? .failure(.expired) : .success(link)
    }

    private static func bytes(_ id: UUID, _ day: UInt32) -> Data {
        var data = withUnsafeBytes(of: id.uuid) { Data($0) }
        data.append(contentsOf: [UInt8(day >> 24 & 0xFF), UInt8(day >> 16 & 0xFF), UInt8(day >> 8 & 0xFF), UInt8(day & 0xFF)])
        return data
    }

    private static func mac(_ payload: String, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(("track:" + payload).utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Base64URL.encode(Data(code).prefix(16))
    }
}

extension Application {
    /// The tracking page's address for an order, as messages and the API give it out.
    func trackingURL(orderID: UUID, at time: Date) async throws -> String {
        outboxConfiguration.publicURL + "/t/" + TrackingLink(orderID: orderID, issuedAt: time).signed(secret: try await linkSecret())
    }
}
