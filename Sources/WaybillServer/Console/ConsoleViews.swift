import Foundation
import WaybillCore

/// What console templates see. Leaf escapes every value; templates never build HTML from data.
struct OrderRowView: Encodable {
    var id: String
    var number: String
    var placedAt: String
    var status: String
    var statusLabel: String
    var customer: String
    var email: String
    var country: String
    var total: String
    var holds: [String]

    init(_ o: Order, shop: Shop) throws {
        id = try o.requireID().uuidString
        number = o.displayNumber
        placedAt = ConsoleFormat.dateTime(o.placedAt, timezone: shop.timezone)
        status = o.status.rawValue
        statusLabel = ConsoleFormat.status(o.status)
        customer = o.customerName
        email = o.customerEmail
        country = o.shipCountry
        total = ConsoleFormat.money(o.total, currency: o.currency)
        holds = o.holds.filter { $0.releasedAt == nil }.map { $0.reason.label(locale: "en") }
    }
}

struct OrderDetailView: Encodable {
    struct Line: Encodable { var sku: String; var name: String; var quantity: Int64; var unitPrice: String; var discount: String; var total: String }
    struct HoldView: Encodable { var reason: String; var label: String; var detail: String; var since: String }
    struct Fact: Encodable { var seq: Int; var kind: String; var at: String; var actor: String; var summary: String }

    var row: OrderRowView
    var source: String
    var externalID: String?
    var phone: String?
    var locale: String
    var shipping: Address
    var billing: Address?
    var lines: [Line]
    var subtotal: String
    var discountTotal: String
    var shippingTotal: String
    var taxTotal: String
    var total: String
    var note: String?
    var holds: [HoldView]
    var facts: [Fact]
    var canCancel: Bool
    var canHold: Bool
    var canRelease: Bool
    var canCorrect: Bool

    init(_ o: Order, shop: Shop, facts: [TimelineFact]) throws {
        row = try OrderRowView(o, shop: shop)
        source = o.source
        externalID = o.externalID
        phone = o.customerPhone
        locale = o.locale
        shipping = o.shippingAddress
        billing = o.billingAddress
        let money = { (v: Int64) in ConsoleFormat.money(v, currency: o.currency) }
        lines = o.lines.sorted { $0.position < $1.position }.map {
            Line(sku: $0.sku, name: $0.name, quantity: $0.quantity, unitPrice: money($0.unitPrice),
                 discount: money($0.discount), total: money($0.total))
        }
        subtotal = money(o.subtotal)
        discountTotal = money(o.discountTotal)
        shippingTotal = money(o.shippingTotal)
        taxTotal = money(o.taxTotal)
        total = money(o.total)
        note = o.note
        holds = o.holds.filter { $0.releasedAt == nil }.map {
            HoldView(reason: $0.reason.rawValue, label: $0.reason.label(locale: "en"), detail: $0.detail,
                     since: ConsoleFormat.dateTime($0.createdAt, timezone: shop.timezone))
        }
        self.facts = facts.map {
            Fact(seq: $0.seq, kind: $0.kind, at: ConsoleFormat.dateTime($0.occurredAt, timezone: shop.timezone),
                 actor: $0.actor, summary: ConsoleFormat.summary(kind: $0.kind, payload: JSONValue.parse($0.payload)))
        }
        canCancel = OrderStateMachine.canApply(.cancel, to: o.status)
        canHold = OrderStateMachine.canApply(.hold, to: o.status)
        canRelease = o.status == .onHold
        canCorrect = [.placed, .onHold, .ready].contains(o.status)
    }
}

enum ConsoleFormat {
    static func money(_ minor: Int64, currency: String) -> String {
        CurrencyCode(currency)?.format(minorUnits: minor, locale: "en") ?? "\(minor) \(currency)"
    }

    static func dateTime(_ date: Date, timezone: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: timezone) ?? .gmt
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: date)
    }

    static func status(_ s: OrderStatus) -> String {
        s.rawValue.replacingOccurrences(of: "_", with: " ").capitalized
    }

    /// One readable line per fact for the order page.
    static func summary(kind: String, payload: JSONValue) -> String {
        guard case .object(let p) = payload else { return kind }
        func text(_ key: String) -> String? {
            switch p[key] {
            case .string(let s): return s
            case .number(let n): return String(Int64(n))
            case .array(let items): return items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }.joined(separator: ", ")
            default: return nil
            }
        }
        switch TimelineKind(rawValue: kind) {
        case .orderPlaced: return "Placed via \(text("source") ?? "?") — \(text("line_count") ?? "?") line(s), total \(text("total") ?? "?") \(text("currency") ?? "")"
        case .orderHeld: return "Held: \(text("reason") ?? "?") — \(text("detail") ?? "")"
        case .holdReleased: return "Hold released: \(text("reason") ?? "?")" + (text("note").map { " — \($0)" } ?? "")
        case .orderReady: return "Ready to fulfil"
        case .orderCorrected: return "Corrected: \(text("fields") ?? "")"
        case .orderCancelled: return "Cancelled" + (text("reason").map { " — \($0)" } ?? "")
        case .orderEdited: return "Quantities edited"
        case .stockReserved, .stockReleased:
            guard case .array(let lines)? = p["lines"] else { return kind }
            let parts = lines.compactMap { line -> String? in
                guard case .object(let l) = line, case .string(let sku)? = l["sku"], case .number(let q)? = l["quantity"] else { return nil }
                return "\(sku) ×\(Int64(q))"
            }
            return (kind == "stock_reserved" ? "Stock reserved: " : "Stock released: ") + parts.joined(separator: ", ")
        case .shipmentCreated:
            return "Shipment \(text("number") ?? "?") packed" + (text("tracking_number").map { " — \(text("carrier") ?? "") \($0)" } ?? "")
        case .shipmentHandedOver: return "Shipment \(text("number") ?? "?") handed to \(text("carrier") ?? "the carrier")"
        case .trackingUpdated:
            return "Shipment \(text("number") ?? "?"): \((text("to") ?? "?").replacingOccurrences(of: "_", with: " "))"
                + (text("raw_text").map { " — \($0)" } ?? "") + (text("location").map { " (\($0))" } ?? "")
        case .orderDelivered: return "Delivered"
        case .fulfillmentLate: return "Not handed to a carrier by its deadline (\(text("handling_business_days") ?? "?") business days)"
        case .orderPromised:
            return "Promised: arrives by \(text("latest") ?? "?") (most likely \(text("most_likely") ?? "?"), via \(text("carrier") ?? "?"))"
        case .deliveryAtRisk:
            let probability = { () -> String in
                if case .number(let n)? = p["probability_on_time"] { return String(format: "%.0f%%", n * 100) }
                return "?"
            }()
            return "At risk: \(probability) chance of arriving by \(text("latest") ?? "?"); now expected \(text("expected") ?? "unknown")"
        case .preferencesChanged:
            func on(_ key: String) -> String { if case .bool(let b)? = p[key] { return b ? "on" : "off" } else { return "?" } }
            return "Customer set updates: e-mail \(on("email")), SMS \(on("sms"))"
        case .customerContacted: return "Customer wrote: \(text("message") ?? "")"
        case nil: return kind
        }
    }
}
