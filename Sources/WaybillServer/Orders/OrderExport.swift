import CSV
import Fluent
import Foundation
import WaybillCore

/// Orders as CSV, one row per order, amounts in major units of the order's currency.
struct OrderExport {
    let db: any Database

    static let header = [
        "number", "placed_at", "status", "hold_reasons", "source", "external_id", "customer_name", "customer_email",
        "customer_phone", "ship_name", "ship_line1", "ship_line2", "ship_city", "ship_region", "ship_postal_code",
        "ship_country", "currency", "subtotal", "discount_total", "shipping_total", "tax_total", "total", "items",
    ]

    func csv(shopID: UUID, filter: OrderFilter) async throws -> Data {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream, newline: .crlf)
        try writer.write(row: Self.header)
        var cursor: String?
        let queries = OrderQueries(db: db)
        repeat {
            let page = try await queries.page(shopID: shopID, filter: filter, limit: 200, cursor: cursor)
            for order in page.orders { try writer.write(row: Self.row(order).map(Self.defuse)) }
            cursor = page.next
        } while cursor != nil
        writer.stream.close()
        return stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
    }

    static func row(_ o: Order) -> [String] {
        let exponent = CurrencyCode(o.currency)?.minorUnitExponent ?? 2
        func amount(_ minor: Int64) -> String { decimal(minor, exponent: exponent) }
        let a = o.shippingAddress
        let iso = ISO8601DateFormatter()
        return [
            String(o.number), iso.string(from: o.placedAt), o.status.rawValue,
            o.holds.filter { $0.releasedAt == nil }.map(\.reason.rawValue).joined(separator: ";"),
            o.source, o.externalID ?? "", o.customerName, o.customerEmail, o.customerPhone ?? "",
            a.name, a.line1, a.line2 ?? "", a.city, a.region ?? "", a.postalCode ?? "", a.country,
            o.currency, amount(o.subtotal), amount(o.discountTotal), amount(o.shippingTotal), amount(o.taxTotal),
            amount(o.total),
            o.lines.sorted { $0.position < $1.position }.map { "\($0.sku) x\($0.quantity)" }.joined(separator: "; "),
        ]
    }

    /// `12345` with exponent 2 → `123.45`; exponent 0 → `12345`.
    static func decimal(_ minor: Int64, exponent: Int) -> String {
        guard exponent > 0 else { return String(minor) }
        let scale = Int64(pow(10, Double(exponent)))
        let sign = minor < 0 ? "-" : ""
        let magnitude = minor.magnitude
        let fraction = String(magnitude % UInt64(scale))
        return "\(sign)\(magnitude / UInt64(scale)).\(String(repeating: "0", count: exponent - fraction.count))\(fraction)"
    }

    /// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) is prefixed with `'`.
    static func defuse(_ cell: String) -> String {
        guard let first = cell.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return cell }
        if Double(cell) != nil { return cell }
        return "'" + cell
    }
}
