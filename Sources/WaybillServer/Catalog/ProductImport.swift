import CSV
import Foundation
import WaybillCore

/// Reads a product catalog CSV into product drafts, refusing bad rows with the reason.
///
/// Columns (header row required, order free): `handle, sku, name_en, name_ko, description_en,
/// description_ko, variant_en, variant_ko, price, currency, weight_g, length_mm, width_mm, height_mm, active,
/// track_inventory`.
/// Rows sharing a handle are variants of one product; product fields come from its first row.
struct ProductImport {
    struct Refusal: Sendable, Equatable {
        var line: Int
        var sku: String
        var reasons: [String]
    }

    struct Parsed: Sendable {
        var products: [ProductDraft]
        /// For each product, the CSV line numbers of its rows.
        var lines: [[Int]]
        var refused: [Refusal]
        var rowCount: Int
    }

    static let required = ["handle", "sku", "price"]

    static func parse(_ text: String, defaultCurrency: String) throws -> Parsed {
        let reader = try CSVReader(string: text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text,
                                   hasHeaderRow: true, trimFields: true)
        let header = (reader.headerRow ?? []).map { $0.lowercased() }
        let missing = required.filter { !header.contains($0) }
        guard missing.isEmpty else {
            throw ValidationFailure(missing.map { FieldIssue(field: $0, code: "missing_column", message: "the CSV has no '\($0)' column") })
        }
        var groups: [(draft: ProductDraft, lines: [Int])] = []
        var index: [String: Int] = [:]
        var refused: [Refusal] = []
        var line = 1
        while let row = reader.next() {
            line += 1
            if row.allSatisfy(\.isEmpty) { continue }
            let cell = { (name: String) -> String? in
                guard let i = header.firstIndex(of: name), i < row.count, !row[i].isEmpty else { return nil }
                return row[i]
            }
            var reasons: [String] = []
            let int = { (name: String) -> Int? in
                guard let raw = cell(name) else { return nil }
                guard let value = Int(raw) else { reasons.append("\(name) '\(raw)' is not a whole number"); return nil }
                return value
            }
            let priceText = cell("price") ?? ""
            let price = parsePrice(priceText, currency: (cell("currency") ?? defaultCurrency).uppercased())
            if price == nil { reasons.append("price '\(priceText)' is not a valid amount") }
            var active = true
            if let raw = cell("active")?.lowercased() {
                if ["true", "1", "yes", "y"].contains(raw) { active = true }
                else if ["false", "0", "no", "n"].contains(raw) { active = false }
                else { reasons.append("active '\(raw)' must be true or false") }
            }
            var track: Bool? = nil
            if let raw = cell("track_inventory")?.lowercased() {
                if ["true", "1", "yes", "y"].contains(raw) { track = true }
                else if ["false", "0", "no", "n"].contains(raw) { track = false }
                else { reasons.append("track_inventory '\(raw)' must be true or false") }
            }
            let variant = VariantDraft(
                sku: cell("sku") ?? "", titles: locales(cell, "variant"), price: price ?? 0, currency: cell("currency"),
                weightGrams: int("weight_g"), lengthMm: int("length_mm"), widthMm: int("width_mm"),
                heightMm: int("height_mm"), active: active, trackInventory: track
            )
            let handle = cell("handle") ?? ""
            let single = ProductDraft(handle: handle, names: locales(cell, "name"), descriptions: locales(cell, "description"),
                                      active: nil, variants: [variant])
            // Product-level fields are checked only on a product's first row; later rows add variants.
            var check = single
            if let existing = index[handle] { check.names = groups[existing].draft.names }
            reasons += CatalogRules.validate(check, defaultCurrency: defaultCurrency).map {
                "\($0.field.replacingOccurrences(of: "variants[0].", with: "")): \($0.message)"
            }
            if let existing = index[handle], groups[existing].draft.variants.contains(where: { $0.sku == variant.sku }) {
                reasons.append("sku \(variant.sku) appears twice in the file")
            }
            guard reasons.isEmpty else {
                refused.append(Refusal(line: line, sku: variant.sku, reasons: reasons))
                continue
            }
            if let existing = index[handle] {
                groups[existing].draft.variants.append(variant)
                groups[existing].lines.append(line)
            } else {
                index[handle] = groups.count
                groups.append((single, [line]))
            }
        }
        if let error = reader.error {
            throw ValidationFailure([FieldIssue(field: "file", code: "malformed_csv", message: "the CSV could not be read: \(error)")])
        }
        return Parsed(products: groups.map(\.draft), lines: groups.map(\.lines), refused: refused, rowCount: line - 1)
    }

    private static func locales(_ cell: (String) -> String?, _ prefix: String) -> [String: String] {
        var out: [String: String] = [:]
        for locale in ["en", "ko"] { if let v = cell("\(prefix)_\(locale)") { out[locale] = v } }
        return out
    }

    /// "12.50" in USD → 1250; "12000" in KRW → 12000; more decimals than the currency has → nil.
    static func parsePrice(_ text: String, currency: String) -> Int64? {
        let exponent = CurrencyCode(currency)?.minorUnitExponent ?? 2
        let cleaned = text.replacingOccurrences(of: ",", with: "")
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0 else { return nil }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= exponent, fraction.allSatisfy(\.isNumber) else { return nil }
        let padded = fraction + String(repeating: "0", count: exponent - fraction.count)
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let (major, o1) = whole.multipliedReportingOverflow(by: scale)
        let (sum, o2) = major.addingReportingOverflow(Int64(padded) ?? 0)
        return o1 || o2 ? nil : sum
    }
}
