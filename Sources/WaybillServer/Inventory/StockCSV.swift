import CSV
import Fluent
import Foundation
import SQLKit
import Vapor
import WaybillCore

/// Stock levels as CSV: export for spreadsheets, import to load or correct on-hand quantities.
///
/// Import columns: `sku, location, on_hand`. A SKU already stocked at the location is counted (the difference
/// is posted as a cycle count); a new one is received. Rows are refused one by one with reasons; the accepted
/// rows are written in one transaction, so a rule broken in the middle (a count below what orders reserved)
/// imports nothing.
enum StockCSV {
    static let header = ["sku", "location", "warehouse", "on_hand", "reserved", "available", "damaged", "incoming"]

    static func export(_ levels: [InventoryService.LevelDTO]) throws -> Data {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream, newline: .crlf)
        try writer.write(row: header)
        for l in levels {
            try writer.write(row: [l.sku, l.location, l.warehouse, String(l.onHand), String(l.reserved), String(l.available),
                                   String(l.damaged), String(l.incoming)].map(OrderExport.defuse))
        }
        writer.stream.close()
        return stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
    }

    struct Row: Sendable {
        var line: Int
        var sku: String
        var location: String
        var onHand: Int64
    }

    static func parse(_ text: String) throws -> (rows: [Row], refused: [ProductImport.Refusal]) {
        let records = try CSVRecords(text, required: ["sku", "location", "on_hand"])
        var rows: [Row] = []
        var refused: [ProductImport.Refusal] = []
        var seen: Set<String> = []
        while let cell = try records.next() {
            let line = records.line
            var reasons: [String] = []
            let sku = cell("sku"), location = cell("location"), raw = cell("on_hand")
            if !CatalogRules.isValidSKU(sku) { reasons.append("sku '\(sku.prefix(64))' is not a valid SKU") }
            if location.isEmpty { reasons.append("location is required") }
            let onHand = Int64(raw)
            if onHand == nil || onHand! < 0 { reasons.append("on_hand '\(raw.prefix(20))' must be a whole number ≥ 0") }
            if !seen.insert("\(sku)@\(location)").inserted { reasons.append("\(sku) at \(location) appears twice") }
            if reasons.isEmpty, let onHand {
                rows.append(Row(line: line, sku: sku, location: location, onHand: onHand))
            } else {
                refused.append(.init(line: line, sku: sku, reasons: reasons))
            }
        }
        return (rows, refused)
    }

    /// Refuses rows naming unknown SKUs or locations, then counts or receives the rest in one transaction.
    static func load(_ parsed: (rows: [Row], refused: [ProductImport.Refusal]), shopID: UUID, application: Application,
                     progress: ProgressReporter) async throws -> (accepted: Int, refused: [ProductImport.Refusal]) {
        let service = InventoryService(application: application, db: application.db)
        let sql = application.db as! any SQLDatabase
        let variants = try await service.variantIDs(shopID: shopID, skus: parsed.rows.map(\.sku))
        var locations: [String: UUID] = [:]
        for row in try await sql.raw("SELECT id, code FROM stock_locations WHERE shop_id = \(bind: shopID)").all() {
            locations[try row.decode(column: "code", as: String.self)] = try row.decode(column: "id", as: UUID.self)
        }
        var stocked: Set<String> = []
        for row in try await sql.raw("SELECT location_id, variant_id FROM stock_levels WHERE shop_id = \(bind: shopID)").all() {
            stocked.insert("\(try row.decode(column: "location_id", as: UUID.self))/\(try row.decode(column: "variant_id", as: UUID.self))")
        }
        var refused = parsed.refused
        var accepted: [Row] = []
        for row in parsed.rows {
            var reasons: [String] = []
            if variants[row.sku] == nil { reasons.append("SKU \(row.sku) is not in the catalog") }
            if locations[row.location] == nil { reasons.append("location \(row.location) does not exist") }
            if reasons.isEmpty { accepted.append(row) } else { refused.append(.init(line: row.line, sku: row.sku, reasons: reasons)) }
        }
        var prepared: [InventoryService.Prepared] = []
        for (location, rows) in Dictionary(grouping: accepted, by: \.location).sorted(by: { $0.key < $1.key }) {
            let counted = rows.filter { stocked.contains("\(locations[location]!)/\(variants[$0.sku]!)") }
            let received = rows.filter { !stocked.contains("\(locations[location]!)/\(variants[$0.sku]!)") && $0.onHand > 0 }
            if !counted.isEmpty {
                prepared.append(try await service.prepare(.count, StockMovementRequest(
                    location: location, lines: counted.map { .init(sku: $0.sku, quantity: $0.onHand) }, note: "CSV import"), shopID: shopID))
            }
            if !received.isEmpty {
                prepared.append(try await service.prepare(.receipt, StockMovementRequest(
                    location: location, lines: received.map { .init(sku: $0.sku, quantity: $0.onHand) }, note: "CSV import"), shopID: shopID))
            }
        }
        let time = application.dependencies.clock.now()
        let batches = prepared
        try await application.write { db in
            for (i, batch) in batches.enumerated() {
                _ = try await InventoryService(application: application, db: db).perform(batch, actor: .cli, at: time)
                progress.report(i + 1)
            }
        }
        return (accepted.count, refused.sorted { $0.line < $1.line })
    }
}
