/// A compiled `NumberPattern.mask`: one byte test per position, so built-in detection never
/// touches a regular-expression engine (the ≥ 1 million numbers/s budget rules that out).
struct NumberMask: Hashable, Sendable {
    /// Per position: `digitSlot`, `letterSlot`, `alnumSlot`, or a literal upper-case ASCII byte.
    let slots: [UInt8]

    static let digitSlot: UInt8 = 1
    static let letterSlot: UInt8 = 2
    static let alnumSlot: UInt8 = 3

    /// Nil when the mask has a character that can never appear in a normalised number.
    init?(_ mask: String) {
        var slots: [UInt8] = []
        for byte in mask.utf8 {
            switch byte {
            case UInt8(ascii: "#"): slots.append(Self.digitSlot)
            case UInt8(ascii: "@"): slots.append(Self.letterSlot)
            case UInt8(ascii: "*"): slots.append(Self.alnumSlot)
            case 48...57, 65...90: slots.append(byte)
            case 97...122: slots.append(byte - 32)
            default: return nil
            }
        }
        guard (1...40).contains(slots.count) else { return nil }
        self.slots = slots
    }

    var count: Int { slots.count }

    func matches(_ number: [UInt8]) -> Bool {
        guard number.count == slots.count else { return false }
        for i in 0..<slots.count {
            let byte = number[i]
            switch slots[i] {
            case Self.digitSlot: if !isDigit(byte) { return false }
            case Self.letterSlot: if !isLetter(byte) { return false }
            case Self.alnumSlot: if !isDigit(byte) && !isLetter(byte) { return false }
            case let literal: if byte != literal { return false }
            }
        }
        return true
    }
}

/// How tracking numbers are compared: spaces, tabs, line breaks and dashes dropped, letters
/// upper-cased. Labels print numbers in groups (`1Z 999 AA1 01 2345 6784`) and people paste them so.
public enum TrackingNumberNormalizer {
    public static func normalize(_ number: String) -> String? {
        normalizedBytes(number).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Nil when anything other than ASCII letters, digits and separators remains, or nothing does.
    static func normalizedBytes(_ number: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(number.utf8.count)
        for byte in number.utf8 {
            switch byte {
            case 48...57, 65...90: out.append(byte)
            case 97...122: out.append(byte - 32)
            case 32, 9, 10, 13, UInt8(ascii: "-"): continue
            default: return nil
            }
        }
        return out.isEmpty || out.count > 40 ? nil : out
    }
}

@inline(__always) private func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
@inline(__always) private func isLetter(_ byte: UInt8) -> Bool { byte >= 65 && byte <= 90 }
