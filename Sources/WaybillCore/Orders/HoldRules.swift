import Foundation

/// A shop's rules for what makes a valid order doubtful. Stored per shop; every field has a sensible default.
public struct HoldPolicy: Hashable, Sendable, Codable {
    /// ISO country codes the shop ships to; empty means everywhere.
    public var shipsTo: [String]
    /// The shop's carriers refuse PO boxes.
    public var refusePOBoxes: Bool
    /// Hold when the total exceeds this multiple of the shop's usual (median) order total…
    public var highValueMultiple: Double
    /// …and only when at least this many orders define "usual"; below it, `highValueAbsolute` alone applies.
    public var highValueMinimumHistory: Int
    /// Always hold above this total (minor units); nil for no absolute limit.
    public var highValueAbsolute: Int64?
    /// Hold when billing and shipping countries differ and the total is at least this (minor units).
    public var crossBorderBillingThreshold: Int64
    /// Same customer and same items within this many minutes is a suspected duplicate.
    public var duplicateWindowMinutes: Int

    public init(
        shipsTo: [String] = [], refusePOBoxes: Bool = true, highValueMultiple: Double = 5,
        highValueMinimumHistory: Int = 20, highValueAbsolute: Int64? = nil,
        crossBorderBillingThreshold: Int64 = 0, duplicateWindowMinutes: Int = 30
    ) {
        self.shipsTo = shipsTo
        self.refusePOBoxes = refusePOBoxes
        self.highValueMultiple = highValueMultiple
        self.highValueMinimumHistory = highValueMinimumHistory
        self.highValueAbsolute = highValueAbsolute
        self.crossBorderBillingThreshold = crossBorderBillingThreshold
        self.duplicateWindowMinutes = duplicateWindowMinutes
    }
}

extension HoldPolicy {
    private enum CodingKeys: String, CodingKey {
        case shipsTo, refusePOBoxes, highValueMultiple, highValueMinimumHistory, highValueAbsolute
        case crossBorderBillingThreshold, duplicateWindowMinutes
    }

    /// Omitted fields take their defaults, so a shop can send only the rules it cares about.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = HoldPolicy()
        self.init(
            shipsTo: try c.decodeIfPresent([String].self, forKey: .shipsTo) ?? d.shipsTo,
            refusePOBoxes: try c.decodeIfPresent(Bool.self, forKey: .refusePOBoxes) ?? d.refusePOBoxes,
            highValueMultiple: try c.decodeIfPresent(Double.self, forKey: .highValueMultiple) ?? d.highValueMultiple,
            highValueMinimumHistory: try c.decodeIfPresent(Int.self, forKey: .highValueMinimumHistory) ?? d.highValueMinimumHistory,
            highValueAbsolute: try c.decodeIfPresent(Int64.self, forKey: .highValueAbsolute),
            crossBorderBillingThreshold: try c.decodeIfPresent(Int64.self, forKey: .crossBorderBillingThreshold) ?? d.crossBorderBillingThreshold,
            duplicateWindowMinutes: try c.decodeIfPresent(Int.self, forKey: .duplicateWindowMinutes) ?? d.duplicateWindowMinutes
        )
    }

    /// Problems with a policy a shop wants to save, by field (`hold_policy.ships_to[2]`).
    public func issues(field: String = "hold_policy") -> [FieldIssue] {
        var issues = IssueList()
        for (i, country) in shipsTo.enumerated() where !CountryCode.isValid(country) {
            issues.add("\(field).ships_to[\(i)]", "invalid_country", "'\(country)' is not an ISO 3166-1 alpha-2 code")
        }
        if !(highValueMultiple > 1 && highValueMultiple <= 1_000) {
            issues.add("\(field).high_value_multiple", "out_of_range", "high_value_multiple must be above 1 and at most 1,000")
        }
        if !(0...100_000).contains(highValueMinimumHistory) {
            issues.add("\(field).high_value_minimum_history", "out_of_range", "high_value_minimum_history must be 0–100,000")
        }
        if let absolute = highValueAbsolute, absolute <= 0 {
            issues.add("\(field).high_value_absolute", "must_be_positive", "high_value_absolute must be positive")
        }
        if crossBorderBillingThreshold < 0 {
            issues.add("\(field).cross_border_billing_threshold", "must_not_be_negative", "cross_border_billing_threshold must not be negative")
        }
        if !(0...10_080).contains(duplicateWindowMinutes) {
            issues.add("\(field).duplicate_window_minutes", "out_of_range", "duplicate_window_minutes must be 0–10,080 (a week)")
        }
        return issues.issues
    }
}

/// What the shop's history says about a new order, gathered by the caller (Core does no I/O).
public struct HoldContext: Sendable {
    /// Median total of the shop's recent orders in the same currency, and how many orders it is taken over.
    public var usualTotal: Int64?
    public var historyCount: Int
    /// Recent orders by the same customer (e-mail), with what they bought.
    public var recentOrdersOfCustomer: [RecentOrder]
    public var now: Date

    public struct RecentOrder: Sendable {
        public var number: Int64
        public var placedAt: Date
        public var itemsSignature: String
        public init(number: Int64, placedAt: Date, itemsSignature: String) {
            self.number = number
            self.placedAt = placedAt
            self.itemsSignature = itemsSignature
        }
    }

    public init(usualTotal: Int64?, historyCount: Int, recentOrdersOfCustomer: [RecentOrder], now: Date) {
        self.usualTotal = usualTotal
        self.historyCount = historyCount
        self.recentOrdersOfCustomer = recentOrdersOfCustomer
        self.now = now
    }
}

/// Decides which holds a valid order gets. Pure: same order, policy and context give the same holds.
public enum HoldRules {
    public static func evaluate(_ order: ValidOrder, policy: HoldPolicy, context: HoldContext) -> [Hold] {
        addressHolds(order.shippingAddress, billing: order.billingAddress, total: order.total, policy: policy)
            + valueHolds(order, policy: policy, context: context)
            + duplicateHolds(order, policy: policy, context: context)
    }

    /// The holds that depend only on addresses; re-run after an operator corrects an address.
    public static func addressHolds(_ shipping: Address, billing: Address?, total: Int64, policy: HoldPolicy) -> [Hold] {
        var holds: [Hold] = []
        if !policy.shipsTo.isEmpty && !policy.shipsTo.contains(shipping.country) {
            holds.append(Hold(.destinationNotServed, "the shop does not ship to \(shipping.country)"))
        }
        if policy.refusePOBoxes,
           [shipping.line1, shipping.line2 ?? ""].contains(where: POBoxRule.looksLikePOBox) {
            holds.append(Hold(.poBox, "the shipping address is a PO box, which the shop's carriers refuse"))
        }
        if let billing, billing.country != shipping.country, total >= policy.crossBorderBillingThreshold {
            holds.append(Hold(.billingShippingMismatch,
                              "billing country \(billing.country) differs from shipping country \(shipping.country)"))
        }
        return holds
    }

    static func valueHolds(_ order: ValidOrder, policy: HoldPolicy, context: HoldContext) -> [Hold] {
        if let absolute = policy.highValueAbsolute, order.total > absolute {
            return [Hold(.highValue, "total \(order.total) is above the shop's limit of \(absolute)")]
        }
        if let usual = context.usualTotal, usual > 0, context.historyCount >= policy.highValueMinimumHistory,
           Double(order.total) > Double(usual) * policy.highValueMultiple {
            let multiple = (Double(order.total) / Double(usual) * 10).rounded() / 10
            return [Hold(.highValue, "total is \(multiple)× the shop's usual order of \(usual)")]
        }
        return []
    }

    static func duplicateHolds(_ order: ValidOrder, policy: HoldPolicy, context: HoldContext) -> [Hold] {
        let window = TimeInterval(policy.duplicateWindowMinutes * 60)
        let signature = order.itemsSignature
        guard let twin = context.recentOrdersOfCustomer.first(where: {
            $0.itemsSignature == signature && context.now.timeIntervalSince($0.placedAt) <= window
        }) else { return [] }
        let minutes = Int(context.now.timeIntervalSince(twin.placedAt) / 60)
        return [Hold(.suspectedDuplicate, "same customer and items as order #\(twin.number) placed \(minutes) min earlier")]
    }
}

extension Hold {
    /// The `out_of_stock` hold for an order allocation could not fill, naming what is missing.
    public static func outOfStock(_ shortfalls: [Shortfall]) -> Hold {
        Hold(.outOfStock, shortfalls.map { "\($0.sku): \($0.requested) ordered, \(max($0.available, 0)) available" }
            .joined(separator: "; "))
    }
}
