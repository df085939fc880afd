import Foundation

/// One change of stock in the ledger: what moved, where, why, on whose say-so and when. Never edited.
public struct StockMovement: Hashable, Sendable, Codable {
    public var sku: String
    public var locationID: UUID
    public var reason: Reason
    /// Units. Positive for every reason except `adjustment` (signed, non-zero) and `cycle_count`, where it is
    /// the on-hand quantity the counter saw (≥ 0), not a difference — see `StockLevel.countDifference(_:)`.
    public var quantity: Int64
    public var reference: Reference
    /// Who caused it: a user id, an API key id or `system`. Text, so the ledger outlives the accounts.
    public var actor: String
    public var occurredAt: Date

    public init(
        sku: String, locationID: UUID, reason: Reason, quantity: Int64,
        reference: Reference, actor: String, occurredAt: Date
    ) {
        self.sku = sku
        self.locationID = locationID
        self.reason = reason
        self.quantity = quantity
        self.reference = reference
        self.actor = actor
        self.occurredAt = occurredAt
    }

    public var key: StockKey { StockKey(sku: sku, locationID: locationID) }
}

extension StockMovement {
    /// Why stock moved. Raw values are the wire and database spelling.
    public enum Reason: String, Sendable, Codable, CaseIterable {
        case receipt
        case reservation
        case release
        case shipment
        case adjustment
        case cycleCount = "cycle_count"
        case transferOut = "transfer_out"
        case transferIn = "transfer_in"
        case damage
        case returnRestock = "return_restock"
        case writeOff = "write_off"
    }

    /// The document a movement belongs to, so every unit can be traced back to why it moved.
    public struct Reference: Hashable, Sendable, Codable {
        public var kind: Kind
        /// The document's id as the server spells it (a UUID, an order number, a PO number).
        public var id: String

        public init(_ kind: Kind, _ id: String) {
            self.kind = kind
            self.id = id
        }

        public enum Kind: String, Sendable, Codable, CaseIterable {
            case order
            case purchaseOrder = "purchase_order"
            case receipt
            case `return`
            case transfer
            case adjustment
            case cycleCount = "cycle_count"
            case inspection
            case shipment
        }
    }
}
