import Foundation

/// Reads a template's source into nodes, resolving every value against the schema on the way.
struct TemplateParser {
    /// Deeper nesting is refused: no real message needs it, and it bounds the renderer's recursion.
    static let maxDepth = 16

    private struct Tag {
        var body: String
        var line: Int
        var column: Int
    }

    private enum Token {
        case text(String)
        case tag(Tag)
    }

    private struct Block {
        enum Kind: String {
            case `if`, unless, each
        }

        var kind: Kind
        var reference: ValueReference
        var label: String
        var line: Int
        var column: Int
        var body: [TemplateNode] = []
        var otherwise: [TemplateNode]?
    }

    private let chars: [Character]
    private let schema: TemplateSchema

    init(source: String, schema: TemplateSchema) {
        chars = Array(source)
        self.schema = schema
    }

    mutating func parse() throws(TemplateError) -> [TemplateNode] {
        var root: [TemplateNode] = []
        var blocks: [Block] = []
        // The schema each enclosing scope offers: the root's, then one item schema per open `#each`.
        var scopes = [schema]

        func append(_ node: TemplateNode) {
            guard let last = blocks.indices.last else { return root.append(node) }
            if blocks[last].otherwise != nil { blocks[last].otherwise?.append(node) } else { blocks[last].body.append(node) }
        }

        for token in try scan() {
            guard case .tag(let tag) = token else {
                if case .text(let text) = token { append(.text(text)) }
                continue
            }
            func fail(_ message: String) -> TemplateError {
                TemplateError(line: tag.line, column: tag.column, message: message)
            }
            let body = tag.body
            if body.hasPrefix("!") { continue }
            if body.isEmpty { throw fail("empty {{ }}") }
            if body.hasPrefix("{") { throw fail("'{{{' is not supported: write {{ name }}; values are escaped where they must be") }
            if body.hasPrefix(">") { throw fail("partials ({{> …}}) are not supported") }

            if body.hasPrefix("#") {
                let parts = body.dropFirst().split(maxSplits: 1, whereSeparator: \.isWhitespace)
                let keyword = parts.first.map(String.init) ?? ""
                guard let kind = Block.Kind(rawValue: keyword) else {
                    throw fail("unknown block '{{#\(keyword)}}'; use #if, #unless or #each")
                }
                guard parts.count == 2 else { throw fail("{{#\(keyword)}} needs a value, as in {{#\(keyword) \(kind == .each ? "order.items" : "promise")}}") }
                let name = parts[1].trimmingCharacters(in: .whitespacesAndNewlines)
                guard blocks.count < Self.maxDepth else { throw fail("blocks are nested more than \(Self.maxDepth) deep") }
                let (reference, field) = try resolve(name, in: scopes, fail)
                if kind == .each {
                    guard case .list(let item) = field else { throw fail("'\(name)' is not a list, so {{#each}} cannot loop over it") }
                    scopes.append(item)
                }
                blocks.append(Block(kind: kind, reference: reference, label: "{{#\(keyword) \(name)}}",
                                    line: tag.line, column: tag.column))
            } else if body.hasPrefix("/") {
                let keyword = body.dropFirst().trimmingCharacters(in: .whitespacesAndNewlines)
                guard let kind = Block.Kind(rawValue: keyword) else {
                    throw fail(keyword.contains(where: \.isWhitespace)
                        ? "a closing tag takes only the block's name, as in {{/if}}" : "unknown block '{{/\(keyword)}}'")
                }
                guard let block = blocks.popLast() else { throw fail("{{/\(keyword)}} has no {{#\(keyword)}} to close") }
                guard block.kind == kind else { throw fail("{{/\(keyword)}} closes {{#\(block.kind.rawValue)}}") }
                if kind == .each && block.otherwise == nil { scopes.removeLast() }
                switch kind {
                case .if, .unless:
                    append(.conditional(block.reference, negated: kind == .unless, then: block.body, otherwise: block.otherwise ?? []))
                case .each:
                    append(.each(block.reference, body: block.body, otherwise: block.otherwise ?? []))
                }
            } else if body == "else" {
                guard let last = blocks.indices.last else { throw fail("{{else}} outside {{#if}}, {{#unless}} or {{#each}}") }
                guard blocks[last].otherwise == nil else { throw fail("second {{else}} in \(blocks[last].label)") }
                blocks[last].otherwise = []
                // An `#each`'s else part runs when there are no items, so item names are gone there.
                if blocks[last].kind == .each { scopes.removeLast() }
            } else if body.hasPrefix("else") && body.dropFirst(4).first?.isWhitespace == true {
                throw fail("{{else}} takes nothing after it; put another {{#if}} inside the {{else}}")
            } else if body.hasPrefix("@") {
                guard body == "@index" else { throw fail("unknown value '\(body)'; only {{@index}} is offered") }
                guard blocks.contains(where: { $0.kind == .each && $0.otherwise == nil }) else {
                    throw fail("{{@index}} is only available inside {{#each}}")
                }
                append(.index)
            } else {
                let (reference, field) = try resolve(body, in: scopes, fail)
                switch field {
                case .value: append(.value(reference))
                case .list: throw fail("'\(body)' is a list: loop over it with {{#each \(body)}}…{{/each}}")
                case .group(let inner):
                    let example = inner.paths.first { !$0.contains("[]") }.map { " such as {{\(body).\($0)}}" } ?? ""
                    throw fail("'\(body)' is a group of values; show one of them\(example)")
                }
            }
        }
        if let open = blocks.last {
            throw TemplateError(line: open.line, column: open.column, message: "\(open.label) is never closed")
        }
        return root
    }

    /// Innermost scope first: inside `{{#each order.items}}`, `name` is the item's and `order.number` the order's.
    private func resolve(
        _ name: String, in scopes: [TemplateSchema], _ fail: (String) -> TemplateError
    ) throws(TemplateError) -> (ValueReference, TemplateSchema.Field) {
        let path = TemplateSchema.split(name)
        guard path.allSatisfy(Self.isIdentifier) else { throw fail("'\(name)' is not a value name") }
        for up in 0..<scopes.count {
            if let field = scopes[scopes.count - 1 - up].field(at: path[...]) {
                return (ValueReference(up: up, path: path), field)
            }
        }
        let suggestion = Self.closest(to: name, among: scopes.flatMap(\.names)).map { "; did you mean '\($0)'?" } ?? ""
        throw fail("unknown value '\(name)'\(suggestion)")
    }

    private static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    /// The known name within two edits of a typo, if there is one.
    static func closest(to name: String, among candidates: [String]) -> String? {
        let target = Array(name)
        var best: (distance: Int, name: String)?
        for candidate in Set(candidates) {
            let distance = editDistance(target, Array(candidate))
            guard distance <= 2, distance < target.count / 2 else { continue }
            if let current = best, (current.distance, current.name) <= (distance, candidate) { continue }
            best = (distance, candidate)
        }
        return best?.name
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Splits the source into text and tags. A block tag (`#…`, `/…`, `else`, `!…`) alone on its line
    /// takes the whole line with it, so `{{#if}}` on a line of its own leaves no blank line behind.
    private func scan() throws(TemplateError) -> [Token] {
        var tokens: [Token] = []
        var text = ""
        var i = 0, line = 1, column = 1
        // The line the previous tag ended on, or 0 when it took its line break with it.
        var lastTagLine = 0
        func step(over range: Range<Int>) {
            for k in range {
                if chars[k].isNewline { line += 1; column = 1 } else { column += 1 }
            }
        }
        while i < chars.count {
            guard chars[i] == "{", i + 1 < chars.count, chars[i + 1] == "{" else {
                text.append(chars[i])
                step(over: i..<(i + 1))
                i += 1
                continue
            }
            let (tagLine, tagColumn) = (line, column)
            guard let close = closingBraces(from: i + 2) else {
                throw TemplateError(line: tagLine, column: tagColumn, message: "'{{' without '}}'")
            }
            let body = String(chars[(i + 2)..<close]).trimmingCharacters(in: .whitespacesAndNewlines)
            step(over: i..<(close + 2))
            i = close + 2
            var tookLineBreak = false
            let lineSoFar = text.lastIndex(where: \.isNewline).map { text[text.index(after: $0)...] } ?? text[...]
            if Self.isBlockTag(body), lastTagLine != tagLine, lineSoFar.allSatisfy({ $0 == " " || $0 == "\t" }) {
                var j = i
                while j < chars.count, chars[j] == " " || chars[j] == "\t" { j += 1 }
                if j == chars.count || chars[j].isNewline {
                    text.removeLast(lineSoFar.count)
                    let end = min(j + 1, chars.count)
                    step(over: i..<end)
                    i = end
                    tookLineBreak = true
                }
            }
            if !text.isEmpty { tokens.append(.text(text)) }
            text = ""
            tokens.append(.tag(Tag(body: body, line: tagLine, column: tagColumn)))
            lastTagLine = tookLineBreak ? 0 : line
        }
        if !text.isEmpty { tokens.append(.text(text)) }
        return tokens
    }

    /// The index of the `}}` ending a tag opened just before `start`; nil if another `{{` or the end comes first.
    private func closingBraces(from start: Int) -> Int? {
        var j = start
        while j + 1 < chars.count {
            if chars[j] == "}" && chars[j + 1] == "}" { return j }
            if chars[j] == "{" && chars[j + 1] == "{" { return nil }
            j += 1
        }
        return nil
    }

    private static func isBlockTag(_ body: String) -> Bool {
        body == "else" || body.hasPrefix("#") || body.hasPrefix("/") || body.hasPrefix("!")
    }
}
