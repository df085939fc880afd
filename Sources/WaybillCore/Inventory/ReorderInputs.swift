import Foundation

/// What a replenishment decision needs for one SKU at one location (F1). Costs are in the shop currency's
/// minor units; they only enter through their ratio (EOQ) or as reported holding cost.
public struct ReorderInputs: Hashable, Sendable, Codable {
    /// d: expected units per day over the coming lead time (from `DemandForecast`).
    public var meanDailyDemand: Double
    /// σ_d: standard deviation of one day's demand around the forecast (one-step forecast error).
    public var demandStdDev: Double
    /// LT and σ_LT, in days, from the supplier's observed receipts.
    public var leadTimeDays: Double
    public var leadTimeStdDev: Double
    public var serviceLevel: ServiceLevel
    /// S: what placing one purchase order costs (handling, freight minimum, receiving).
    public var orderingCost: Double
    /// H: what holding one unit for a year costs (capital, space, shrinkage; often 20–30 % of unit cost).
    public var holdingCostPerUnitYear: Double
    /// The supplier sells in packs of this many units and no fewer than `minimumOrder` units per order.
    public var packSize: Int64
    public var minimumOrder: Int64
    public var quantityRule: QuantityRule

    public init(
        meanDailyDemand: Double, demandStdDev: Double, leadTimeDays: Double, leadTimeStdDev: Double = 0,
        serviceLevel: ServiceLevel = .standard, orderingCost: Double = 0, holdingCostPerUnitYear: Double = 0,
        packSize: Int64 = 1, minimumOrder: Int64 = 0, quantityRule: QuantityRule = .economicOrderQuantity
    ) {
        self.meanDailyDemand = meanDailyDemand
        self.demandStdDev = demandStdDev
        self.leadTimeDays = leadTimeDays
        self.leadTimeStdDev = leadTimeStdDev
        self.serviceLevel = serviceLevel
        self.orderingCost = orderingCost
        self.holdingCostPerUnitYear = holdingCostPerUnitYear
        self.packSize = packSize
        self.minimumOrder = minimumOrder
        self.quantityRule = quantityRule
    }

    /// A trillion units: more than any SKU will stock, small enough that sums of them cannot overflow.
    public static let maximumUnits: Int64 = 1_000_000_000_000

    /// How much to order once the reorder point is reached.
    public enum QuantityRule: Hashable, Sendable, Codable {
        /// The economic order quantity √(2DS/H): the lot that balances ordering against holding cost.
        case economicOrderQuantity
        /// A fixed number of days of expected demand per order (what buyers often think in).
        case daysOfCover(days: Int)
        /// The operator's own bounds: reorder below `min`, order up to `max`.
        case minMax(min: Int64, max: Int64)
    }

    /// Problems by field (`reorder.lead_time_days`), reported all at once.
    public func issues(field: String = "reorder") -> [FieldIssue] {
        var issues = IssueList()
        let nonNegative: [(String, Double)] = [
            ("mean_daily_demand", meanDailyDemand), ("demand_std_dev", demandStdDev),
            ("lead_time_days", leadTimeDays), ("lead_time_std_dev", leadTimeStdDev),
            ("ordering_cost", orderingCost), ("holding_cost_per_unit_year", holdingCostPerUnitYear),
        ]
        for (name, value) in nonNegative where !(value.isFinite && value >= 0) {
            issues.add("\(field).\(name)", "must_not_be_negative", "\(name) must be a finite number ≥ 0")
        }
        if packSize < 1 { issues.add("\(field).pack_size", "must_be_positive", "pack_size must be at least 1") }
        // Bounds keep every later sum of units far from Int64 overflow.
        for (name, units) in [("pack_size", packSize), ("minimum_order", minimumOrder)] where units > Self.maximumUnits {
            issues.add("\(field).\(name)", "too_large", "\(name) must be at most \(Self.maximumUnits)")
        }
        if minimumOrder < 0 {
            issues.add("\(field).minimum_order", "must_not_be_negative", "minimum_order must not be negative")
        }
        switch quantityRule {
        case .economicOrderQuantity:
            if holdingCostPerUnitYear <= 0 {
                issues.add("\(field).holding_cost_per_unit_year", "must_be_positive",
                           "the economic order quantity needs a positive holding cost")
            }
        case .daysOfCover(let days):
            if !(1...3_650).contains(days) {
                issues.add("\(field).days_of_cover", "out_of_range", "days_of_cover must be 1–3,650")
            }
        case .minMax(let min, let max):
            if min < 0 { issues.add("\(field).min", "must_not_be_negative", "min must not be negative") }
            if max <= min { issues.add("\(field).max", "must_exceed_min", "max must be greater than min") }
            if max > Self.maximumUnits { issues.add("\(field).max", "too_large", "max must be at most \(Self.maximumUnits)") }
        }
        return issues.issues
    }
}
