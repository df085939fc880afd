import Foundation

/// How a text message will be sent: one short SMS, or a long LMS (in several parts past the limit).
public struct SMSPlan: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case sms
        case lms
    }

    public var kind: Kind
    /// One message each; more than one only when the text is past the LMS limit.
    public var parts: [String]
    /// The whole text in EUC-KR bytes, as Korean carriers bill it.
    public var bytes: Int
    /// Characters EUC-KR cannot carry (emoji and the like): a carrier drops or garbles them, so an
    /// editor should warn. Each counts 2 bytes in `bytes`.
    public var unsupported: [Character]
}

/// Message length as carriers bill it: EUC-KR bytes for Korean SMS/LMS, GSM-7 or UCS-2 segments elsewhere.
public enum SMSText {
    /// ASCII counts 1 byte, Hangul and the rest of KS X 1001 2 bytes, anything else 2 (and is
    /// reported by `unsupportedCharacters`).
    public static func koreanBytes(_ s: String) -> Int {
        s.reduce(0) { $0 + (bytes(of: $1) ?? 2) }
    }

    /// The distinct characters of `s` outside EUC-KR, in order of first appearance.
    public static func unsupportedCharacters(_ s: String) -> [Character] {
        var seen = Set<Character>()
        return s.filter { bytes(of: $0) == nil && seen.insert($0).inserted }.map { $0 }
    }

    /// Up to `smsLimit` bytes: one SMS. Beyond: LMS, split past `lmsLimit` into parts of at most
    /// `lmsLimit` bytes, preferably at a line break in the second half of a part, else at the last
    /// space, else between two characters. The whitespace at a split is dropped.
    public static func plan(_ text: String, smsLimit: Int = 90, lmsLimit: Int = 2000) -> SMSPlan {
        let chars = Array(text)
        // No character is wider than 2 bytes, so a limit of 2 always makes progress.
        let sizes = chars.map { bytes(of: $0) ?? 2 }
        let total = sizes.reduce(0, +)
        let unsupported = unsupportedCharacters(text)
        if total <= smsLimit { return SMSPlan(kind: .sms, parts: [text], bytes: total, unsupported: unsupported) }
        let limit = max(lmsLimit, 2)
        if total <= limit { return SMSPlan(kind: .lms, parts: [text], bytes: total, unsupported: unsupported) }

        var parts: [String] = []
        var start = 0
        while start < chars.count {
            var end = start, used = 0
            while end < chars.count, used + sizes[end] <= limit {
                used += sizes[end]
                end += 1
            }
            guard end < chars.count else {
                parts.append(String(chars[start...]))
                break
            }
            // chars[end] is the first that does not fit; a break at a whitespace index in start+1...end
            // ends the part just before that whitespace.
            let candidates = (start + 1)...end
            let lineBreak = candidates.last { chars[$0].isNewline && $0 - start >= (end - start) / 2 }
            let cut = lineBreak ?? candidates.last { chars[$0].isWhitespace } ?? end
            var partEnd = cut
            while partEnd > start, chars[partEnd - 1].isWhitespace { partEnd -= 1 }
            if partEnd > start { parts.append(String(chars[start..<partEnd])) }
            start = cut
            while start < chars.count, chars[start].isWhitespace { start += 1 }
        }
        return SMSPlan(kind: .lms, parts: parts.isEmpty ? [""] : parts, bytes: total, unsupported: unsupported)
    }

    /// Segments for providers outside Korea: GSM-7 when every character is in the GSM alphabet
    /// (160 septets alone, 153 per part; extension characters take 2), else UCS-2 (70 alone, 67 per
    /// part, counted in UTF-16 units). A part never splits an escape pair or a surrogate pair. 0 for "".
    public static func gsmSegments(_ s: String) -> Int {
        guard !s.isEmpty else { return 0 }
        var septets: [Int] = []
        for scalar in s.unicodeScalars {
            if gsmBasic.contains(scalar) {
                septets.append(1)
            } else if gsmExtension.contains(scalar) {
                septets.append(2)
            } else {
                return segments(s.unicodeScalars.map { UTF16.width($0) }, single: 70, perPart: 67)
            }
        }
        return segments(septets, single: 160, perPart: 153)
    }

    private static func segments(_ sizes: [Int], single: Int, perPart: Int) -> Int {
        guard sizes.reduce(0, +) > single else { return 1 }
        var count = 1, used = 0
        for size in sizes {
            if used + size > perPart {
                count += 1
                used = 0
            }
            used += size
        }
        return count
    }

    /// EUC-KR bytes of one character, nil if it cannot be encoded. Decomposed Hangul (from some
    /// keyboards and macOS file names) is composed first, as a carrier's gateway would.
    static func bytes(of character: Character) -> Int? {
        if let n = eucKRBytes(character.unicodeScalars) { return n }
        return eucKRBytes(String(character).precomposedStringWithCanonicalMapping.unicodeScalars)
    }

    private static func eucKRBytes(_ scalars: some Sequence<Unicode.Scalar>) -> Int? {
        var total = 0
        for scalar in scalars {
            if scalar.isASCII {
                total += 1
            } else if (0xAC00...0xD7A3).contains(scalar.value) || KSX1001.contains(scalar) {
                total += 2
            } else {
                return nil
            }
        }
        return total
    }

    /// 3GPP TS 23.038 default alphabet, without the escape code.
    private static let gsmBasic = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
            .unicodeScalars)
    /// Sent as escape + character: two septets each.
    private static let gsmExtension = Set("\u{0C}^{}\\[~]|€".unicodeScalars)
}
