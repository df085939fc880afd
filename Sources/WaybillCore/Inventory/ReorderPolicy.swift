import Foundation

/// The computed policy for one SKU at one location: when to reorder and how much.
public struct ReorderPlan: Hashable, Sendable, Codable {
    public var inputs: ReorderInputs
    public var z: Double
    /// d·LT: what is expected to sell while an order is on its way.
    public var leadTimeDemand: Double
    public var safetyStock: Double
    /// Reorder when available + incoming falls below this (for min/max: the operator's min).
    public var reorderPoint: Double
    /// The lot before pack and MOQ rounding (EOQ or days of cover; min/max: up to max from the reorder point).
    public var unroundedQuantity: Double
    /// The lot actually ordered at the reorder point, a whole number of packs and at least the MOQ.
    public var orderQuantity: Int64

    /// What to order now for a stock position of available + incoming: nothing above the reorder point.
    /// A position far below the reorder point (a surge, a late delivery) orders enough to climb back above it.
    public func quantityToOrder(position: Int64) -> Int64 {
        guard Double(position) < reorderPoint else { return 0 }
        let raw: Double
        switch inputs.quantityRule {
        case .minMax(_, let max):
            raw = Double(max) - Double(position)
        case .economicOrderQuantity, .daysOfCover:
            raw = Swift.max(unroundedQuantity, reorderPoint - Double(position))
        }
        return ReorderPolicy.roundedOrder(Swift.max(raw, 1), packSize: inputs.packSize, minimumOrder: inputs.minimumOrder)
    }
}

/// The replenishment formulas (F1), in their standard textbook forms.
///
/// References: Silver, Pyke & Thomas, *Inventory and Production Management in Supply Chains* (4th ed., 2017),
/// the chapters on the EOQ and on continuous-review (s, Q) systems; Chopra & Meindl, *Supply Chain
/// Management*, the chapter on safety inventory (uncertain demand and uncertain lead time).
public enum ReorderPolicy {
    public static func plan(_ inputs: ReorderInputs) throws(ValidationFailure) -> ReorderPlan {
        let issues = inputs.issues()
        guard issues.isEmpty else { throw ValidationFailure(issues) }

        let d = inputs.meanDailyDemand
        let z = inputs.serviceLevel.z
        // Demand over a lead time of random length is a random sum: with daily demand (d, σ_d) independent of
        // a lead time (LT, σ_LT), its variance is LT·σ_d² + d²·σ_LT² (the law of total variance). The first term
        // is demand noise, the second a late truck meeting ordinary demand. A cycle service level p means
        // "lead-time demand stays below the reorder point with probability p"; under the normal approximation
        // that needs z_p standard deviations above the mean.
        let sigmaLeadTimeDemand = (inputs.leadTimeDays * inputs.demandStdDev * inputs.demandStdDev
            + d * d * inputs.leadTimeStdDev * inputs.leadTimeStdDev).squareRoot()
        let safetyStock = z * sigmaLeadTimeDemand
        // (s, Q) continuous review: the order must be placed while what is left still covers the expected
        // lead-time demand plus the safety stock.
        let leadTimeDemand = d * inputs.leadTimeDays
        var reorderPoint = leadTimeDemand + safetyStock

        let unrounded: Double
        switch inputs.quantityRule {
        case .economicOrderQuantity:
            // Harris–Wilson EOQ: yearly cost D·S/Q (orders) + H·Q/2 (average cycle stock) is least at
            // Q* = √(2DS/H). The curve is flat around Q*: ordering 10 % more costs under 0.5 % more, which is
            // why rounding up to whole packs is cheap.
            let annualDemand = 365 * d
            unrounded = (2 * annualDemand * inputs.orderingCost / inputs.holdingCostPerUnitYear).squareRoot()
        case .daysOfCover(let days):
            unrounded = d * Double(days)
        case .minMax(let min, let max):
            // The operator's bounds replace the statistical reorder point; the computed safety stock is still
            // reported so the console can say when `min` protects less than the service level asks.
            reorderPoint = Double(min)
            unrounded = Double(max - min)
        }
        // No demand, no order: rounding a zero lot up to the MOQ would buy stock nobody is expected to want.
        let quantity = unrounded > 0
            ? roundedOrder(unrounded, packSize: inputs.packSize, minimumOrder: inputs.minimumOrder) : 0
        return ReorderPlan(inputs: inputs, z: z, leadTimeDemand: leadTimeDemand, safetyStock: safetyStock,
                           reorderPoint: reorderPoint, unroundedQuantity: unrounded, orderQuantity: quantity)
    }

    /// Whole packs, at least the MOQ: the MOQ is applied first and then rounded up, so the result honours
    /// both even when the MOQ is not a multiple of the pack. Always rounds up: a short lot risks the
    /// stock-out the policy exists to prevent, while a slightly long one costs little (see EOQ above).
    public static func roundedOrder(_ quantity: Double, packSize: Int64, minimumOrder: Int64) -> Int64 {
        guard quantity > 0 else { return 0 }
        let pack = max(packSize, 1)
        // Clamp before converting: an absurd forecast must not trap on Int64 conversion.
        let units = Int64(min(quantity.rounded(.up), 1e15))
        let atLeastMOQ = max(units, minimumOrder)
        let packs = atLeastMOQ / pack + (atLeastMOQ % pack == 0 ? 0 : 1)
        let (total, overflow) = packs.multipliedReportingOverflow(by: pack)
        return overflow ? Int64.max / pack * pack : total
    }

    /// The first day on which forecast demand exceeds what is left of `stock`, or nil if the forecast horizon
    /// is covered. Day 0 is `from`; days are 24-hour steps in UTC, the time base of storage.
    public static func projectedStockoutDate(stock: Int64, dailyForecast: [Double], from date: Date) -> Date? {
        var left = Double(stock)
        for (day, demand) in dailyForecast.enumerated() {
            if demand > left { return date.addingTimeInterval(Double(day) * 86_400) }
            left -= demand
        }
        return nil
    }

    /// How many days `stock` lasts against the forecast, fractional on the last day. Past the horizon the
    /// forecast's mean rate is assumed to continue; nil when nothing is expected to sell (cover is infinite).
    public static func daysOfCover(stock: Int64, dailyForecast: [Double]) -> Double? {
        var left = Double(max(stock, 0))
        for (day, demand) in dailyForecast.enumerated() where demand > 0 {
            if demand >= left { return Double(day) + left / demand }
            left -= demand
        }
        let total = dailyForecast.reduce(0) { $0 + max($1, 0) }
        guard total > 0 else { return nil }
        return Double(dailyForecast.count) + left / (total / Double(dailyForecast.count))
    }
}
