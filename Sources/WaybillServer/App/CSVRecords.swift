import CSV
import WaybillCore

/// A CSV with a header row, read record by record and cell by column name (case-insensitive). A leading
/// byte-order mark is ignored, blank lines are skipped, and each record knows its line number, so every
/// importer reports refusals the same way.
final class CSVRecords {
    private let reader: CSVReader
    let header: [String]
    /// Line number of the record last returned (the header is line 1).
    private(set) var line = 1

    /// Refuses a file missing any `required` column, naming each one.
    init(_ text: String, required: [String]) throws {
        reader = try CSVReader(string: text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text, hasHeaderRow: true, trimFields: true)
        header = (reader.headerRow ?? []).map { $0.lowercased() }
        let missing = required.filter { !header.contains($0) }
        guard missing.isEmpty else {
            throw ValidationFailure(missing.map { FieldIssue(field: $0, code: "missing_column", message: "the CSV has no '\($0)' column") })
        }
    }

    /// The next non-blank record, or nil at the end (a malformed file throws there, naming the problem).
    func next() throws -> Record? {
        while let fields = reader.next() {
            line += 1
            if fields.allSatisfy(\.isEmpty) { continue }
            return Record(header: header, fields: fields)
        }
        if let error = reader.error {
            throw ValidationFailure([FieldIssue(field: "file", code: "malformed_csv", message: "the CSV could not be read: \(error)")])
        }
        return nil
    }

    struct Record {
        let header: [String]
        let fields: [String]

        /// The cell of column `name`, or "" when the column or the cell is absent.
        subscript(_ name: String) -> String {
            guard let i = header.firstIndex(of: name), i < fields.count else { return "" }
            return fields[i]
        }

        func callAsFunction(_ name: String) -> String { self[name] }
    }
}
