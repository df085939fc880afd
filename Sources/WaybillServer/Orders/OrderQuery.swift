import Fluent
import Foundation
import Vapor
import WaybillCore

/// Filters for listing orders, shared by the API, the console and CSV export.
struct OrderFilter: Sendable {
    var status: OrderStatus?
    var holdReason: HoldReason?
    /// Order number (`1042` or `#1042`), or part of the customer's e-mail or name.
    var text: String?
    var customerEmail: String?
    var country: String?
    var placedFrom: Date?
    var placedTo: Date?

    /// Reads the filter from query parameters; a malformed value is a 422 naming the parameter.
    static func from(_ query: URLQueryContainer) throws -> OrderFilter {
        var filter = OrderFilter()
        func text(_ key: String) -> String? {
            (query[String.self, at: key]).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }
        if let raw = text("status") {
            guard let status = OrderStatus(rawValue: raw) else {
                throw APIError.invalid("status", "invalid_value", "status must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.status = status
        }
        if let raw = text("hold_reason") {
            guard let reason = HoldReason(rawValue: raw) else {
                throw APIError.invalid("hold_reason", "invalid_value", "hold_reason must be one of \(HoldReason.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.holdReason = reason
        }
        filter.text = text("q").map { String($0.prefix(200)) }
        filter.customerEmail = text("customer").map { $0.lowercased() }
        filter.country = text("country").map { $0.uppercased() }
        filter.placedFrom = try date(text("placed_from"), field: "placed_from", endOfDay: false)
        filter.placedTo = try date(text("placed_to"), field: "placed_to", endOfDay: true)
        return filter
    }

    /// Accepts `2026-11-23` or a full ISO 8601 timestamp.
    private static func date(_ raw: String?, field: String, endOfDay: Bool) throws -> Date? {
        guard let raw else { return nil }
        if let full = ISO8601DateFormatter().date(from: raw) { return full }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        guard let date = day.date(from: raw) else {
            throw APIError.invalid(field, "invalid_date", "\(field) must be a date (2026-11-23) or an ISO 8601 time")
        }
        return endOfDay ? date.addingTimeInterval(86_400) : date
    }

    func apply(to query: QueryBuilder<Order>) -> QueryBuilder<Order> {
        if let status { query.filter(\.$status == status) }
        if let holdReason {
            query.join(OrderHold.self, on: \Order.$id == \OrderHold.$order.$id)
                .filter(OrderHold.self, \.$reason == holdReason)
                .filter(OrderHold.self, \.$releasedAt == nil)
        }
        if let customerEmail { query.filter(\.$customerEmail == customerEmail) }
        if let country { query.filter(\.$shipCountry == country) }
        if let placedFrom { query.filter(\.$placedAt >= placedFrom) }
        if let placedTo { query.filter(\.$placedAt < placedTo) }
        if let text {
            let digits = text.hasPrefix("#") ? String(text.dropFirst()) : text
            if let number = Int64(digits) {
                query.filter(\.$number == number)
            } else {
                query.group(.or) { or in
                    or.filter(\.$customerEmail ~~ text.lowercased())
                    or.filter(\.$customerName ~~ text)
                }
            }
        }
        return query
    }
}

/// Reads orders for one shop. Newest first; the cursor is the last order number seen.
struct OrderQueries {
    let db: any Database

    func page(shopID: UUID, filter: OrderFilter, limit: Int, cursor: String?) async throws -> (orders: [Order], next: String?) {
        let query = filter.apply(to: Order.query(on: db).filter(\.$shop.$id == shopID))
        if let cursor {
            guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
                  text.hasPrefix("n:"), let before = Int64(text.dropFirst(2)) else {
                throw APIError.invalid("cursor", "invalid_cursor", "cursor is not one this API returned")
            }
            query.filter(\.$number < before)
        }
        let rows = try await query.sort(\.$number, .descending).limit(limit + 1)
            .with(\.$lines).with(\.$holds).all()
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last.map { Data("n:\($0.number)".utf8).base64EncodedString() } : nil
        return (page, next)
    }

    /// An order by id, or by number when `reference` is `1042` / `#1042`.
    func find(shopID: UUID, reference: String) async throws -> Order {
        let query = Order.query(on: db).filter(\.$shop.$id == shopID).with(\.$lines).with(\.$holds)
        if let id = UUID(uuidString: reference) {
            query.filter(\.$id == id)
        } else if let number = Int64(reference.hasPrefix("#") ? String(reference.dropFirst()) : reference) {
            query.filter(\.$number == number)
        } else {
            throw APIError.notFound("order '\(reference.prefix(40))'")
        }
        guard let order = try await query.first() else { throw APIError.notFound("order '\(reference.prefix(40))'") }
        return order
    }
}
