import Foundation

/// The data a message template is rendered with: strings to show, flags and lists to branch and
/// loop on, grouped in objects (`order.number` is `number` inside the object `order`).
public indirect enum TemplateValue: Sendable, Equatable {
    case string(String)
    case bool(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])

    /// Builds nested objects from dotted paths: `["order.number": "1042", "order.total": "₩38,500"]`.
    /// A nil value leaves its path out, so optional data can be passed as it is.
    public init(paths: KeyValuePairs<String, TemplateValue?>) {
        self = .object([:])
        for (path, value) in paths { set(path, value) }
    }

    /// `{{#if}}` truth: a non-empty string, `true`, a non-empty list, any object.
    public var isTruthy: Bool {
        switch self {
        case .string(let s): !s.isEmpty
        case .bool(let b): b
        case .list(let items): !items.isEmpty
        case .object: true
        }
    }

    /// The value at a dotted path (`order.number`), or nil when any step is missing or not an object.
    public subscript(path: String) -> TemplateValue? {
        value(at: path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)[...])
    }

    func value(at path: ArraySlice<String>) -> TemplateValue? {
        var current = self
        for name in path {
            guard case .object(let fields) = current, let next = fields[name] else { return nil }
            current = next
        }
        return current
    }

    /// Sets (or with nil removes) the value at a dotted path, creating the objects on the way;
    /// a string or list in the way is replaced by an object.
    public mutating func set(_ path: String, _ value: TemplateValue?) {
        set(path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)[...], value)
    }

    private mutating func set(_ path: ArraySlice<String>, _ value: TemplateValue?) {
        guard let name = path.first else {
            if let value { self = value }
            return
        }
        var fields: [String: TemplateValue] = [:]
        if case .object(let existing) = self { fields = existing }
        if path.count == 1 {
            fields[name] = value
        } else if value != nil || fields[name] != nil {
            var child = fields[name] ?? .object([:])
            child.set(path.dropFirst(), value)
            fields[name] = child
        }
        self = .object(fields)
    }
}

extension TemplateValue: ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension TemplateValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension TemplateValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
}

extension TemplateValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// Plain JSON both ways, so a console preview can send a context as it would read: numbers become
/// strings (templates only show text) and null leaves the key out.
extension TemplateValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let i = try? container.decode(Int.self) {
            self = .string(String(i))
        } else if let d = try? container.decode(Double.self) {
            self = .string(String(d))
        } else if let items = try? container.decode([TemplateValue].self) {
            self = .list(items)
        } else if let fields = try? container.decode([String: TemplateValue?].self) {
            self = .object(fields.compactMapValues { $0 })
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a string, bool, number, list or object")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let s): try container.encode(s)
        case .bool(let b): try container.encode(b)
        case .list(let items): try container.encode(items)
        case .object(let fields): try container.encode(fields)
        }
    }
}
