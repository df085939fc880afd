import Fluent
import SQLKit
import Vapor
import WaybillCore

/// `/console/stock`: levels with days of cover, the SKU page with its ledger and a chart, and replenishment
/// with a one-click purchase order.
struct ConsoleStockController {
    struct Row: Encodable {
        var sku: String
        var location: String
        var onHand: Int64
        var reserved: Int64
        var available: Int64
        var incoming: Int64
        var reorderPoint: Int64
        var suggested: Int64
        var daysOfCover: String
        var alerts: [String]
        var low: Bool

        init(_ s: Replenishment.Suggestion) {
            sku = s.sku
            location = s.location
            onHand = s.onHand
            reserved = s.reserved
            available = s.available
            incoming = s.incoming
            reorderPoint = Int64(s.reorderPoint.rounded(.up))
            suggested = s.suggestedQuantity
            daysOfCover = s.daysOfCover.map { String(format: "%.0f", $0) } ?? "∞"
            alerts = s.alerts.map { $0.kind.rawValue.replacingOccurrences(of: "_", with: " ") }
            low = s.suggestedQuantity > 0
        }
    }

    struct StockContext: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title = "Stock"
        var q: String
        var sort: String
        var location: String
        var rows: [Row]
        var suggestedOnly: Bool
        /// Every location of the shop's stock, for the filter.
        var allLocations: [String]
        /// Locations with something to reorder among the filtered positions (one purchase-order form each).
        var orderLocations: [String]
        var message: String
        /// "Showing `first`–`last` of `total`", and the neighbouring pages' links (empty when there is none).
        var total: Int
        var first: Int
        var last: Int
        var previous: String
        var next: String
    }

    /// Positions a page of the stock table shows.
    static let pageSize = 100

    func list(req: Request) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let q = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        let sort = req.query[String.self, at: "sort"].flatMap { ["cover", "available", "sku"].contains($0) ? $0 : nil } ?? "cover"
        let location = (req.query[String.self, at: "location"] ?? "").trimmingCharacters(in: .whitespaces)
        let suggestedOnly = req.query[String.self, at: "suggested"] == "1"
        let page = max(1, req.query[Int.self, at: "page"] ?? 1)
        let shopID = try shop.requireID()
        // Every position is sorted and filtered (days of cover needs them all); only the page shown gets its
        // full suggestion (plan, alerts, reason).
        let replenishment = Replenishment(application: req.application, now: req.now)
        var positions = try await replenishment.positions(shopID: shopID)
        let allLocations = Array(Set(positions.map(\.location))).sorted()
        if !q.isEmpty { positions = positions.filter { $0.sku.localizedCaseInsensitiveContains(q) } }
        if !location.isEmpty { positions = positions.filter { $0.location == location } }
        if suggestedOnly { positions = positions.filter(\.reorderNow) }
        switch sort {
        case "sku": positions.sort { ($0.sku, $0.location) < ($1.sku, $1.location) }
        case "available": positions.sort { ($0.available, $0.sku, $0.location) < ($1.available, $1.sku, $1.location) }
        default: positions.sort { ($0.daysOfCover ?? .infinity, $0.sku, $0.location) < ($1.daysOfCover ?? .infinity, $1.sku, $1.location) }
        }
        let total = positions.count
        let start = min((page - 1) * Self.pageSize, total)
        let shown = positions[start..<min(start + Self.pageSize, total)]
        let full = try await replenishment.suggestions(shopID: shopID, skus: Array(Set(shown.map(\.sku))).sorted())
        let byPosition = Dictionary(full.map { ("\($0.sku)@\($0.location)", $0) }, uniquingKeysWith: { a, _ in a })
        func link(_ page: Int) -> String {
            var components = URLComponents()
            components.path = "/console/stock"
            components.queryItems = [("q", q), ("location", location), ("sort", sort), ("suggested", suggestedOnly ? "1" : ""), ("page", String(page))]
                .filter { !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) }
            return components.string ?? "/console/stock"
        }
        return try await req.view.render("stock", StockContext(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), q: q, sort: sort, location: location,
            rows: shown.compactMap { byPosition["\($0.sku)@\($0.location)"] }.map(Row.init), suggestedOnly: suggestedOnly,
            allLocations: allLocations,
            orderLocations: Array(Set(positions.filter(\.reorderNow).map(\.location))).sorted(),
            message: req.query[String.self, at: "created"].map { "Purchase order \($0) created." } ?? "",
            total: total, first: shown.isEmpty ? 0 : start + 1, last: start + shown.count,
            previous: page > 1 ? link(min(page - 1, max(1, (total + Self.pageSize - 1) / Self.pageSize))) : "",
            next: start + Self.pageSize < total ? link(page + 1) : ""))
    }

    struct SKUContext: Encodable {
        struct Movement: Encodable { var at: String; var location: String; var reason: String; var quantity: Int64; var onHandDelta: Int64; var reservedDelta: Int64; var reference: String; var actor: String }
        var shop: String
        var user: String
        var csrf: String
        var title: String
        var sku: String
        var rows: [Row]
        var movements: [Movement]
        var chart: StockChart.Drawing
    }

    func sku(req: Request) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let sku = req.parameters.get("sku") ?? ""
        let shopID = try shop.requireID()
        let suggestions = try await Replenishment(application: req.application, now: req.now).suggestions(shopID: shopID, sku: sku)
        guard !suggestions.isEmpty else { throw APIError.notFound("stock of '\(sku.prefix(64))'") }
        let rows = suggestions.map(Row.init)
        let ledger = try await (req.db as! any SQLDatabase).raw("""
            SELECT m.occurred_at, l.code AS location, m.reason, m.quantity, m.on_hand_delta, m.reserved_delta, m.reference_kind,
                   m.reference_id, m.actor
            FROM stock_movements m JOIN stock_locations l ON l.id = m.location_id
            WHERE m.shop_id = \(bind: shopID) AND m.sku = \(bind: sku) ORDER BY m.occurred_at
            """).all()
        var points: [(Date, Int64)] = []
        var available: Int64 = 0
        var movements: [SKUContext.Movement] = []
        for row in ledger {
            let at = try row.decode(column: "occurred_at", as: Date.self)
            let onHandDelta = try row.decode(column: "on_hand_delta", as: Int64.self), reservedDelta = try row.decode(column: "reserved_delta", as: Int64.self)
            available += onHandDelta - reservedDelta
            points.append((at, available))
            movements.append(.init(at: ConsoleFormat.dateTime(at, timezone: shop.timezone), location: try row.decode(column: "location", as: String.self),
                                   reason: try row.decode(column: "reason", as: String.self), quantity: try row.decode(column: "quantity", as: Int64.self),
                                   onHandDelta: onHandDelta, reservedDelta: reservedDelta,
                                   reference: "\(try row.decode(column: "reference_kind", as: String.self)) \(try row.decode(column: "reference_id", as: String.self).prefix(12))",
                                   actor: try row.decode(column: "actor", as: String.self)))
        }
        let reorderPoint = suggestions.reduce(0) { $0 + $1.reorderPoint }
        let safetyStock = suggestions.reduce(0) { $0 + $1.safetyStock }
        return try await req.view.render("stock-sku", SKUContext(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), title: sku, sku: sku, rows: rows,
            movements: movements.reversed().prefix(200).map { $0 },
            chart: StockChart.draw(points, reorderPoint: reorderPoint, safetyStock: safetyStock)))
    }

    struct OrderForm: Content { var location: String; var supplier: String }

    /// Turns every current suggestion at a location into one purchase order (expected after the lead time).
    func createPurchaseOrder(req: Request) async throws -> Response {
        let (_, shop) = try await ConsoleSettingsController.signedIn(req)
        let form = try req.content.decode(OrderForm.self)
        let shopID = try shop.requireID()
        let replenishment = Replenishment(application: req.application, now: req.now)
        let due = try await replenishment.positions(shopID: shopID).filter { $0.location == form.location && $0.reorderNow }
        let suggestions = try await replenishment.suggestions(shopID: shopID, skus: Array(Set(due.map(\.sku))).sorted())
            .filter { $0.location == form.location && $0.suggestedQuantity > 0 }
        guard !suggestions.isEmpty else { throw APIError.invalid("location", "nothing_to_order", "nothing to reorder at \(form.location)") }
        let number = "PO-" + String(Int(req.now.timeIntervalSince1970))
        let lead = suggestions.map(\.leadTimeDays).max() ?? Replenishment.defaultLeadTime.days
        let supplier = form.supplier.trimmingCharacters(in: .whitespaces)
        let request = PurchaseOrders.CreateRequest(
            number: number, supplier: supplier.isEmpty ? "default supplier" : supplier, location: form.location,
            expectedAt: req.now.addingTimeInterval(lead * 86_400), orderedAt: nil,
            lines: suggestions.map { .init(sku: $0.sku, quantity: $0.suggestedQuantity) })
        _ = try await PurchaseOrders(application: req.application, db: req.db).create(request, shopID: shopID)
        return req.redirect(to: "/console/stock?suggested=1&created=\(number)")
    }
}

/// A server-rendered SVG of available stock over time with the reorder point and safety stock drawn.
enum StockChart {
    struct Drawing: Encodable {
        var width = 720
        var height = 220
        var path: String
        var reorderY: Double
        var safetyY: Double
        var maxLabel: String
        var empty: Bool
    }

    static func draw(_ points: [(Date, Int64)], reorderPoint: Double, safetyStock: Double) -> Drawing {
        guard let first = points.first?.0, let last = points.last?.0, points.count > 1 else {
            return Drawing(path: "", reorderY: 0, safetyY: 0, maxLabel: "0", empty: true)
        }
        let top = max(Double(points.map(\.1).max() ?? 1), reorderPoint, 1) * 1.1
        let span = max(last.timeIntervalSince(first), 1)
        func x(_ d: Date) -> Double { 40 + d.timeIntervalSince(first) / span * 670 }
        func y(_ v: Double) -> Double { 200 - max(v, 0) / top * 190 }
        var path = ""
        var previous: Double?
        for (date, value) in points {
            let px = x(date), py = y(Double(value))
            if let previous { path += String(format: " L%.1f %.1f", px, previous) }
            path += path.isEmpty ? String(format: "M%.1f %.1f", px, py) : String(format: " L%.1f %.1f", px, py)
            previous = py
        }
        return Drawing(path: path, reorderY: y(reorderPoint), safetyY: y(safetyStock), maxLabel: String(Int(top)), empty: false)
    }
}
