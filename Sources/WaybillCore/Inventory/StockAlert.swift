import Foundation

/// Something about one stock position an operator should act on (F1). Each becomes a fact that
/// notification rules can send, so every figure behind it travels with it.
public struct StockAlert: Hashable, Sendable, Codable {
    public var key: StockKey
    public var detail: Detail

    public init(key: StockKey, detail: Detail) {
        self.key = key
        self.detail = detail
    }

    /// Raw values are the wire and database spelling.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case lowStock = "low_stock"
        case stockoutProjected = "stockout_projected"
        case overstock
        case deadStock = "dead_stock"
    }

    /// The figures of each kind. Costs are minor units of the shop currency per year.
    public enum Detail: Hashable, Sendable, Codable {
        /// available + incoming is below the reorder point; `suggestedQuantity` is what the plan would order.
        case lowStock(position: Int64, reorderPoint: Double, suggestedQuantity: Int64)
        /// At the forecast rate, available + incoming runs out on `date`, `daysAway` days from now.
        case stockoutProjected(date: Date, daysAway: Int, position: Int64)
        /// Cover beyond the shop's threshold; the excess units and what holding them costs a year.
        /// `daysOfCover` is nil when nothing is expected to sell.
        case overstock(daysOfCover: Double?, thresholdDays: Double, excessUnits: Int64, holdingCostPerYear: Int64)
        /// Nothing sold for `daysWithoutSale` days while `onHand` units wait, costing that much a year.
        case deadStock(daysWithoutSale: Int, onHand: Int64, holdingCostPerYear: Int64)
    }

    public var kind: Kind {
        switch detail {
        case .lowStock: return .lowStock
        case .stockoutProjected: return .stockoutProjected
        case .overstock: return .overstock
        case .deadStock: return .deadStock
        }
    }
}
