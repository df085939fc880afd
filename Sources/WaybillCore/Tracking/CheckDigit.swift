/// A check-digit scheme a carrier publishes for its tracking numbers.
///
/// Raw values are the configuration spelling. Each scheme reads the normalised number (ASCII,
/// upper case) and says whether its last check character agrees with the rest.
/// Algorithms follow the definitions collected in `jkeen/tracking_number_data`
/// (`CHECKSUM_ALGORITHMS.md` and `couriers/*.json`), which cite the carriers' own specifications.
public enum CheckDigitAlgorithm: String, Sendable, Hashable, Codable, CaseIterable {
    /// UPS `1Z`: mod 10 over the 15 characters after `1Z`, letters folded to digits, odd places ×2.
    case ups1Z = "ups_1z"
    /// FedEx Express 12 digits: weights 1, 3, 7 from the right, sum mod 11, 10 counts as 0.
    case fedexMod11 = "fedex_mod11"
    /// GS1 mod 10 (weights 3, 1 from the right) over every digit before the check digit:
    /// USPS 20/22/26 digits, FedEx Ground 15 digits, SSCC.
    case gs1Mod10 = "gs1_mod10"
    /// USPS IMpb printed without its `91` application identifier: GS1 mod 10 over `91` + the digits.
    case gs1Mod10Implied91 = "gs1_mod10_implied_91"
    /// FedEx SmartPost printed without its `92` application identifier.
    case gs1Mod10Implied92 = "gs1_mod10_implied_92"
    /// FedEx Ground `96` 22 digits: the check covers only the last 14 data digits (the 15-digit
    /// Ground number inside the barcode), not the `96`, SCNC and service code in front.
    case fedexGround96 = "fedex_ground_96"
    /// DHL Express: the digits before the check digit, read as one number, mod 7.
    case mod7
    /// UPU S10 (`EE123456785KR`): weights 8-6-4-2-3-5-9-7 on the 8 serial digits,
    /// 11 − (sum mod 11), with 10 → 0 and 11 → 5; the two-letter suffix must be a country.
    case upuS10 = "upu_s10"

    /// Whether `number` (normalised ASCII bytes) carries a correct check digit under this scheme.
    public func verify<C: RandomAccessCollection>(_ number: C) -> Bool where C.Element == UInt8, C.Index == Int {
        // S10 ends in a country code, not its check digit; it checks the whole identifier itself.
        if self == .upuS10 { return CheckDigit.s10(number) }
        guard let last = number.last, let check = asciiDigit(last) else { return false }
        let start = number.startIndex
        let body = number[start..<(number.endIndex - 1)]
        switch self {
        case .ups1Z: return CheckDigit.ups(body) == check
        case .fedexMod11: return CheckDigit.fedexMod11(body) == check
        case .gs1Mod10: return CheckDigit.gs1(prefix: [], body) == check
        case .gs1Mod10Implied91: return CheckDigit.gs1(prefix: [9, 1], body) == check
        case .gs1Mod10Implied92: return CheckDigit.gs1(prefix: [9, 2], body) == check
        case .fedexGround96:
            guard body.count >= 14 else { return false }
            return CheckDigit.gs1(prefix: [], body.suffix(14)) == check
        case .mod7: return CheckDigit.mod7(body) == check
        case .upuS10: return false  // handled above
        }
    }
}

/// The arithmetic behind `CheckDigitAlgorithm`, on ASCII bytes so detection never builds strings.
enum CheckDigit {
    /// UPS folds letters to digits as (ASCII − 3) mod 10: A→2 … I→0, S→0, Z→7.
    static func upsValue(_ byte: UInt8) -> Int? {
        if let d = asciiDigit(byte) { return d }
        guard byte >= 65, byte <= 90 else { return nil }
        return (Int(byte) - 3) % 10
    }

    /// `body` is the whole number without its check digit, starting with `1Z`.
    static func ups<C: Collection>(_ body: C) -> Int? where C.Element == UInt8 {
        var sum = 0
        for (index, byte) in body.dropFirst(2).enumerated() {
            guard let value = upsValue(byte) else { return nil }
            sum += index % 2 == 1 ? value * 2 : value
        }
        return (10 - sum % 10) % 10
    }

    static func fedexMod11<C: BidirectionalCollection>(_ body: C) -> Int? where C.Element == UInt8 {
        let weights = [1, 3, 7]
        var sum = 0
        for (index, byte) in body.reversed().enumerated() {
            guard let d = asciiDigit(byte) else { return nil }
            sum += d * weights[index % 3]
        }
        return sum % 11 % 10
    }

    /// GS1 weights the digit next to the check digit by 3, then alternates 1, 3 leftwards.
    static func gs1<C: BidirectionalCollection>(prefix: [Int], _ body: C) -> Int? where C.Element == UInt8 {
        var sum = 0
        var weight = 3
        for byte in body.reversed() {
            guard let d = asciiDigit(byte) else { return nil }
            sum += d * weight
            weight = 4 - weight
        }
        for d in prefix.reversed() {
            sum += d * weight
            weight = 4 - weight
        }
        return (10 - sum % 10) % 10
    }

    static func mod7<C: Collection>(_ body: C) -> Int? where C.Element == UInt8 {
        var remainder = 0
        for byte in body {
            guard let d = asciiDigit(byte) else { return nil }
            remainder = (remainder * 10 + d) % 7
        }
        return remainder
    }

    /// Checks a whole 13-character S10 identifier, including that the suffix is a real country.
    static func s10<C: RandomAccessCollection>(_ number: C) -> Bool where C.Element == UInt8, C.Index == Int {
        guard number.count == 13 else { return false }
        let s = number.startIndex
        let weights = [8, 6, 4, 2, 3, 5, 9, 7]
        var sum = 0
        for i in 0..<8 {
            guard let d = asciiDigit(number[s + 2 + i]) else { return false }
            sum += d * weights[i]
        }
        var check = 11 - sum % 11
        if check == 10 { check = 0 } else if check == 11 { check = 5 }
        guard asciiDigit(number[s + 10]) == check else { return false }
        let country = String(decoding: [number[s + 11], number[s + 12]], as: UTF8.self)
        return CountryCode.isValid(country)
    }
}

@inline(__always)
func asciiDigit(_ byte: UInt8) -> Int? {
    byte >= 48 && byte <= 57 ? Int(byte - 48) : nil
}
