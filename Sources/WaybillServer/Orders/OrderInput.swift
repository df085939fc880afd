import Foundation
import WaybillCore

/// The body of `POST /api/v1/orders`, exactly as a client sends it.
struct CreateOrderRequest: Decodable, Sendable {
    struct Line: Decodable, Sendable {
        var sku: String
        var quantity: Int64
        var unitPrice: Int64?
        var discount: Int64?
    }

    var externalId: String?
    var source: String?
    var currency: String
    var locale: String?
    var customer: Customer
    var shippingAddress: Address
    var billingAddress: Address?
    var lineItems: [Line]
    var subtotal: Int64?
    var discountTotal: Int64?
    var shippingTotal: Int64?
    var taxTotal: Int64?
    var total: Int64
    var note: String?

    var draft: OrderDraft {
        OrderDraft(
            currency: currency, locale: locale, customer: customer, shippingAddress: shippingAddress,
            billingAddress: billingAddress,
            lines: lineItems.map { LineDraft(sku: $0.sku, quantity: $0.quantity, unitPrice: $0.unitPrice, discount: $0.discount ?? 0) },
            subtotal: subtotal, discountTotal: discountTotal ?? 0, shippingTotal: shippingTotal ?? 0,
            taxTotal: taxTotal ?? 0, total: total
        )
    }

    /// Checks on fields that are not part of the order itself.
    func envelopeIssues() -> [FieldIssue] {
        var issues = IssueList()
        if let externalId, externalId.isEmpty || externalId.count > 100 {
            issues.add("external_id", "invalid_length", "external_id must be 1–100 characters")
        }
        if let source, source.range(of: "^[a-z0-9_.-]{1,40}$", options: .regularExpression) == nil {
            issues.add("source", "invalid_format", "source must be 1–40 lowercase letters, digits, '_', '.' or '-'")
        }
        if let note, note.count > 2_000 { issues.add("note", "too_long", "note must be at most 2,000 characters") }
        if lineItems.count > OrderValidator.maxLines {
            issues.add("line_items", "too_many", "an order may have at most \(OrderValidator.maxLines) line items")
        }
        return issues.issues
    }
}

/// The body of `PATCH /api/v1/orders/{id}`: an operator's correction. Absent fields stay as they are.
struct CorrectOrderRequest: Decodable, Sendable {
    var shippingAddress: Address?
    var billingAddress: Address?
    var customerEmail: String?
    var customerPhone: String?
    var note: String?
}

struct HoldRequest: Decodable, Sendable {
    var note: String?
}

struct ReleaseRequest: Decodable, Sendable {
    /// Which holds to release; absent means all open holds.
    var reasons: [HoldReason]?
    var note: String?
}

struct CancelRequest: Decodable, Sendable {
    var reason: String?
}
