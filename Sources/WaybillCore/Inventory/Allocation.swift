import Foundation

/// How a shop wants its orders to take stock (F1).
public struct InventoryPolicy: Hashable, Sendable, Codable {
    /// Fill an order from several warehouses when no single one can.
    public var allowSplit: Bool
    /// Take orders beyond available stock (they reserve into negative availability).
    public var allowBackorder: Bool
    /// What happens to an order that cannot be filled: held as `out_of_stock`, or refused with 409.
    public var onShortage: ShortageAction
    /// Warehouse codes in the shop's order of preference, after proximity to the destination.
    public var warehousePriority: [String]

    public enum ShortageAction: String, Sendable, Codable, CaseIterable {
        case hold
        case reject
    }

    public init(allowSplit: Bool = true, allowBackorder: Bool = false, onShortage: ShortageAction = .hold,
                warehousePriority: [String] = []) {
        self.allowSplit = allowSplit
        self.allowBackorder = allowBackorder
        self.onShortage = onShortage
        self.warehousePriority = warehousePriority
    }

    private enum CodingKeys: String, CodingKey { case allowSplit, allowBackorder, onShortage, warehousePriority }

    /// Omitted fields take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = InventoryPolicy()
        self.init(
            allowSplit: try c.decodeIfPresent(Bool.self, forKey: .allowSplit) ?? d.allowSplit,
            allowBackorder: try c.decodeIfPresent(Bool.self, forKey: .allowBackorder) ?? d.allowBackorder,
            onShortage: try c.decodeIfPresent(ShortageAction.self, forKey: .onShortage) ?? d.onShortage,
            warehousePriority: try c.decodeIfPresent([String].self, forKey: .warehousePriority) ?? d.warehousePriority
        )
    }
}

/// One stock location as allocation sees it: where it is and what each SKU has available there.
public struct LocationStock: Sendable {
    public var locationID: UUID
    public var warehouseCode: String
    public var country: String
    public var region: String
    public var available: [String: Int64]

    public init(locationID: UUID, warehouseCode: String, country: String, region: String, available: [String: Int64]) {
        self.locationID = locationID
        self.warehouseCode = warehouseCode
        self.country = country
        self.region = region
        self.available = available
    }
}

/// A requested quantity of one SKU.
public struct Demand: Hashable, Sendable {
    public var sku: String
    public var quantity: Int64
    public init(sku: String, quantity: Int64) {
        self.sku = sku
        self.quantity = quantity
    }
}

/// Units of one SKU to reserve at one location.
public struct Allocation: Hashable, Sendable {
    public var sku: String
    public var locationID: UUID
    public var quantity: Int64
}

/// What a shortage lacks, per SKU: asked for, available across every location.
public struct Shortfall: Hashable, Sendable, Codable {
    public var sku: String
    public var requested: Int64
    public var available: Int64
    public var missing: Int64 { requested - max(available, 0) }
}

/// Chooses where an order's stock comes from (DESIGN mechanism 1 reserves what this plans).
///
/// Order of preference: the locations that can fill the whole order, nearest first — same country as the
/// destination, then the same region — then the shop's warehouse priority; if none can and the shop
/// allows it, each line from the best-ranked locations that have it (a split order); otherwise a shortage.
public enum AllocationPlanner {
    public enum Outcome: Equatable, Sendable {
        case allocated([Allocation])
        case short([Shortfall])
    }

    public static func plan(_ demand: [Demand], stock: [LocationStock], destination: Address, policy: InventoryPolicy) -> Outcome {
        guard !demand.isEmpty else { return .allocated([]) }
        let ranked = rank(stock, destination: destination, policy: policy)
        if let whole = ranked.first(where: { location in
            demand.allSatisfy { location.available[$0.sku, default: 0] >= $0.quantity }
        }) {
            return .allocated(demand.map { Allocation(sku: $0.sku, locationID: whole.locationID, quantity: $0.quantity) })
        }
        if policy.allowSplit {
            var plan: [Allocation] = []
            var complete = true
            for line in demand {
                var remaining = line.quantity
                for location in ranked where remaining > 0 {
                    let take = min(remaining, max(location.available[line.sku, default: 0], 0))
                    if take > 0 {
                        plan.append(Allocation(sku: line.sku, locationID: location.locationID, quantity: take))
                        remaining -= take
                    }
                }
                if remaining > 0 { complete = false }
            }
            if complete { return .allocated(plan) }
        }
        if policy.allowBackorder, let first = ranked.first {
            // Backorders reserve everything at the best location; availability goes negative there.
            return .allocated(demand.map { Allocation(sku: $0.sku, locationID: first.locationID, quantity: $0.quantity) })
        }
        // Split orders can draw on every location; otherwise only the best single one counts.
        func available(_ sku: String) -> Int64 {
            let each = stock.map { max($0.available[sku, default: 0], 0) }
            return policy.allowSplit ? each.reduce(0, +) : (each.max() ?? 0)
        }
        let short = demand.filter { available($0.sku) < $0.quantity }
        return .short((short.isEmpty ? demand : short).map {
            Shortfall(sku: $0.sku, requested: $0.quantity, available: available($0.sku))
        })
    }

    static func rank(_ stock: [LocationStock], destination: Address, policy: InventoryPolicy) -> [LocationStock] {
        let place = [destination.region, destination.city].compactMap { $0?.lowercased() }
        func score(_ l: LocationStock) -> (Int, Int, Int, String) {
            let country = l.country == destination.country ? 0 : 1
            let region = !l.region.isEmpty && place.contains(where: { $0.contains(l.region.lowercased()) }) ? 0 : 1
            let priority = policy.warehousePriority.firstIndex(of: l.warehouseCode) ?? policy.warehousePriority.count
            return (country, region, priority, l.warehouseCode)
        }
        return stock.sorted { score($0) < score($1) }
    }
}
