import Foundation

/// A postal address as received. Validation normalises it into the same shape.
public struct Address: Hashable, Sendable, Codable {
    public var name: String
    public var company: String?
    public var line1: String
    public var line2: String?
    public var city: String
    public var region: String?
    public var postalCode: String?
    public var country: String
    public var phone: String?

    public init(
        name: String, company: String? = nil, line1: String, line2: String? = nil, city: String,
        region: String? = nil, postalCode: String? = nil, country: String, phone: String? = nil
    ) {
        self.name = name
        self.company = company
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.country = country
        self.phone = phone
    }
}

/// The customer as the order names them.
public struct Customer: Hashable, Sendable, Codable {
    public var name: String
    public var email: String
    public var phone: String?

    public init(name: String, email: String, phone: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
    }
}

/// One requested line: a SKU, a quantity and, optionally, the price the channel sold it at.
public struct LineDraft: Hashable, Sendable {
    public var sku: String
    public var quantity: Int64
    /// Nil means "the catalog price".
    public var unitPrice: Int64?
    public var discount: Int64

    public init(sku: String, quantity: Int64, unitPrice: Int64? = nil, discount: Int64 = 0) {
        self.sku = sku
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.discount = discount
    }
}

/// An order exactly as submitted, before any rule has looked at it.
public struct OrderDraft: Sendable {
    public var currency: String
    public var locale: String?
    public var customer: Customer
    public var shippingAddress: Address
    public var billingAddress: Address?
    public var lines: [LineDraft]
    public var subtotal: Int64?
    public var discountTotal: Int64
    public var shippingTotal: Int64
    public var taxTotal: Int64
    public var total: Int64

    public init(
        currency: String, locale: String? = nil, customer: Customer, shippingAddress: Address,
        billingAddress: Address? = nil, lines: [LineDraft], subtotal: Int64? = nil, discountTotal: Int64 = 0,
        shippingTotal: Int64 = 0, taxTotal: Int64 = 0, total: Int64
    ) {
        self.currency = currency
        self.locale = locale
        self.customer = customer
        self.shippingAddress = shippingAddress
        self.billingAddress = billingAddress
        self.lines = lines
        self.subtotal = subtotal
        self.discountTotal = discountTotal
        self.shippingTotal = shippingTotal
        self.taxTotal = taxTotal
        self.total = total
    }
}

/// What the catalog knows about a SKU, handed to the validator by the caller.
public struct CatalogEntry: Hashable, Sendable {
    public var sku: String
    public var variantID: UUID
    public var name: String
    public var price: Int64
    public var currency: String
    public var active: Bool
    /// Orders reserve its stock.
    public var tracked: Bool

    public init(sku: String, variantID: UUID, name: String, price: Int64, currency: String, active: Bool, tracked: Bool = false) {
        self.sku = sku
        self.variantID = variantID
        self.name = name
        self.price = price
        self.currency = currency
        self.active = active
        self.tracked = tracked
    }
}

/// A line after validation: priced, totalled and tied to its catalog variant.
public struct ValidLine: Hashable, Sendable {
    public var sku: String
    public var tracked: Bool
    public var variantID: UUID
    public var name: String
    public var quantity: Int64
    public var unitPrice: Int64
    public var discount: Int64
    public var total: Int64
}

/// An order every field of which passed validation. Only this type can become a stored order.
public struct ValidOrder: Sendable {
    public var currency: CurrencyCode
    public var locale: String
    public var customer: Customer
    public var shippingAddress: Address
    public var billingAddress: Address?
    public var lines: [ValidLine]
    public var subtotal: Int64
    public var discountTotal: Int64
    public var shippingTotal: Int64
    public var taxTotal: Int64
    public var total: Int64

    /// Order-independent description of what was bought, used to spot duplicates.
    public var itemsSignature: String {
        lines.map { "\($0.sku)x\($0.quantity)" }.sorted().joined(separator: ",")
    }
}
