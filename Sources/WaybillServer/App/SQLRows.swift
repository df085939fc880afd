import SQLKit

/// Multi-row `INSERT … VALUES (…), (…)` with every value bound, for the few hot paths written in SQL.
enum SQLRows {
    static func values(_ rows: [[any Encodable & Sendable]]) -> SQLQueryString {
        rows.map { row -> SQLQueryString in "(\(binds: row))" }.joined(separator: ", ")
    }

    static func insert(into table: String, _ columns: [String], _ rows: [[any Encodable & Sendable]]) -> SQLQueryString {
        "INSERT INTO \(ident: table) (\(idents: columns, joinedBy: ", ")) VALUES " + values(rows)
    }
}
