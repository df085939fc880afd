import Foundation
import WaybillCore

/// The body of `POST /api/v1/orders`, exactly as a client sends it.
struct CreateOrderRequest: Decodable, Sendable {
    struct Line: Decodable, Sendable {
        var sku: String
        var quantity: Int64
        var unitPrice: Int64?
        var discount: Int64?

        init(sku: String, quantity: Int64, unitPrice: Int64?, discount: Int64?) {
            self.sku = sku
            self.quantity = quantity
            self.unitPrice = unitPrice
            self.discount = discount
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            sku = try c.decode(String.self, forKey: .sku)
            quantity = try c.decodeInteger(.quantity)
            unitPrice = try c.decodeIntegerIfPresent(.unitPrice)
            discount = try c.decodeIntegerIfPresent(.discount)
        }

        enum CodingKeys: String, CodingKey { case sku, quantity, unitPrice, discount }
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
    /// The shipping option the customer chose, for the delivery promise (absent: the shop's usual one).
    var shipping: ShippingChoice?

    struct ShippingChoice: Decodable, Sendable {
        var carrier: String
        var service: String?
    }

    enum CodingKeys: String, CodingKey {
        case externalId, source, currency, locale, customer, shippingAddress, billingAddress, lineItems
        case subtotal, discountTotal, shippingTotal, taxTotal, total, note, shipping
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        externalId = try c.decodeIfPresent(String.self, forKey: .externalId)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        currency = try c.decode(String.self, forKey: .currency)
        locale = try c.decodeIfPresent(String.self, forKey: .locale)
        customer = try c.decode(Customer.self, forKey: .customer)
        shippingAddress = try c.decode(Address.self, forKey: .shippingAddress)
        billingAddress = try c.decodeIfPresent(Address.self, forKey: .billingAddress)
        lineItems = try c.decode([Line].self, forKey: .lineItems)
        subtotal = try c.decodeIntegerIfPresent(.subtotal)
        discountTotal = try c.decodeIntegerIfPresent(.discountTotal)
        shippingTotal = try c.decodeIntegerIfPresent(.shippingTotal)
        taxTotal = try c.decodeIntegerIfPresent(.taxTotal)
        total = try c.decodeInteger(.total)
        note = try c.decodeIfPresent(String.self, forKey: .note)
        shipping = try c.decodeIfPresent(ShippingChoice.self, forKey: .shipping)
    }

    init(
        externalId: String?, source: String?, currency: String, locale: String?, customer: Customer,
        shippingAddress: Address, billingAddress: Address?, lineItems: [Line], subtotal: Int64?, discountTotal: Int64?,
        shippingTotal: Int64?, taxTotal: Int64?, total: Int64, note: String?
    ) {
        self.externalId = externalId
        self.source = source
        self.currency = currency
        self.locale = locale
        self.customer = customer
        self.shippingAddress = shippingAddress
        self.billingAddress = billingAddress
        self.lineItems = lineItems
        self.subtotal = subtotal
        self.discountTotal = discountTotal
        self.shippingTotal = shippingTotal
        self.taxTotal = taxTotal
        self.total = total
        self.note = note
    }

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
        if let source, !CodeText.isCode(source, punctuation: "-_.") {
            issues.add("source", "invalid_format", "source must be 1–40 lowercase letters, digits, '_', '.' or '-'")
        }
        if let note, note.count > 2_000 { issues.add("note", "too_long", "note must be at most 2,000 characters") }
        if let shipping {
            if !CodeText.isCode(shipping.carrier) {
                issues.add("shipping.carrier", "invalid_carrier", "carrier must be a carrier code such as cj or ups")
            }
            if let service = shipping.service, !CodeText.isCode(service) {
                issues.add("shipping.service", "invalid_service", "service must be 1–40 lowercase letters, digits, '_' or '-'")
            }
        }
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
