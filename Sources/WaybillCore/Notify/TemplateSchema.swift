import Foundation

/// The values a template may use, checked when a template is saved so a typo is refused there
/// instead of rendering blank in a customer's inbox. Paths are dotted (`order.number`); a list
/// (`order.items`) carries the schema of one item, whose names a `{{#each}}` body can use.
public struct TemplateSchema: Sendable, Equatable {
    /// What a path names: a value to show, a group of values (`order`), or a list to loop over.
    public enum Kind: Sendable, Equatable {
        case value
        case group
        case list
    }

    enum Field: Sendable, Equatable {
        case value
        case group(TemplateSchema)
        case list(item: TemplateSchema)
    }

    var fields: [String: Field] = [:]

    /// When a path is both a value and a prefix of others (`order`, `order.number`), it is a group.
    public init(values: [String] = [], lists: [String: TemplateSchema] = [:]) {
        for path in values { insert(Self.split(path)[...], .value) }
        for (path, item) in lists { insert(Self.split(path)[...], .list(item: item)) }
    }

    /// Both schemas' paths; a list in both keeps the union of its item names.
    public func merging(_ other: TemplateSchema) -> TemplateSchema {
        var merged = self
        for (name, field) in other.fields { merged.merge(name, field) }
        return merged
    }

    public func kind(of path: String) -> Kind? {
        switch field(at: Self.split(path)[...]) {
        case .value: .value
        case .group: .group
        case .list: .list
        case nil: nil
        }
    }

    /// The schema of one item of the list at `path`.
    public func item(of path: String) -> TemplateSchema? {
        guard case .list(let item) = field(at: Self.split(path)[...]) else { return nil }
        return item
    }

    /// Every value and list, sorted, items under their list as `order.items[].name`: the menu an
    /// editor offers.
    public var paths: [String] {
        fields.flatMap { name, field -> [String] in
            switch field {
            case .value: [name]
            case .group(let inner): inner.paths.map { "\(name).\($0)" }
            case .list(let item): ["\(name)[]"] + item.paths.map { "\(name)[].\($0)" }
            }
        }.sorted()
    }

    /// Every name a template could write at this level, groups included, for "did you mean".
    var names: [String] {
        fields.flatMap { name, field -> [String] in
            guard case .group(let inner) = field else { return [name] }
            return [name] + inner.names.map { "\(name).\($0)" }
        }
    }

    func field(at path: ArraySlice<String>) -> Field? {
        guard let first = path.first, let field = fields[first] else { return nil }
        let rest = path.dropFirst()
        if rest.isEmpty { return field }
        guard case .group(let inner) = field else { return nil }
        return inner.field(at: rest)
    }

    private mutating func insert(_ path: ArraySlice<String>, _ field: Field) {
        guard let name = path.first else { return }
        if path.count == 1 {
            merge(name, field)
        } else {
            var inner = TemplateSchema()
            inner.insert(path.dropFirst(), field)
            merge(name, .group(inner))
        }
    }

    private mutating func merge(_ name: String, _ field: Field) {
        switch (fields[name], field) {
        case (nil, _), (.value, .group), (.value, .list):
            fields[name] = field
        case (.group(let a), .group(let b)):
            fields[name] = .group(a.merging(b))
        case (.list(let a), .list(let b)):
            fields[name] = .list(item: a.merging(b))
        default:
            break
        }
    }

    static func split(_ path: String) -> [String] {
        path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }
}
