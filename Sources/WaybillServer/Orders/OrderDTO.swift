import Foundation
import WaybillCore

/// An order as the API shows it.
struct OrderDTO: Codable, Sendable {
    struct Line: Codable, Sendable {
        var sku: String
        var variantId: UUID
        var name: String
        var quantity: Int64
        var unitPrice: Int64
        var discount: Int64
        var total: Int64
    }

    struct HoldDTO: Codable, Sendable {
        var reason: HoldReason
        var detail: String
        var createdAt: Date
    }

    var id: UUID
    var number: Int64
    var status: OrderStatus
    var source: String
    var externalId: String?
    var currency: String
    var locale: String
    var customer: Customer
    var shippingAddress: Address
    var billingAddress: Address?
    var lineItems: [Line]
    var subtotal: Int64
    var discountTotal: Int64
    var shippingTotal: Int64
    var taxTotal: Int64
    var total: Int64
    var holds: [HoldDTO]
    var note: String?
    var placedAt: Date
    var updatedAt: Date
    /// The delivery promise made at intake and its latest re-prediction (absent for orders without one).
    var promise: OrderPromiseDTO?

    init(
        id: UUID, number: Int64, status: OrderStatus, source: String, externalId: String?, currency: String, locale: String,
        customer: Customer, shippingAddress: Address, billingAddress: Address?, lineItems: [Line], subtotal: Int64,
        discountTotal: Int64, shippingTotal: Int64, taxTotal: Int64, total: Int64, holds: [HoldDTO], note: String?,
        placedAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.number = number
        self.status = status
        self.source = source
        self.externalId = externalId
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
        self.holds = holds
        self.note = note
        self.placedAt = placedAt
        self.updatedAt = updatedAt
    }

    init(_ o: Order, lines: [OrderLine], openHolds: [OrderHold]) throws {
        id = try o.requireID()
        number = o.number
        status = o.status
        source = o.source
        externalId = o.externalID
        currency = o.currency
        locale = o.locale
        customer = Customer(name: o.customerName, email: o.customerEmail, phone: o.customerPhone)
        shippingAddress = o.shippingAddress
        billingAddress = o.billingAddress
        lineItems = lines.sorted { $0.position < $1.position }.map {
            Line(sku: $0.sku, variantId: $0.variantID, name: $0.name, quantity: $0.quantity,
                 unitPrice: $0.unitPrice, discount: $0.discount, total: $0.total)
        }
        subtotal = o.subtotal
        discountTotal = o.discountTotal
        shippingTotal = o.shippingTotal
        taxTotal = o.taxTotal
        total = o.total
        holds = openHolds.filter { $0.releasedAt == nil }.sorted { $0.createdAt < $1.createdAt }
            .map { HoldDTO(reason: $0.reason, detail: $0.detail, createdAt: $0.createdAt) }
        note = o.note
        placedAt = o.placedAt
        updatedAt = o.updatedAt
    }
}

struct OrderPage: Codable, Sendable {
    var data: [OrderDTO]
    var nextCursor: String?
}

struct TimelineFactDTO: Codable, Sendable {
    var seq: Int
    var kind: String
    var occurredAt: Date
    var actor: String
    var source: String
    var payload: JSONValue

    init(_ f: TimelineFact) {
        seq = f.seq
        kind = f.kind
        occurredAt = f.occurredAt
        actor = f.actor
        source = f.source
        payload = JSONValue.parse(f.payload)
    }
}

struct TimelineDTO: Codable, Sendable {
    var orderId: UUID
    var facts: [TimelineFactDTO]
}
