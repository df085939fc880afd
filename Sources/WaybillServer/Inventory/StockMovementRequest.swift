import Foundation
import WaybillCore

/// What an operator asks to move: lines of SKUs and quantities at a location (and, for transfers, where to).
struct StockMovementRequest: Decodable, Sendable {
    struct Line: Decodable, Sendable {
        var sku: String
        var quantity: Int64

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            sku = try c.decode(String.self, forKey: .sku)
            quantity = try c.decodeInteger(.quantity)
        }

        init(sku: String, quantity: Int64) {
            self.sku = sku
            self.quantity = quantity
        }

        enum CodingKeys: String, CodingKey { case sku, quantity }
    }

    var location: String
    var toLocation: String?
    var lines: [Line]
    var note: String?
    /// The shop's own document number (a delivery note, a count sheet); a new id is used when absent.
    var reference: String?

    init(location: String, toLocation: String? = nil, lines: [Line], note: String? = nil, reference: String? = nil) {
        self.location = location
        self.toLocation = toLocation
        self.lines = lines
        self.note = note
        self.reference = reference
    }
}

/// The operator movements the API offers; reservations, releases and shipments come from orders.
enum StockOperation: String, Sendable, CaseIterable {
    case receipt = "receipts"
    case adjustment = "adjustments"
    case count = "counts"
    case transfer = "transfers"
    case damage = "damages"
    case writeOff = "write-offs"
    case returnRestock = "return-restocks"

    var reason: StockMovement.Reason {
        switch self {
        case .receipt: .receipt
        case .adjustment: .adjustment
        case .count: .cycleCount
        case .transfer: .transferOut
        case .damage: .damage
        case .writeOff: .writeOff
        case .returnRestock: .returnRestock
        }
    }

    var referenceKind: StockMovement.Reference.Kind {
        switch self {
        case .receipt: .receipt
        case .adjustment, .writeOff: .adjustment
        case .count: .cycleCount
        case .transfer: .transfer
        case .damage: .inspection
        case .returnRestock: .return
        }
    }
}
