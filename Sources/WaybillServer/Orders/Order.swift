import Fluent
import Foundation
import WaybillCore

/// A stored order. Its history lives in the timeline; this row is the current state derived from it.
// Fluent models are reference types mutated only by the request that loaded them.
final class Order: Model, @unchecked Sendable {
    static let schema = "orders"

    @ID(key: .id) var id: UUID?
    @Parent(key: "shop_id") var shop: Shop
    @Field(key: "number") var number: Int64
    @Field(key: "source") var source: String
    @OptionalField(key: "external_id") var externalID: String?
    @Enum(key: "status") var status: OrderStatus
    @Field(key: "currency") var currency: String
    @Field(key: "locale") var locale: String
    @Field(key: "customer_name") var customerName: String
    @Field(key: "customer_email") var customerEmail: String
    @OptionalField(key: "customer_phone") var customerPhone: String?
    @Field(key: "shipping_address") var shippingAddress: Address
    @OptionalField(key: "billing_address") var billingAddress: Address?
    @Field(key: "ship_country") var shipCountry: String
    @Field(key: "subtotal") var subtotal: Int64
    @Field(key: "discount_total") var discountTotal: Int64
    @Field(key: "shipping_total") var shippingTotal: Int64
    @Field(key: "tax_total") var taxTotal: Int64
    @Field(key: "total") var total: Int64
    @OptionalField(key: "note") var note: String?
    @Field(key: "items_signature") var itemsSignature: String
    @Field(key: "placed_at") var placedAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @Children(for: \.$order) var lines: [OrderLine]
    @Children(for: \.$order) var holds: [OrderHold]

    init() {}

    var displayNumber: String { "#\(number)" }
}

/// One line of an order, priced as it was sold.
// Fluent models are reference types mutated only by the request that loaded them.
final class OrderLine: Model, @unchecked Sendable {
    static let schema = "order_lines"

    @ID(key: .id) var id: UUID?
    @Parent(key: "order_id") var order: Order
    @Field(key: "position") var position: Int
    @Field(key: "variant_id") var variantID: UUID
    @Field(key: "sku") var sku: String
    @Field(key: "name") var name: String
    @Field(key: "quantity") var quantity: Int64
    @Field(key: "unit_price") var unitPrice: Int64
    @Field(key: "discount") var discount: Int64
    @Field(key: "total") var total: Int64

    init() {}
}

/// A reason an order is held; open while `released_at` is nil.
// Fluent models are reference types mutated only by the request that loaded them.
final class OrderHold: Model, @unchecked Sendable {
    static let schema = "order_holds"

    @ID(key: .id) var id: UUID?
    @Parent(key: "order_id") var order: Order
    @Field(key: "shop_id") var shopID: UUID
    @Enum(key: "reason") var reason: HoldReason
    @Field(key: "detail") var detail: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "released_at") var releasedAt: Date?
    @OptionalField(key: "released_by") var releasedBy: String?

    init() {}
}
