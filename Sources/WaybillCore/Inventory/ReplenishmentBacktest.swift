import Foundation

/// Replays a daily demand history under a replenishment policy and measures how well it would have served
/// (`waybill inventory backtest`, F1). Deterministic: the same scenario and seed give the same figures.
///
/// Each day: deliveries due arrive; demand is served from stock and what cannot be served is lost (a shop
/// customer rarely waits); the policy looks at the position (on hand + on order) and orders if it is below
/// the reorder point. The computed policy sees only what a shop would see — sales, and whether the shelf
/// ran empty — never the true demand of a day it was out of stock.
public enum ReplenishmentBacktest {
    public struct Scenario: Hashable, Sendable, Codable {
        /// Units wanted each day, from `firstDate` on.
        public var demand: [Int64]
        public var firstDate: Date
        /// Leading days that are history known before the replay starts (the forecaster's first data); not scored.
        public var warmUpDays: Int
        public var startingStock: Int64
        /// Each order arrives after `leadTimeDays` ± a uniform whole number of days up to `leadTimeJitterDays`
        /// (never sooner than the next day), drawn from a generator seeded with `seed`.
        public var leadTimeDays: Int
        public var leadTimeJitterDays: Int
        public var seed: UInt64

        public init(demand: [Int64], firstDate: Date, warmUpDays: Int, startingStock: Int64,
                    leadTimeDays: Int, leadTimeJitterDays: Int = 0, seed: UInt64 = 1) {
            self.demand = demand
            self.firstDate = firstDate
            self.warmUpDays = warmUpDays
            self.startingStock = startingStock
            self.leadTimeDays = leadTimeDays
            self.leadTimeJitterDays = leadTimeJitterDays
            self.seed = seed
        }

        func issues() -> [FieldIssue] {
            var issues = IssueList()
            if !(0..<demand.count).contains(warmUpDays) {
                issues.add("warm_up_days", "out_of_range", "warm_up_days must leave at least one day to replay")
            }
            let limit = ReorderInputs.maximumUnits
            if demand.contains(where: { !(0...limit).contains($0) }) {
                issues.add("demand", "out_of_range", "each day's demand must be 0–\(limit)")
            }
            if !(0...limit).contains(startingStock) {
                issues.add("starting_stock", "out_of_range", "starting_stock must be 0–\(limit)")
            }
            if !(1...365).contains(leadTimeDays) {
                issues.add("lead_time_days", "out_of_range", "lead_time_days must be 1–365")
            }
            if !(0...365).contains(leadTimeJitterDays) {
                issues.add("lead_time_jitter_days", "out_of_range", "lead_time_jitter_days must be 0–365")
            }
            return issues.issues
        }
    }

    public enum Policy: Hashable, Sendable, Codable {
        /// Re-fits the forecast and recomputes the reorder plan every `reviewEveryDays` days.
        case computed(ComputedPolicy)
        /// Fixed reorder point and quantity, set once and never revisited.
        case fixed(reorderPoint: Int64, orderQuantity: Int64)

        /// The rule of thumb the computed policy is measured against: from the warm-up's average daily
        /// demand, reorder when stock covers the lead time plus `bufferDays`, and order `coverDays` of it.
        public static func ruleOfThumb(for scenario: Scenario, bufferDays: Int = 7, coverDays: Int = 28) -> Policy {
            let warmUp = scenario.demand.prefix(max(scenario.warmUpDays, 0))
            let mean = warmUp.isEmpty ? 0 : Double(warmUp.reduce(0, +)) / Double(warmUp.count)
            return .fixed(reorderPoint: Int64((mean * Double(scenario.leadTimeDays + bufferDays)).rounded(.up)),
                          orderQuantity: max(Int64((mean * Double(coverDays)).rounded(.up)), 1))
        }
    }

    /// The shop's settings for the computed policy; demand and lead-time figures come from the replay itself.
    public struct ComputedPolicy: Hashable, Sendable, Codable {
        public var serviceLevel: ServiceLevel
        public var orderingCost: Double
        public var holdingCostPerUnitYear: Double
        public var packSize: Int64
        public var minimumOrder: Int64
        public var quantityRule: ReorderInputs.QuantityRule
        public var reviewEveryDays: Int

        public init(serviceLevel: ServiceLevel = .standard, orderingCost: Double, holdingCostPerUnitYear: Double,
                    packSize: Int64 = 1, minimumOrder: Int64 = 0,
                    quantityRule: ReorderInputs.QuantityRule = .economicOrderQuantity, reviewEveryDays: Int = 7) {
            self.serviceLevel = serviceLevel
            self.orderingCost = orderingCost
            self.holdingCostPerUnitYear = holdingCostPerUnitYear
            self.packSize = packSize
            self.minimumOrder = minimumOrder
            self.quantityRule = quantityRule
            self.reviewEveryDays = reviewEveryDays
        }
    }

    /// How a policy did over the replayed days (the warm-up excluded).
    public struct Result: Hashable, Sendable, Codable {
        public var days: Int
        /// Days on which some demand could not be served, and which days they were.
        public var stockOutDays: Int
        public var stockOutDates: [Date]
        public var unitsDemanded: Int64
        public var unitsServed: Int64
        public var ordersPlaced: Int
        /// Mean end-of-day on-hand: the stock the shop pays to hold overnight.
        public var averageOnHand: Double

        /// Units served / units demanded (1 when nothing was demanded).
        public var fillRate: Double {
            unitsDemanded == 0 ? 1 : Double(unitsServed) / Double(unitsDemanded)
        }
    }
}
