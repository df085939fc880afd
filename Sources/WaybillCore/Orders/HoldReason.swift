/// Why a valid order is not shipped yet. An explicit list (compare Shopify's fulfillment hold reasons);
/// inventory and promise capabilities add their own cases here.
public enum HoldReason: String, Sendable, Codable, CaseIterable {
    case destinationNotServed = "destination_not_served"
    case poBox = "po_box"
    case highValue = "high_value"
    case billingShippingMismatch = "billing_shipping_mismatch"
    case suspectedDuplicate = "suspected_duplicate"
    case outOfStock = "out_of_stock"
    case unknownDeliveryDate = "unknown_delivery_date"
    case manual

    /// Holds that an address correction can clear without an operator releasing them.
    public var isAddressRelated: Bool {
        switch self {
        case .destinationNotServed, .poBox, .billingShippingMismatch: return true
        default: return false
        }
    }

    public func label(locale: String) -> String {
        let ko = locale.hasPrefix("ko")
        switch self {
        case .destinationNotServed: return ko ? "배송 불가 지역" : "Destination not served"
        case .poBox: return ko ? "사서함 주소" : "PO box address"
        case .highValue: return ko ? "고액 주문" : "Unusually high value"
        case .billingShippingMismatch: return ko ? "청구지·배송지 국가 불일치" : "Billing and shipping countries differ"
        case .suspectedDuplicate: return ko ? "중복 주문 의심" : "Suspected duplicate"
        case .outOfStock: return ko ? "재고 부족" : "Out of stock"
        case .unknownDeliveryDate: return ko ? "배송일 미정" : "Unknown delivery date"
        case .manual: return ko ? "수동 보류" : "Held by an operator"
        }
    }
}

/// One reason an order is held, with the detail an operator needs to decide.
public struct Hold: Hashable, Sendable, Codable {
    public var reason: HoldReason
    public var detail: String

    public init(_ reason: HoldReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }
}
