import Foundation

/// One message's templates: an e-mail has a subject, a plain-text body and an HTML fragment (the
/// sender wraps it in the shop's branded layout); an SMS has only `text`.
public struct TemplateSet: Sendable, Equatable, Codable {
    public var subject: String?
    public var text: String
    public var html: String?

    public init(subject: String?, text: String, html: String?) {
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// The messages every shop starts with, in Korean and English, until it writes its own.
public enum DefaultTemplates {
    /// `locale` "ko", "ko-KR" → Korean; anything else → English.
    public static func template(_ trigger: NotificationTrigger, channel: NotificationChannel, locale: String) -> TemplateSet {
        let korean = NotificationContent.language(locale) == "ko"
        switch channel {
        case .email:
            return (korean ? KoreanCopy.email(trigger) : EnglishCopy.email(trigger)).templates
        case .sms:
            return TemplateSet(subject: nil, text: korean ? KoreanCopy.sms(trigger) : EnglishCopy.sms(trigger), html: nil)
        }
    }
}

/// A default e-mail written once and laid out twice, so its text and HTML bodies cannot drift apart.
struct EmailCopy {
    var subject: String
    var heading: String
    var blocks: [CopyBlock]

    var templates: TemplateSet { TemplateSet(subject: subject, text: text, html: html) }

    /// Blocks are separated by one blank line, written before each block, so a skipped block at the
    /// end leaves nothing behind.
    var text: String { String(blocks.map(\.text).joined().dropFirst()) }

    var html: String { "<h1>\(CopyBlock.escape(heading))</h1>\n" + blocks.map(\.html).joined() }
}

/// One part of a default e-mail. Strings are template source; `list`, `url` and `when` are value paths.
indirect enum CopyBlock {
    case paragraph(String)
    /// "Label: value" lines; a fact with `when` shows only if that value is there.
    case facts([(label: String, value: String, when: String?)])
    /// A titled list over `order.items` or `shipment.items`, one `line` per item.
    case items(title: String, list: String, line: String)
    case link(String, url: String)
    case when(String, [CopyBlock])

    // Block tags sit alone on their lines, which the template language removes whole: no blank lines
    // are left behind when a block is skipped.
    var text: String {
        switch self {
        case .paragraph(let text):
            return "\n\(text)\n"
        case .facts(let facts):
            return "\n" + facts.map { Self.guarded($0.when, "\($0.label): \($0.value)\n") }.joined()
        case .items(let title, let list, let line):
            return "\n\(title)\n{{#each \(list)}}\n- \(line)\n{{/each}}\n"
        case .link(let label, let url):
            return "\n\(label): {{\(url)}}\n"
        case .when(let path, let blocks):
            return Self.guarded(path, blocks.map(\.text).joined())
        }
    }

    var html: String {
        switch self {
        case .paragraph(let text):
            return "<p>\(Self.escape(text))</p>\n"
        case .facts(let facts):
            let lines = facts.map { Self.guarded($0.when, "<li>\(Self.escape($0.label)): <strong>\(Self.escape($0.value))</strong></li>\n") }
            return "<ul>\n" + lines.joined() + "</ul>\n"
        case .items(let title, let list, let line):
            return "<p><strong>\(Self.escape(title))</strong></p>\n<ul>\n{{#each \(list)}}\n<li>\(Self.escape(line))</li>\n{{/each}}\n</ul>\n"
        case .link(let label, let url):
            return "<p><a href=\"{{\(url)}}\">\(Self.escape(label))</a></p>\n"
        case .when(let path, let blocks):
            return Self.guarded(path, blocks.map(\.html).joined())
        }
    }

    private static func guarded(_ path: String?, _ body: String) -> String {
        guard let path else { return body }
        return "{{#if \(path)}}\n\(body){{/if}}\n"
    }

    /// The copy's own characters; template tags contain none of these.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
