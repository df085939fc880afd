import Foundation

/// Identifies one stock position: a SKU at one stock location.
public struct StockKey: Hashable, Sendable, Codable, Comparable {
    public var sku: String
    public var locationID: UUID

    public init(sku: String, locationID: UUID) {
        self.sku = sku
        self.locationID = locationID
    }

    public static func < (a: StockKey, b: StockKey) -> Bool {
        (a.sku, a.locationID.uuidString) < (b.sku, b.locationID.uuidString)
    }
}

/// The materialised stock of one SKU at one location; always equal to its ledger replayed (F1).
///
/// `incoming` (open purchase orders) is deliberately not here: it comes from purchase documents, not from
/// the ledger, so it is passed beside a level wherever it matters (alerts, replenishment).
public struct StockLevel: Hashable, Sendable, Codable {
    public var sku: String
    public var locationID: UUID
    /// Sellable units physically at the location (damaged units are counted apart).
    public var onHand: Int64
    /// Units promised to orders that have not shipped.
    public var reserved: Int64
    /// Units in quality control or broken: physically present, never sellable.
    public var damaged: Int64
    /// Units the shop holds back from sale against count errors and shrinkage; a setting, not a ledger sum.
    public var safetyBuffer: Int64

    public init(sku: String, locationID: UUID, onHand: Int64 = 0, reserved: Int64 = 0,
                damaged: Int64 = 0, safetyBuffer: Int64 = 0) {
        self.sku = sku
        self.locationID = locationID
        self.onHand = onHand
        self.reserved = reserved
        self.damaged = damaged
        self.safetyBuffer = safetyBuffer
    }

    public init(_ key: StockKey, safetyBuffer: Int64 = 0) {
        self.init(sku: key.sku, locationID: key.locationID, safetyBuffer: safetyBuffer)
    }

    public var key: StockKey { StockKey(sku: sku, locationID: locationID) }

    /// What can still be promised. Negative when backorders were taken or shrinkage ate into the buffer.
    public var available: Int64 { onHand - reserved - safetyBuffer }

    /// The adjustment a count implies: counted minus what the ledger says is on hand now.
    public func countDifference(_ counted: Int64) -> Int64 { counted - onHand }

    /// The level after `movement`, or the rule it breaks. Nothing is clamped: a refused movement changes nothing.
    ///
    /// Rules: quantities must be positive (adjustments are signed, counts may be zero); reserved and on hand
    /// never go below zero; a reservation needs that much available unless the shop takes backorders; a
    /// transfer out never dips into available, even with backorders, because it would move promised stock
    /// away. Shrinkage (damage, a negative adjustment, a count below the books) may use up the safety buffer —
    /// that is what the buffer is for — but without backorders it may not go below what is reserved: the
    /// orders holding those units must be released or re-allocated first, so the shortfall surfaces on the
    /// orders instead of hiding as a negative available.
    public func applying(_ movement: StockMovement, allowBackorder: Bool) throws(StockRuleViolation) -> StockLevel {
        guard movement.sku == sku else {
            throw StockRuleViolation(.skuMismatch, field: "sku", "movement for \(movement.sku) applied to \(sku)")
        }
        guard movement.locationID == locationID else {
            throw StockRuleViolation(.locationMismatch, field: "location_id", "movement for another location")
        }
        try StockRuleViolation.checkSign(movement)
        let q = movement.quantity
        var next = self
        switch movement.reason {
        case .receipt, .transferIn, .returnRestock:
            next.onHand = try StockRuleViolation.checkedSum(onHand, q)
        case .reservation:
            guard allowBackorder || q <= available else {
                throw StockRuleViolation(.insufficientAvailable, "cannot reserve \(q): \(max(available, 0)) available")
            }
            next.reserved = try StockRuleViolation.checkedSum(reserved, q)
        case .release:
            guard q <= reserved else {
                throw StockRuleViolation(.exceedsReserved, "cannot release \(q): \(reserved) reserved")
            }
            next.reserved -= q
        case .shipment:
            // Shipping consumes a reservation; stock that was never promised cannot leave as a shipment.
            guard q <= reserved else {
                throw StockRuleViolation(.exceedsReserved, "cannot ship \(q): \(reserved) reserved")
            }
            guard q <= onHand else {
                throw StockRuleViolation(.insufficientOnHand, "cannot ship \(q): \(onHand) on hand")
            }
            next.onHand -= q
            next.reserved -= q
        case .transferOut:
            guard q <= available, q <= onHand else {
                throw StockRuleViolation(.insufficientAvailable, "cannot transfer out \(q): \(max(available, 0)) available")
            }
            next.onHand -= q
        case .adjustment:
            next.onHand = try StockRuleViolation.checkedSum(onHand, q)
            try next.checkShrinkage(from: self, allowBackorder: allowBackorder)
        case .cycleCount:
            next.onHand = q
            try next.checkShrinkage(from: self, allowBackorder: allowBackorder)
        case .damage:
            next.onHand = try StockRuleViolation.checkedSum(onHand, -q)
            next.damaged = try StockRuleViolation.checkedSum(damaged, q)
            try next.checkShrinkage(from: self, allowBackorder: allowBackorder)
        case .writeOff:
            guard q <= damaged else {
                throw StockRuleViolation(.exceedsDamaged, "cannot write off \(q): \(damaged) damaged")
            }
            next.damaged -= q
        }
        return next
    }

    private func checkShrinkage(from before: StockLevel, allowBackorder: Bool) throws(StockRuleViolation) {
        // Only a decrease is judged: a gain is always welcome, even on a level that is short.
        guard onHand < before.onHand else { return }
        guard onHand >= 0 else {
            throw StockRuleViolation(.insufficientOnHand, "only \(before.onHand) on hand")
        }
        guard allowBackorder || onHand >= reserved else {
            throw StockRuleViolation(.belowReserved,
                                     "would leave \(onHand) on hand for \(reserved) reserved; release those orders first")
        }
    }
}
