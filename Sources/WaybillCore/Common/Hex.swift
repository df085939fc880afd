/// Lowercase hexadecimal, two digits a byte: digests, keys, tokens. `String(format: "%02x")` per byte
/// costs a formatter call each and showed up in the request path's profile.
extension Sequence where Element == UInt8 {
    public var hexString: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
