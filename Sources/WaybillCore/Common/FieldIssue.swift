import Foundation

/// One reason a piece of input was refused, tied to the field that carries it.
///
/// `field` is a JSON-path-like pointer into the request (`shipping_address.postal_code`,
/// `line_items[2].quantity`) so an API client can put the message next to the right input.
public struct FieldIssue: Hashable, Sendable, Codable {
    /// Stable machine code (`required`, `invalid_format`, `unknown_sku`, …).
    public var code: String
    public var field: String
    /// English, human-readable; clients localise by `code`.
    public var message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}

/// Collects issues while a validator walks an input, so every failing field is reported at once.
public struct IssueList: Sendable {
    public private(set) var issues: [FieldIssue] = []

    public init() {}

    public var isEmpty: Bool { issues.isEmpty }

    public mutating func add(_ field: String, _ code: String, _ message: String) {
        issues.append(FieldIssue(field: field, code: code, message: message))
    }

    public mutating func append(contentsOf other: [FieldIssue]) {
        issues.append(contentsOf: other)
    }
}

/// Thrown by Core rules when input is refused; carries every issue found.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var issues: [FieldIssue]
    public init(_ issues: [FieldIssue]) { self.issues = issues }
}
