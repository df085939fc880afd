import Foundation
import SQLKit
import Vapor
import WaybillCore

/// `/console/alerts` (what needs a buyer's attention, and what changed) and `/console/purchase-orders`
/// (open orders and the receiving screen: count what arrived, book it in one step).
struct ConsoleReceivingController {
    struct AlertRow: Encodable {
        var sku: String
        var location: String
        var kind: String
        var label: String
        var explanation: String
        var since: String
    }

    struct FactRow: Encodable {
        var at: String
        var what: String
        var subject: String
    }

    struct AlertsContext: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title = "Stock alerts"
        var kind: String
        var kinds: [String]
        var alerts: [AlertRow]
        var facts: [FactRow]
    }

    func alerts(req: Request) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let shopID = try shop.requireID()
        let kind = req.query[String.self, at: "kind"].flatMap { StockAlert.Kind(rawValue: $0) }
        let alerts = try await StockAlerts(application: req.application, now: req.now)
            .list(shopID: shopID, state: "active", kind: kind?.rawValue)
        let facts = try await ShopFacts(sql: req.db as! any SQLDatabase)
            .list(shopID: shopID, kinds: [.stockAlertRaised, .stockAlertCleared], limit: 50)
        return try await req.view.render("alerts", AlertsContext(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), kind: kind?.rawValue ?? "",
            kinds: StockAlert.Kind.allCases.map(\.rawValue),
            alerts: alerts.map { a in
                AlertRow(sku: a.sku, location: a.location, kind: a.kind, label: Self.label(a.kind),
                         explanation: Self.explain(a.detail, timezone: shop.timezone),
                         since: ConsoleFormat.dateTime(a.raisedAt, timezone: shop.timezone))
            },
            facts: facts.map { f in
                let kind: String
                if case .object(let payload) = f.payload, case .string(let k)? = payload["kind"] { kind = Self.label(k) } else { kind = "" }
                return FactRow(at: ConsoleFormat.dateTime(f.occurredAt, timezone: shop.timezone),
                               what: (f.kind == ShopFactKind.stockAlertRaised.rawValue ? "raised: " : "cleared: ") + kind,
                               subject: String(f.subject.dropFirst("stock:".count)))
            }))
    }

    static func label(_ kind: String) -> String {
        switch kind {
        case "low_stock": return "Low stock"
        case "stockout_projected": return "Stock-out ahead"
        case "overstock": return "Overstock"
        case "dead_stock": return "Dead stock"
        default: return kind
        }
    }

    /// The alert's figures in one sentence.
    static func explain(_ detail: JSONValue, timezone: String) -> String {
        guard case .object(let top) = detail, let (kind, value) = top.first, case .object(let f) = value else { return "" }
        func number(_ key: String) -> String {
            if case .number(let n)? = f[key] { return n == n.rounded() ? String(Int64(n)) : String(format: "%.1f", n) }
            return "—"
        }
        func money(_ key: String) -> String {
            if case .number(let n)? = f[key] { return String(Int64(n)) }
            return "0"
        }
        switch kind {
        case "lowStock":
            return "Available + incoming \(number("position")) is below the reorder point \(number("reorder_point")); order \(number("suggested_quantity"))."
        case "stockoutProjected":
            var date = ""
            if case .string(let s)? = f["date"], let d = ISO8601DateFormatter().date(from: s) {
                date = ConsoleFormat.dateTime(d, timezone: timezone).prefix(10) + " "
            }
            return "Runs out \(date)(in \(number("days_away")) days) at the forecast rate, before an order placed now could arrive."
        case "overstock":
            return "\(number("days_of_cover")) days of cover (threshold \(number("threshold_days"))); \(number("excess_units")) units beyond it cost \(money("holding_cost_per_year")) a year to hold."
        case "deadStock":
            return "No sale for \(number("days_without_sale")) days while \(number("on_hand")) units wait, costing \(money("holding_cost_per_year")) a year."
        default:
            return ""
        }
    }

    struct PurchaseOrdersContext: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title = "Purchase orders"
        var status: String
        var orders: [Order]
        struct Order: Encodable {
            var number: String
            var supplier: String
            var location: String
            var status: String
            var expected: String
            var outstanding: Int64
            var late: Bool
        }
    }

    func list(req: Request) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let status = req.query[String.self, at: "status"] ?? "open"
        let all = try await PurchaseOrders(application: req.application, db: req.db).list(shopID: try shop.requireID(), status: nil)
        let shown = all.filter { po in
            switch status {
            case "open": return po.status != "received"
            case "received": return po.status == "received"
            default: return true
            }
        }
        return try await req.view.render("purchase-orders", PurchaseOrdersContext(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), status: status,
            orders: shown.map { po in
                .init(number: po.number, supplier: po.supplier, location: po.location, status: po.status.replacingOccurrences(of: "_", with: " "),
                      expected: String(ConsoleFormat.dateTime(po.expectedAt, timezone: shop.timezone).prefix(10)),
                      outstanding: po.lines.reduce(0) { $0 + $1.outstanding },
                      late: po.status != "received" && po.expectedAt < req.now)
            }))
    }

    struct ReceiveContext: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title: String
        var order: PurchaseOrders.DTO
        var expected: String
        var open: Bool
        var message: String
        var errors: [String]
    }

    func show(req: Request) async throws -> View {
        try await render(req, message: req.query[String.self, at: "received"] == "1" ? "Delivery booked." : "", errors: [])
    }

    private func render(_ req: Request, message: String, errors: [String]) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let number = req.parameters.get("number") ?? ""
        let po = try await PurchaseOrders(application: req.application, db: req.db).find(shopID: try shop.requireID(), number: number)
        return try await req.view.render("purchase-order", ReceiveContext(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), title: "Receive \(po.number)", order: po,
            expected: String(ConsoleFormat.dateTime(po.expectedAt, timezone: shop.timezone).prefix(10)),
            open: po.status != "received", message: message, errors: errors))
    }

    /// The receiving form: one count per line (`qty_<SKU>`), blank or 0 for nothing arrived.
    func receive(req: Request) async throws -> Response {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let number = req.parameters.get("number") ?? ""
        let form = try req.content.decode([String: String].self)
        var lines: [StockMovementRequest.Line] = []
        var errors: [String] = []
        for (field, raw) in form.sorted(by: { $0.key < $1.key }) where field.hasPrefix("qty_") {
            let value = raw.trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { continue }
            guard let quantity = Int64(value), quantity >= 0 else { errors.append("\(field.dropFirst(4)): enter a whole number of units"); continue }
            if quantity > 0 { lines.append(.init(sku: String(field.dropFirst(4)), quantity: quantity)) }
        }
        if lines.isEmpty && errors.isEmpty { errors.append("Enter how many units arrived for at least one line.") }
        if errors.isEmpty {
            let request = PurchaseOrders.ReceiveRequest(lines: lines, allowOverReceipt: form["allow_over_receipt"] == "1",
                                                        note: form["note"].flatMap { $0.isEmpty ? nil : String($0.prefix(500)) })
            do {
                _ = try await PurchaseOrders(application: req.application, db: req.db)
                    .receive(number: number, request, shopID: try shop.requireID(), actor: .user(user.email))
                await StockAlerts.afterMovement(req, shopID: try shop.requireID(), skus: lines.map(\.sku))
                return req.redirect(to: "/console/purchase-orders/\(number.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "")?received=1")
            } catch let failure as ValidationFailure {
                errors = failure.issues.map { "\($0.field): \($0.message)" }
            } catch let error as APIError {
                errors = [error.message]
            }
        }
        return try await render(req, message: "", errors: errors).encodeResponse(status: .unprocessableEntity, for: req)
    }
}
