import Foundation

/// A movement the stock rules refuse, with a stable code and the request field it concerns (for a 422 answer).
public struct StockRuleViolation: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: Code
    /// `quantity`, `sku` or `location_id`: the movement field the client should correct.
    public var field: String
    /// English, human-readable; clients localise by `code`.
    public var message: String

    public init(_ code: Code, field: String = "quantity", _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    /// Stable machine codes. Raw values are part of the API; never rename one.
    public enum Code: String, Sendable, Codable, CaseIterable {
        case quantityMustBePositive = "quantity_must_be_positive"
        case quantityMustNotBeZero = "quantity_must_not_be_zero"
        case quantityMustNotBeNegative = "quantity_must_not_be_negative"
        case quantityTooLarge = "quantity_too_large"
        /// Reserving or transferring out more than is available (on hand − reserved − safety buffer).
        case insufficientAvailable = "insufficient_available"
        /// Releasing or shipping more than is reserved.
        case exceedsReserved = "exceeds_reserved"
        /// Taking away more units than are physically on hand.
        case insufficientOnHand = "insufficient_on_hand"
        /// Shrinkage that would leave fewer units on hand than orders have reserved.
        case belowReserved = "below_reserved"
        /// Writing off more than is held as damaged.
        case exceedsDamaged = "exceeds_damaged"
        case skuMismatch = "sku_mismatch"
        case locationMismatch = "location_mismatch"
    }

    public var fieldIssue: FieldIssue { FieldIssue(field: field, code: code.rawValue, message: message) }

    public var description: String { "\(code.rawValue) (\(field)): \(message)" }
}

extension StockRuleViolation {
    /// The sign rule for each reason, checked before any arithmetic.
    static func checkSign(_ movement: StockMovement) throws(StockRuleViolation) {
        let q = movement.quantity
        switch movement.reason {
        case .adjustment:
            if q == 0 { throw StockRuleViolation(.quantityMustNotBeZero, "an adjustment must change the quantity") }
        case .cycleCount:
            // An empty shelf is a valid count.
            if q < 0 { throw StockRuleViolation(.quantityMustNotBeNegative, "a counted quantity cannot be negative") }
        default:
            if q <= 0 {
                throw StockRuleViolation(.quantityMustBePositive, "\(movement.reason.rawValue) quantity must be positive")
            }
        }
    }

    static func checkedSum(_ a: Int64, _ b: Int64) throws(StockRuleViolation) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw StockRuleViolation(.quantityTooLarge, "the quantity is too large") }
        return sum
    }
}
