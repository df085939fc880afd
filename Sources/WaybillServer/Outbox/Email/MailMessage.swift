import Foundation

/// An RFC 5321 mailbox (ASCII only: Waybill does not speak SMTPUTF8) with an optional display name.
struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// Why a string is not a usable address; the message says which rule it broke.
    struct Invalid: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    let address: String
    let name: String?

    init(_ address: String, name: String? = nil) throws(Invalid) {
        func invalid(_ reason: String) -> Invalid {
            let shown = address.count > 80 ? String(address.prefix(80)) + "…" : address
            return Invalid(description: "invalid e-mail address \(shown.debugDescription): \(reason)")
        }
        let forbidden: Set<Unicode.Scalar> = ["\r", "\n", "\0"]
        if address.unicodeScalars.contains(where: forbidden.contains) { throw invalid("contains a line break or NUL") }
        if let name, name.unicodeScalars.contains(where: forbidden.contains) {
            throw invalid("the display name contains a line break or NUL")
        }
        guard !address.isEmpty else { throw invalid("it is empty") }
        guard address.utf8.count <= 254 else { throw invalid("longer than 254 characters") }
        guard address.unicodeScalars.allSatisfy(\.isASCII) else {
            throw invalid("only ASCII addresses are supported (no SMTPUTF8)")
        }
        guard let at = address.lastIndex(of: "@") else { throw invalid("has no '@'") }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty else { throw invalid("the part before '@' is empty") }
        guard local.utf8.count <= 64 else { throw invalid("the part before '@' is longer than 64 characters") }
        guard Self.isValidLocalPart(local) else {
            throw invalid("the part before '@' must be dot-separated words of letters, digits and !#$%&'*+-/=?^_`{|}~, or a quoted string")
        }
        guard !domain.isEmpty else { throw invalid("the domain is empty") }
        if domain.hasPrefix("[") {
            guard Self.isValidAddressLiteral(domain) else { throw invalid("the address literal \(domain) is malformed") }
        } else {
            guard Self.isValidDomainName(domain) else {
                throw invalid("the domain must be dot-separated labels of letters, digits and inner hyphens, each at most 63 long")
            }
        }
        self.address = address
        self.name = name.flatMap { $0.isEmpty ? nil : $0 }
    }

    var description: String { name.map { "\($0) <\(address)>" } ?? address }

    private static let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~".unicodeScalars)

    static func isAtext(_ scalar: Unicode.Scalar) -> Bool { atext.contains(scalar) }

    static func isValidLocalPart(_ local: Substring) -> Bool {
        if local.hasPrefix("\"") {
            // Quoted-string (RFC 5321 4.1.2): qtextSMTP or a backslash before any printable character.
            let scalars = Array(local.unicodeScalars)
            guard scalars.count >= 2, scalars.last == "\"" else { return false }
            var index = 1
            while index < scalars.count - 1 {
                let value = scalars[index].value
                if value == 92 {
                    guard index + 1 < scalars.count - 1, (32...126).contains(scalars[index + 1].value) else { return false }
                    index += 2
                } else {
                    guard (32...126).contains(value), value != 34 else { return false }
                    index += 1
                }
            }
            return true
        }
        return local.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { atom in
            !atom.isEmpty && atom.unicodeScalars.allSatisfy(isAtext)
        }
    }

    static func isValidDomainName<S: StringProtocol>(_ domain: S) -> Bool {
        guard !domain.isEmpty, domain.utf8.count <= 253 else { return false }
        return domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let scalars = label.unicodeScalars
            guard (1...63).contains(scalars.count), let first = scalars.first, let last = scalars.last else { return false }
            return isLetDig(first) && isLetDig(last) && scalars.allSatisfy { isLetDig($0) || $0 == "-" }
        }
    }

    private static func isLetDig(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// `[192.0.2.1]`, `[IPv6:2001:db8::1]` or a general `[tag:content]` literal (RFC 5321 4.1.3).
    static func isValidAddressLiteral<S: StringProtocol>(_ literal: S) -> Bool {
        guard literal.hasPrefix("["), literal.hasSuffix("]"), literal.count > 2 else { return false }
        let inner = String(literal.dropFirst().dropLast())
        if isIPv4(inner) { return true }
        guard let colon = inner.firstIndex(of: ":") else { return false }
        let tag = inner[..<colon]
        let content = inner[inner.index(after: colon)...]
        if tag.lowercased() == "ipv6" { return isIPv6(content) }
        let ldh = tag.unicodeScalars.allSatisfy { isLetDig($0) || $0 == "-" }
        return !tag.isEmpty && ldh && tag.last != "-" && !content.isEmpty
            && content.unicodeScalars.allSatisfy { (33...90).contains($0.value) || (94...126).contains($0.value) }
    }

    private static func isIPv4<S: StringProtocol>(_ text: S) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { $0.count <= 3 && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }
    }

    private static func isIPv6(_ text: Substring) -> Bool {
        var text = String(text)
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            // An embedded IPv4 tail takes the room of two groups.
            guard isIPv4(text[text.index(after: lastColon)...]) else { return false }
            text = text[...lastColon] + "0:0"
        }
        func groups(_ part: Substring) -> [Substring]? {
            guard !part.isEmpty else { return [] }
            let groups = part.split(separator: ":", omittingEmptySubsequences: false)
            return groups.allSatisfy { (1...4).contains($0.count) && $0.allSatisfy(\.isHexDigit) } ? groups : nil
        }
        let halves = text.components(separatedBy: "::")
        switch halves.count {
        case 1: return groups(Substring(text))?.count == 8
        case 2:
            guard let head = groups(Substring(halves[0])), let tail = groups(Substring(halves[1])) else { return false }
            return head.count + tail.count <= 7
        default: return false
        }
    }
}

/// One e-mail, rendered as RFC 5322 text by `rendered()`; the SMTP envelope is `from` and `to`.
struct MailMessage: Sendable {
    var from: MailAddress
    var to: [MailAddress]
    var replyTo: MailAddress?
    var subject: String
    var text: String
    var html: String?
    /// The id without angle brackets, e.g. `uuid@waybill.example`.
    var messageID: String
    var date: Date
    /// Extra header fields, e.g. `List-Unsubscribe`. Names that the renderer writes itself are ignored.
    var headers: [(name: String, value: String)]

    init(
        from: MailAddress, to: [MailAddress], replyTo: MailAddress? = nil, subject: String, text: String,
        html: String? = nil, messageID: String, date: Date, headers: [(name: String, value: String)] = []
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
        self.headers = headers
    }

    private static let ownHeaders: Set<String> = [
        "date", "from", "to", "cc", "bcc", "reply-to", "subject", "message-id", "mime-version",
        "content-type", "content-transfer-encoding",
    ]

    /// The message as RFC 5322 text with CRLF line ends, 7-bit clean, ending in CRLF.
    func rendered() -> String {
        var lines: [String] = []
        lines.append("Date: " + MailFormat.date(date))
        lines.append(MailFormat.addressField("From", [from]))
        lines.append(MailFormat.addressField("To", to))
        if let replyTo { lines.append(MailFormat.addressField("Reply-To", [replyTo])) }
        lines.append(MailFormat.unstructuredField("Subject", subject))
        let id = String(messageID.unicodeScalars.filter { (33...126).contains($0.value) && $0 != "<" && $0 != ">" }.map(Character.init))
        lines.append("Message-ID: <\(id)>")
        for header in headers {
            let name = String(header.name.unicodeScalars.filter { (33...126).contains($0.value) && $0 != ":" }.map(Character.init))
            guard !name.isEmpty, !Self.ownHeaders.contains(name.lowercased()) else { continue }
            lines.append(MailFormat.unstructuredField(name, header.value))
        }
        lines.append("MIME-Version: 1.0")
        let plain = ["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: quoted-printable"]
        guard let html else {
            return (lines + plain).joined(separator: "\r\n") + "\r\n\r\n" + MailFormat.quotedPrintable(text) + "\r\n"
        }
        // "=_" never occurs in quoted-printable output, so this boundary cannot collide with the parts.
        let boundary = "=_waybill_" + MailFormat.fnv1a(id + "\u{0}" + subject)
        lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
        var body = lines.joined(separator: "\r\n") + "\r\n\r\n"
        body += "--\(boundary)\r\n" + plain.joined(separator: "\r\n") + "\r\n\r\n" + MailFormat.quotedPrintable(text) + "\r\n"
        body += "--\(boundary)\r\n" + "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        body += MailFormat.quotedPrintable(html) + "\r\n--\(boundary)--\r\n"
        return body
    }
}

/// RFC 5322 / 2045–2047 formatting: folded header fields, encoded-words, quoted-printable bodies.
enum MailFormat {
    static let lineLimit = 78

    /// `Fri, 27 Nov 2026 09:00:00 +0000`
    static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    /// Control characters (CR and LF above all) become spaces, so a value can never start a new header field.
    static func sanitised(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.map { $0.value < 32 || $0.value == 127 ? " " : $0 }))
    }

    static func unstructuredField(_ name: String, _ value: String) -> String {
        let value = sanitised(value)
        var field = HeaderField(name: name)
        if value.unicodeScalars.allSatisfy(\.isASCII) && !value.contains("=?") {
            for (index, word) in value.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
                field.append(String(word), mayFoldBefore: index > 0 && !word.isEmpty)
            }
        } else {
            field.appendEncoded(value)
        }
        return field.rendered
    }

    static func addressField(_ name: String, _ addresses: [MailAddress]) -> String {
        var field = HeaderField(name: name)
        for (index, mailbox) in addresses.enumerated() {
            let separator = index < addresses.count - 1 ? "," : ""
            guard let displayName = mailbox.name.map(sanitised) else {
                field.append(mailbox.address + separator)
                continue
            }
            if !displayName.unicodeScalars.allSatisfy(\.isASCII) || displayName.contains("=?") {
                field.appendEncoded(displayName)
            } else if displayName.unicodeScalars.allSatisfy({ MailAddress.isAtext($0) || $0 == " " })
                        && !displayName.hasPrefix(" ") && !displayName.hasSuffix(" ") && !displayName.contains("  ") {
                for word in displayName.split(separator: " ") { field.append(String(word)) }
            } else {
                let escaped = displayName.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                field.append("\"\(escaped)\"")
            }
            field.append("<\(mailbox.address)>" + separator)
        }
        return field.rendered
    }

    /// One header field, folded (CRLF + space) so that no line passes 78 characters where a fold can help,
    /// nor 76 on a line that holds an encoded-word (RFC 2047 section 2).
    struct HeaderField {
        private var lines: [String] = []
        private var line: String
        private var hasContent = false
        private var hasEncodedWord = false

        init(name: String) { line = name + ":" }

        var rendered: String { (lines + [line]).joined(separator: "\r\n") }

        private var limit: Int { hasEncodedWord ? 76 : MailFormat.lineLimit }

        /// Appends " " + `token`, folding before it when it would not fit. A token is never split.
        mutating func append(_ token: String, mayFoldBefore: Bool = true) {
            if mayFoldBefore, hasContent, line.utf8.count + 1 + token.utf8.count > limit { fold() }
            line += " " + token
            hasContent = true
        }

        /// Appends `text` as RFC 2047 B encoded-words, each at most 75 characters and cut between characters.
        /// The whitespace between adjacent encoded-words is dropped by decoders, so `text` decodes back exactly.
        mutating func appendEncoded(_ text: String) {
            let scalars = Array(text.unicodeScalars)
            var index = 0
            while index < scalars.count {
                // "=?UTF-8?B?" + "?=" is 12 characters; the smallest useful word holds one 4-byte character.
                if min(75, 76 - line.utf8.count - 1) < 12 + 8 { fold() }
                let room = min(75, 76 - line.utf8.count - 1) - 12
                var bytes: [UInt8] = []
                while index < scalars.count {
                    let next = Array(String(scalars[index]).utf8)
                    guard (bytes.count + next.count + 2) / 3 * 4 <= room || bytes.isEmpty else { break }
                    bytes += next
                    index += 1
                }
                line += " =?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
                hasContent = true
                hasEncodedWord = true
            }
        }

        private mutating func fold() {
            lines.append(line)
            line = ""
            hasEncodedWord = false
        }
    }

    /// RFC 2045 quoted-printable of `text` as UTF-8 with CRLF line ends; lines stay within 76 characters and a
    /// soft break never falls inside an `=XX` or a multi-byte character. Works on the UTF-8 bytes into one
    /// buffer: every e-mail's HTML goes through here, and the first version made a String per character.
    static func quotedPrintable(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 4 + 16)
        let digits = Array("0123456789ABCDEF".utf8)
        var start = 0
        var index = 0
        var first = true
        // Hard lines end at CRLF, CR or LF; each is encoded on its own and ends with CRLF (but the last).
        func encode(_ line: Range<Int>) {
            if !first { out.append(13); out.append(10) }
            first = false
            var column = 0
            var j = line.lowerBound
            while j < line.upperBound {
                let byte = bytes[j]
                // A character is encoded whole: a UTF-8 lead byte says how many bytes it has.
                let width = byte < 0x80 ? 1 : min(byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2, line.upperBound - j)
                let literal = switch byte {
                case 32, 9: j != line.upperBound - 1 // a space or tab ending a line would be lost in transit
                case 33...60, 62...126: true
                default: false
                }
                let unit = literal ? 1 : 3 * width
                if column + unit > 75 {
                    out.append(61); out.append(13); out.append(10)
                    column = 0
                }
                if literal {
                    out.append(byte)
                } else {
                    for k in j..<(j + width) {
                        out.append(61); out.append(digits[Int(bytes[k] >> 4)]); out.append(digits[Int(bytes[k] & 0x0F)])
                    }
                }
                column += unit
                j += width
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 13 || byte == 10 {
                encode(start..<index)
                index += byte == 13 && index + 1 < bytes.count && bytes[index + 1] == 10 ? 2 : 1
                start = index
            } else {
                index += 1
            }
        }
        encode(start..<bytes.count)
        return String(decoding: out, as: UTF8.self)
    }

    /// A stable 64-bit FNV-1a hash as 16 hex digits.
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
