import Foundation

/// A shop's thresholds for stock alerts; every field has a default.
public struct AlertSettings: Hashable, Sendable, Codable {
    /// Warn when a stock-out is projected within this many days. Nil means the plan's lead time: a stock-out
    /// further out can still be prevented by ordering now (which `low_stock` asks for); one inside the lead
    /// time will happen whatever is ordered today, so it needs expediting or a word to waiting customers.
    public var stockoutHorizonDays: Int?
    /// More than this many days of cover is overstock.
    public var overstockCoverDays: Double
    /// No sale for this many days while stock waits is dead stock.
    public var deadStockDays: Int
    /// Stock that arrived less than this many days ago with no demand forecast yet is new, not overstock:
    /// a product launched today has no history to forecast from, and calling it overstock is noise.
    public var newStockGraceDays: Int

    public init(stockoutHorizonDays: Int? = nil, overstockCoverDays: Double = 120, deadStockDays: Int = 90,
                newStockGraceDays: Int = 28) {
        self.stockoutHorizonDays = stockoutHorizonDays
        self.overstockCoverDays = overstockCoverDays
        self.deadStockDays = deadStockDays
        self.newStockGraceDays = newStockGraceDays
    }
}

/// What the rules look at for one stock position, gathered by the caller (Core does no I/O).
public struct AlertInput: Sendable {
    public var level: StockLevel
    /// Units on open purchase orders and inbound transfers.
    public var incoming: Int64
    public var plan: ReorderPlan
    /// Expected units per day, starting today.
    public var dailyForecast: [Double]
    public var lastSaleAt: Date?
    /// When the SKU was first stocked here: stands in for the last sale of a SKU that never sold.
    public var stockedSince: Date?
    public var now: Date

    public init(level: StockLevel, incoming: Int64, plan: ReorderPlan, dailyForecast: [Double],
                lastSaleAt: Date?, stockedSince: Date? = nil, now: Date) {
        self.level = level
        self.incoming = incoming
        self.plan = plan
        self.dailyForecast = dailyForecast
        self.lastSaleAt = lastSaleAt
        self.stockedSince = stockedSince
        self.now = now
    }

    /// Available + incoming: what the shop can still promise once open orders arrive.
    public var position: Int64 { level.available &+ incoming }
}

/// Pure alert rules (F1), run by the scheduled job and whenever stock moves. Same input, same alerts.
public enum AlertRules {
    public static func evaluate(_ input: AlertInput, settings: AlertSettings = AlertSettings()) -> [StockAlert] {
        [lowStock(input), stockoutProjected(input, settings), overstock(input, settings), deadStock(input, settings)]
            .compactMap { $0 }
            .map { StockAlert(key: input.level.key, detail: $0) }
    }

    static func lowStock(_ input: AlertInput) -> StockAlert.Detail? {
        guard Double(input.position) < input.plan.reorderPoint else { return nil }
        return .lowStock(position: input.position, reorderPoint: input.plan.reorderPoint,
                         suggestedQuantity: input.plan.quantityToOrder(position: input.position))
    }

    static func stockoutProjected(_ input: AlertInput, _ settings: AlertSettings) -> StockAlert.Detail? {
        let leadTime = min(input.plan.inputs.leadTimeDays.rounded(.up), 3_650)
        let days = settings.stockoutHorizonDays ?? Int(leadTime.isFinite ? leadTime : 0)
        let horizon = Array(input.dailyForecast.prefix(max(days, 0)))
        guard let date = ReorderPolicy.projectedStockoutDate(stock: input.position, dailyForecast: horizon, from: input.now)
        else { return nil }
        return .stockoutProjected(date: date, daysAway: Int((date.timeIntervalSince(input.now) / 86_400).rounded()),
                                  position: input.position)
    }

    static func overstock(_ input: AlertInput, _ settings: AlertSettings) -> StockAlert.Detail? {
        guard input.position > 0, settings.overstockCoverDays.isFinite else { return nil }
        let cover = ReorderPolicy.daysOfCover(stock: input.position, dailyForecast: input.dailyForecast)
        if let cover, cover <= settings.overstockCoverDays { return nil }
        if cover == nil, input.lastSaleAt == nil, let since = input.stockedSince,
           input.now.timeIntervalSince(since) < Double(settings.newStockGraceDays) * 86_400 { return nil }
        // The excess is what lies beyond the threshold's worth of forecast demand; holding it is the cost of
        // the decision to over-order (the rest would be bought anyway).
        let needed = Int64(min(expectedDemand(days: settings.overstockCoverDays, input.dailyForecast).rounded(.up), 1e15))
        let excess = max(input.position - needed, 0)
        return .overstock(daysOfCover: cover, thresholdDays: settings.overstockCoverDays, excessUnits: excess,
                          holdingCostPerYear: holdingCost(excess, input.plan))
    }

    static func deadStock(_ input: AlertInput, _ settings: AlertSettings) -> StockAlert.Detail? {
        guard input.level.onHand > 0, let since = input.lastSaleAt ?? input.stockedSince else { return nil }
        let days = Int((input.now.timeIntervalSince(since) / 86_400).rounded(.down))
        guard days >= settings.deadStockDays else { return nil }
        return .deadStock(daysWithoutSale: days, onHand: input.level.onHand,
                          holdingCostPerYear: holdingCost(input.level.onHand, input.plan))
    }

    /// Forecast units over `days` (fractional), continuing at the forecast's mean rate past its horizon.
    static func expectedDemand(days: Double, _ forecast: [Double]) -> Double {
        guard !forecast.isEmpty, days.isFinite, days > 0 else { return 0 }
        let whole = Int(min(days, Double(forecast.count)))
        var total = forecast.prefix(whole).reduce(0) { $0 + max($1, 0) }
        let mean = forecast.reduce(0) { $0 + max($1, 0) } / Double(forecast.count)
        if days <= Double(forecast.count) {
            if whole < forecast.count { total += max(forecast[whole], 0) * (days - Double(whole)) }
        } else {
            total += mean * (days - Double(forecast.count))
        }
        return total
    }

    static func holdingCost(_ units: Int64, _ plan: ReorderPlan) -> Int64 {
        Int64(min((Double(units) * plan.inputs.holdingCostPerUnitYear).rounded(), 1e18))
    }
}
