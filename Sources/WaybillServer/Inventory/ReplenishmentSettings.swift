import Foundation
import SQLKit
import Vapor
import WaybillCore

/// A SKU's replenishment targets, set by the shop: the service level its safety stock protects, the
/// supplier's pack size and minimum order, costs, and the lot rule. Every field has a default.
struct ReplenishmentSettings: Codable, Sendable, Equatable {
    /// Probability that a cycle ends without a stock-out (0.5–0.9999), default 0.95.
    var serviceLevel: Double = ServiceLevel.standard.probability
    var packSize: Int64 = 1
    var minimumOrder: Int64 = 0
    /// Minor units of the shop currency per purchase order (EOQ's S).
    var orderingCost: Double = 0
    /// Minor units per unit held for a year (EOQ's H; also prices overstock and dead stock).
    var holdingCostPerUnitYear: Double = 0
    /// `days_of_cover` (default 28 days), `eoq`, or `min_max`.
    var rule: String = "days_of_cover"
    var daysOfCover: Int? = 28
    var min: Int64?
    var max: Int64?

    static let `default` = ReplenishmentSettings()

    init() {}

    /// Every key is optional on the wire: what is left out keeps its default.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        serviceLevel = try c.decodeIfPresent(Double.self, forKey: .serviceLevel) ?? serviceLevel
        packSize = try c.decodeIfPresent(Int64.self, forKey: .packSize) ?? packSize
        minimumOrder = try c.decodeIfPresent(Int64.self, forKey: .minimumOrder) ?? minimumOrder
        orderingCost = try c.decodeIfPresent(Double.self, forKey: .orderingCost) ?? orderingCost
        holdingCostPerUnitYear = try c.decodeIfPresent(Double.self, forKey: .holdingCostPerUnitYear) ?? holdingCostPerUnitYear
        rule = try c.decodeIfPresent(String.self, forKey: .rule) ?? rule
        daysOfCover = try c.decodeIfPresent(Int.self, forKey: .daysOfCover) ?? (rule == "days_of_cover" ? 28 : nil)
        min = try c.decodeIfPresent(Int64.self, forKey: .min)
        max = try c.decodeIfPresent(Int64.self, forKey: .max)
    }

    var quantityRule: ReorderInputs.QuantityRule? {
        switch rule {
        case "days_of_cover": return .daysOfCover(days: daysOfCover ?? 28)
        case "eoq": return .economicOrderQuantity
        case "min_max": return .minMax(min: min ?? 0, max: max ?? 0)
        default: return nil
        }
    }

    /// The Core inputs for a demand and lead time; validation errors name `replenishment.<field>`.
    func inputs(meanDailyDemand: Double, demandStdDev: Double, leadTime: (days: Double, stdDev: Double)) throws -> ReorderInputs {
        var issues: [FieldIssue] = []
        let level: ServiceLevel
        do { level = try ServiceLevel(serviceLevel) } catch {
            issues.append(FieldIssue(field: "replenishment.service_level", code: "out_of_range",
                                     message: "service_level must be at least 0.5 and below 1"))
            level = .standard
        }
        guard let quantityRule else {
            throw ValidationFailure(issues + [FieldIssue(field: "replenishment.rule", code: "unknown_rule",
                                                         message: "rule must be days_of_cover, eoq or min_max")])
        }
        let inputs = ReorderInputs(
            meanDailyDemand: meanDailyDemand, demandStdDev: demandStdDev, leadTimeDays: leadTime.days,
            leadTimeStdDev: leadTime.stdDev, serviceLevel: level, orderingCost: orderingCost,
            holdingCostPerUnitYear: holdingCostPerUnitYear, packSize: packSize, minimumOrder: minimumOrder,
            quantityRule: quantityRule)
        issues += inputs.issues(field: "replenishment")
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        return inputs
    }

    /// Checks the settings as an operator sent them (with no demand yet).
    func validate() throws {
        _ = try inputs(meanDailyDemand: 1, demandStdDev: 0, leadTime: (7, 0))
    }

    /// Stored per shop and SKU; a SKU without a row uses the defaults.
    static func all(sql: any SQLDatabase, shopID: UUID) async throws -> [String: ReplenishmentSettings] {
        var out: [String: ReplenishmentSettings] = [:]
        for row in try await sql.raw("SELECT sku, settings FROM replenishment_settings WHERE shop_id = \(bind: shopID)").all() {
            let text = try row.decode(column: "settings", as: String.self)
            out[try row.decode(column: "sku", as: String.self)] = try JSONCoding.decoder.decode(Self.self, from: Data(text.utf8))
        }
        return out
    }

    static func save(_ settings: ReplenishmentSettings, sku: String, shopID: UUID, id: UUID, at time: Date,
                     sql: any SQLDatabase) async throws {
        let json = String(decoding: try JSONCoding.encoder.encode(settings), as: UTF8.self)
        try await sql.raw("""
            INSERT INTO replenishment_settings (id, shop_id, sku, settings, updated_at)
            VALUES (\(bind: id), \(bind: shopID), \(bind: sku), \(bind: json), \(bind: time))
            ON CONFLICT (shop_id, sku) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at
            """).run()
    }
}
