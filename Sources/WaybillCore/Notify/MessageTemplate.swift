import Foundation

/// A shop-editable message: text with `{{ order.number }}` values, `{{#if}}…{{else}}…{{/if}}`,
/// `{{#unless}}…{{/unless}}` and `{{#each}}…{{/each}}` blocks (and `{{! comments }}`).
///
/// Deliberately small: no expressions, helpers, partials or raw output, so a template can only
/// show the values its trigger offers. It is checked against that trigger's schema when it is
/// created, and rendering never fails: a value missing at render time renders empty.
public struct MessageTemplate: Sendable {
    /// Longer templates are refused: they are e-mails, not documents, and the limit bounds the work.
    public static let maxLength = 20_000

    public let source: String
    let nodes: [TemplateNode]

    public init(_ source: String, schema: TemplateSchema) throws(TemplateError) {
        guard source.count <= Self.maxLength else {
            throw TemplateError(line: 1, column: 1, message: "the template is longer than 20,000 characters")
        }
        var parser = TemplateParser(source: source, schema: schema)
        nodes = try parser.parse()
        self.source = source
    }

    /// With `html`, every value is HTML-escaped (`&`, `<`, `>`, `"`, `'`), so it is safe in text and in
    /// quoted attributes; the template's own markup is the shop's and is kept as written.
    public func render(_ context: TemplateValue, html: Bool) -> String {
        var renderer = TemplateRenderer(html: html, scopes: [context])
        renderer.render(nodes)
        return renderer.output
    }

    /// Escapes the five characters that can end an HTML text run or a quoted attribute.
    public static func escapeHTML(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}

/// Why a template was refused, with the position of the tag at fault (1-based; the column counts
/// characters) so an editor can point at it.
public struct TemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// A value reference resolved when the template was parsed: `up` scopes out from the innermost
/// `{{#each}}` item (0 = innermost, the root context is outermost), then `path` within it.
struct ValueReference: Sendable, Equatable {
    var up: Int
    var path: [String]
}

indirect enum TemplateNode: Sendable {
    case text(String)
    case value(ValueReference)
    /// `{{@index}}`: the 1-based position in the innermost `{{#each}}`.
    case index
    case conditional(ValueReference, negated: Bool, then: [TemplateNode], otherwise: [TemplateNode])
    case each(ValueReference, body: [TemplateNode], otherwise: [TemplateNode])
}

struct TemplateRenderer {
    let html: Bool
    var scopes: [TemplateValue]
    var indices: [Int] = []
    var output = ""

    init(html: Bool, scopes: [TemplateValue]) {
        self.html = html
        self.scopes = scopes
    }

    mutating func render(_ nodes: [TemplateNode]) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .value(let reference):
                switch lookup(reference) {
                case .string(let s): output += html ? MessageTemplate.escapeHTML(s) : s
                case .bool(let b): output += b ? "true" : "false"
                case .list, .object, nil: break
                }
            case .index:
                if let index = indices.last { output += String(index + 1) }
            case .conditional(let reference, let negated, let then, let otherwise):
                render((lookup(reference)?.isTruthy ?? false) != negated ? then : otherwise)
            case .each(let reference, let body, let otherwise):
                guard case .list(let items) = lookup(reference), !items.isEmpty else {
                    render(otherwise)
                    continue
                }
                for (index, item) in items.enumerated() {
                    scopes.append(item)
                    indices.append(index)
                    render(body)
                    indices.removeLast()
                    scopes.removeLast()
                }
            }
        }
    }

    private func lookup(_ reference: ValueReference) -> TemplateValue? {
        let scope = scopes.count - 1 - reference.up
        guard scopes.indices.contains(scope) else { return nil }
        return scopes[scope].value(at: reference.path[...])
    }
}
