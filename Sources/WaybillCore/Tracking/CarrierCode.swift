/// Names a carrier in configuration, URLs and storage (`cj`, `ups`, `acme_express`).
///
/// A wrapper rather than a bare `String` so a carrier code cannot be passed where a tracking
/// number or a service name is expected.
public struct CarrierCode: RawRepresentable, Hashable, Sendable, Codable, Comparable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    public static func < (lhs: CarrierCode, rhs: CarrierCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Lower-case letters, digits and `_`, 2–32 long, starting with a letter: safe in URLs,
    /// metric labels and file names without escaping.
    public var isWellFormed: Bool {
        let bytes = Array(rawValue.utf8)
        guard (2...32).contains(bytes.count), let first = bytes.first, (97...122).contains(first) else {
            return false
        }
        return bytes.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }

    public static let cj: CarrierCode = "cj"
    public static let kpost: CarrierCode = "kpost"
    public static let kpostEMS: CarrierCode = "kpost_ems"
    public static let hanjin: CarrierCode = "hanjin"
    public static let lotte: CarrierCode = "lotte"
    public static let logen: CarrierCode = "logen"
    public static let ups: CarrierCode = "ups"
    public static let fedex: CarrierCode = "fedex"
    public static let usps: CarrierCode = "usps"
    public static let dhlExpress: CarrierCode = "dhl_express"
    public static let sandbox: CarrierCode = "sandbox"
}
