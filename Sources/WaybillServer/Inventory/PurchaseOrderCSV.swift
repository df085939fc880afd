import CSV
import Foundation
import Vapor
import WaybillCore

/// Purchase orders as CSV, one row per line: export for the buyer's spreadsheet, import to load orders
/// placed elsewhere (a supplier portal, last year's system).
///
/// Import columns: `number, supplier, location, expected_at, sku, quantity` (optional `ordered_at`); rows
/// with the same number form one order. An order is created whole or not at all: when any of its rows is
/// wrong, every row of it is refused with the reasons, and the other orders still load.
enum PurchaseOrderCSV {
    static let header = ["number", "supplier", "location", "status", "ordered_at", "expected_at", "sku", "ordered", "received", "outstanding"]

    static func export(_ orders: [PurchaseOrders.DTO]) throws -> Data {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream, newline: .crlf)
        try writer.write(row: header)
        let iso = ISO8601DateFormatter()
        for po in orders {
            for line in po.lines {
                try writer.write(row: [po.number, po.supplier, po.location, po.status, iso.string(from: po.orderedAt),
                                       iso.string(from: po.expectedAt), line.sku, String(line.ordered), String(line.received),
                                       String(line.outstanding)].map(OrderExport.defuse))
            }
        }
        writer.stream.close()
        return stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
    }

    struct Group: Sendable {
        var lines: [Int]
        var request: PurchaseOrders.CreateRequest
    }

    /// Rows grouped into orders; a row that cannot be read is refused on its own and takes its order with it.
    static func parse(_ text: String) throws -> (orders: [Group], refused: [ProductImport.Refusal]) {
        let records = try CSVRecords(text, required: ["number", "supplier", "location", "expected_at", "sku", "quantity"])
        var groups: [String: (lines: [Int], rows: [(sku: String, quantity: Int64)], first: [String: String])] = [:]
        var order: [String] = []
        var broken: [String: [String]] = [:]
        var refused: [ProductImport.Refusal] = []
        while let cell = try records.next() {
            let line = records.line
            let number = cell("number"), sku = cell("sku"), raw = cell("quantity")
            var reasons: [String] = []
            if number.isEmpty { reasons.append("number is required") }
            let quantity = Int64(raw)
            if quantity == nil || quantity! <= 0 { reasons.append("quantity '\(raw.prefix(20))' must be a whole number ≥ 1") }
            if date(cell("expected_at")) == nil { reasons.append("expected_at '\(cell("expected_at").prefix(30))' is not a date (YYYY-MM-DD or ISO 8601)") }
            if !cell("ordered_at").isEmpty && date(cell("ordered_at")) == nil { reasons.append("ordered_at is not a date") }
            if groups[number] == nil {
                order.append(number)
                groups[number] = ([], [], ["supplier": cell("supplier"), "location": cell("location"),
                                           "expected_at": cell("expected_at"), "ordered_at": cell("ordered_at")])
            } else if let first = groups[number]?.first {
                for field in ["supplier", "location", "expected_at"] where cell(field) != first[field] {
                    reasons.append("\(field) differs from the first row of \(number)")
                }
            }
            groups[number]!.lines.append(line)
            if reasons.isEmpty, let quantity {
                groups[number]!.rows.append((sku, quantity))
            } else {
                refused.append(.init(line: line, sku: sku, reasons: reasons))
                broken[number, default: []].append("line \(line)")
            }
        }
        var out: [Group] = []
        for number in order {
            let group = groups[number]!
            if let bad = broken[number] {
                let refusedLines = Set(refused.map(\.line))
                for l in group.lines where !refusedLines.contains(l) {
                    refused.append(.init(line: l, sku: "", reasons: ["purchase order \(number) has refused rows (\(bad.joined(separator: ", ")))"]))
                }
                continue
            }
            out.append(Group(lines: group.lines, request: PurchaseOrders.CreateRequest(
                number: number, supplier: group.first["supplier"] ?? "", location: group.first["location"] ?? "",
                expectedAt: date(group.first["expected_at"] ?? "")!, orderedAt: date(group.first["ordered_at"] ?? ""),
                lines: group.rows.map { .init(sku: $0.sku, quantity: $0.quantity) })))
        }
        return (out, refused.sorted { $0.line < $1.line })
    }

    /// `2026-12-24` (midnight UTC) or a full ISO 8601 time.
    static func date(_ text: String) -> Date? {
        if let d = ISO8601DateFormatter().date(from: text) { return d }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate]
        return text.count == 10 ? f.date(from: text) : nil
    }

    /// Creates each order (whole or not at all); existing numbers and invalid orders are refused by row.
    static func load(_ parsed: (orders: [Group], refused: [ProductImport.Refusal]), shopID: UUID, application: Application,
                     progress: ProgressReporter) async throws -> (created: [String], refused: [ProductImport.Refusal]) {
        let pos = PurchaseOrders(application: application, db: application.db)
        var refused = parsed.refused
        var created: [String] = []
        for (i, group) in parsed.orders.enumerated() {
            defer { progress.report(i + 1) }
            if (try? await pos.find(shopID: shopID, number: group.request.number)) != nil {
                refused += group.lines.map { .init(line: $0, sku: "", reasons: ["purchase order \(group.request.number) already exists"]) }
                continue
            }
            do {
                _ = try await pos.create(group.request, shopID: shopID)
                created.append(group.request.number)
            } catch let failure as ValidationFailure {
                let reasons = failure.issues.map { "\($0.field): \($0.message)" }
                refused += group.lines.map { .init(line: $0, sku: "", reasons: reasons) }
            }
        }
        return (created, refused.sorted { $0.line < $1.line })
    }
}
