import Foundation
import SQLKit
import Vapor
import WaybillCore

/// Replenishment for every tracked SKU and location (F1): the stored plan of each position (see
/// `ReplenishmentPlanner`) against its live level and incoming stock, with what to order, by when, why,
/// and the alerts that hold. Positions without a plan yet are planned first.
struct Replenishment {
    let application: Application
    let now: Date

    var sql: any SQLDatabase { application.db as! any SQLDatabase }
    static let defaultLeadTime = ReplenishmentPlanner.defaultLeadTime

    struct Suggestion: Codable, Sendable {
        var sku: String
        var location: String
        var warehouse: String
        var onHand: Int64
        var reserved: Int64
        var available: Int64
        var incoming: Int64
        var meanDailyDemand: Double
        var demandStdDev: Double
        var leadTimeDays: Double
        var leadTimeStdDev: Double
        var serviceLevel: Double
        var supplier: String?
        var safetyStock: Double
        var reorderPoint: Double
        var suggestedQuantity: Int64
        var orderBy: Date?
        var projectedStockout: Date?
        var daysOfCover: Double?
        var forecastMethod: String
        /// When the plan (forecast, safety stock, reorder point) was computed; levels are live.
        var planComputedAt: Date
        var alerts: [StockAlert]
        var reason: String
    }

    private struct LevelRow {
        var locationId: UUID
        var sku: String
        var location: String
        var warehouse: String
        var onHand: Int64
        var reserved: Int64
        var damaged: Int64
        var safetyBuffer: Int64
        var incoming: Int64

        /// Column by column: a shop's every position goes through here, and the Codable row decoder cost
        /// several times the query.
        init(_ row: any SQLRow) throws {
            locationId = try row.decode(column: "location_id", as: UUID.self)
            sku = try row.decode(column: "sku", as: String.self)
            location = try row.decode(column: "location", as: String.self)
            warehouse = try row.decode(column: "warehouse", as: String.self)
            onHand = try row.decode(column: "on_hand", as: Int64.self)
            reserved = try row.decode(column: "reserved", as: Int64.self)
            damaged = try row.decode(column: "damaged", as: Int64.self)
            safetyBuffer = try row.decode(column: "safety_buffer", as: Int64.self)
            incoming = try row.decode(column: "incoming", as: Int64.self)
        }

        var stock: StockLevel {
            StockLevel(sku: sku, locationID: locationId, onHand: onHand, reserved: reserved, damaged: damaged, safetyBuffer: safetyBuffer)
        }

        static let columns: SQLQueryString = """
            SELECT s.location_id, s.sku, l.code AS location, w.code AS warehouse, s.on_hand, s.reserved, s.damaged, s.safety_buffer,
            COALESCE(i.incoming, 0) AS incoming
            """
    }

    /// The FROM and WHERE of every tracked position of the shop — its level `s`, location `l`, warehouse `w` and
    /// incoming stock `i` — and with `withPlans` its stored plan `p` (positions without one left out).
    private static func trackedPositions(shopID: UUID, withPlans: Bool) -> SQLQueryString {
        var query: SQLQueryString = """
             FROM stock_levels s JOIN stock_locations l ON l.id = s.location_id JOIN warehouses w ON w.id = l.warehouse_id
            JOIN variants v ON v.id = s.variant_id LEFT JOIN
            """ + " " + InventoryStore.incomingByPosition(shopID: shopID) + " i ON i.sku = s.sku AND i.location_id = s.location_id"
        if withPlans { query += " JOIN stock_plans p ON p.location_id = s.location_id AND p.sku = s.sku" }
        return query + " WHERE s.shop_id = \(bind: shopID) AND v.track_inventory = \(bind: true)"
    }

    private struct PlanRow: Sendable {
        var computedAt: Date
        var method: String
        var supplier: String?
        var plan: ReorderPlan
        var forecast: [Double]
        var lastSaleAt: Date?
        var firstMovementAt: Date?
    }

    func suggestions(shopID: UUID, sku: String? = nil) async throws -> [Suggestion] {
        try await suggestions(shopID: shopID, skus: sku.map { [$0] })
    }

    /// A page of positions in SKU and location order.
    struct Page: Sendable {
        var after: (sku: String, location: String)?
        var limit: Int
        /// Only positions to reorder now (available + incoming below the reorder point).
        var suggestedOnly = false
    }

    /// `planned`: plans a planner run has just stored, used instead of reading them back.
    func suggestions(shopID: UUID, skus: [String]?, page: Page? = nil, planned: ReplenishmentPlanner.Report? = nil) async throws -> [Suggestion] {
        if page?.suggestedOnly == true {
            // The filter reads stored reorder points: make sure none is missing or stale first.
            try await planStale(shopID: shopID)
        }
        var levelQuery = LevelRow.columns + Self.trackedPositions(shopID: shopID, withPlans: page?.suggestedOnly == true)
        if let skus { levelQuery += skus.isEmpty ? " AND 1 = 0" : " AND s.sku IN (\(binds: skus))" }
        if page?.suggestedOnly == true {
            levelQuery += " AND s.on_hand - s.reserved - s.safety_buffer + COALESCE(i.incoming, 0) < p.reorder_point"
        }
        if let after = page?.after {
            levelQuery += " AND (s.sku > \(bind: after.sku) OR (s.sku = \(bind: after.sku) AND l.code > \(bind: after.location)))"
        }
        levelQuery += " ORDER BY s.sku, l.code"
        if let limit = page?.limit { levelQuery += " LIMIT \(literal: limit)" }
        let levels = try await sql.raw(levelQuery).all().map(LevelRow.init)
        let skus = page == nil ? skus : Array(Set(levels.map(\.sku))).sorted()
        var plans: [String: PlanRow]
        if let planned { plans = Self.planRows(planned) } else { plans = try await storedPlans(shopID: shopID, skus: skus) }
        // A position never planned, or whose plan is older than a day (the nightly job did not run: jobs off,
        // or the position is new), is planned now, so an answer never rests on a stale forecast.
        let oldest = now.addingTimeInterval(-ReplenishmentPlanner.maximumAge)
        let unplanned = Set(levels.filter { level in
            plans[ReplenishmentPlanner.key(level.locationId, level.sku)].map { $0.computedAt < oldest } ?? true
        }.map(\.sku)).sorted()
        if !unplanned.isEmpty {
            let report = try await ReplenishmentPlanner(application: application, now: now).run(shopID: shopID, skus: unplanned)
            plans.merge(Self.planRows(report), uniquingKeysWith: { _, new in new })
        }
        return levels.compactMap { level in
            let key = ReplenishmentPlanner.key(level.locationId, level.sku)
            guard let stored = plans[key] else { return nil }
            return suggestion(level, stored, incoming: level.incoming)
        }
    }

    private func suggestion(_ level: LevelRow, _ stored: PlanRow, incoming inbound: Int64) -> Suggestion {
        let plan = stored.plan
        let horizon = Self.forecast(stored.forecast, computedAt: stored.computedAt, now: now)
        let stock = level.stock
        let available = stock.available
        let position = available + inbound
        let alerts = AlertRules.evaluate(AlertInput(level: stock, incoming: inbound, plan: plan, dailyForecast: horizon,
                                                    lastSaleAt: stored.lastSaleAt, stockedSince: stored.firstMovementAt, now: now))
        let suggested = plan.quantityToOrder(position: position)
        let reorderPoint = Int(plan.reorderPoint.rounded(.up))
        let orderBy = suggested > 0 ? now
            : ReorderPolicy.projectedStockoutDate(stock: position - Int64(reorderPoint), dailyForecast: horizon, from: now)
        let reason = suggested > 0
            ? "available \(available) + incoming \(inbound) is below the reorder point \(reorderPoint) "
                + "(\(String(format: "%.1f", plan.inputs.meanDailyDemand))/day over a \(String(format: "%.0f", plan.inputs.leadTimeDays))-day lead time, "
                + "safety stock \(Int(plan.safetyStock.rounded(.up))) for a \(plan.inputs.serviceLevel) service level)"
            : "above the reorder point \(reorderPoint)"
        return Suggestion(
            sku: level.sku, location: level.location, warehouse: level.warehouse, onHand: level.onHand, reserved: level.reserved,
            available: available, incoming: inbound,
            meanDailyDemand: plan.inputs.meanDailyDemand, demandStdDev: plan.inputs.demandStdDev,
            leadTimeDays: plan.inputs.leadTimeDays, leadTimeStdDev: plan.inputs.leadTimeStdDev,
            serviceLevel: plan.inputs.serviceLevel.probability, supplier: stored.supplier, safetyStock: plan.safetyStock,
            reorderPoint: plan.reorderPoint, suggestedQuantity: suggested, orderBy: orderBy,
            projectedStockout: ReorderPolicy.projectedStockoutDate(stock: position, dailyForecast: horizon, from: now),
            daysOfCover: ReorderPolicy.daysOfCover(stock: position, dailyForecast: horizon),
            forecastMethod: stored.method, planComputedAt: stored.computedAt, alerts: alerts, reason: reason)
    }

    /// The stored forecast from today on: days already past are dropped, and the horizon is filled back up
    /// at the forecast's mean rate.
    static func forecast(_ stored: [Double], computedAt: Date, now: Date) -> [Double] {
        let elapsed = max(0, ReplenishmentPlanner.dayIndex(now) - ReplenishmentPlanner.dayIndex(computedAt))
        var values = Array(stored.dropFirst(elapsed))
        let mean = stored.isEmpty ? 0 : stored.reduce(0, +) / Double(stored.count)
        if values.count < ReplenishmentPlanner.horizonDays {
            values += Array(repeating: mean, count: ReplenishmentPlanner.horizonDays - values.count)
        }
        return values
    }

    /// A position as a table sorts and filters it: its live stock and incoming, days of cover from the stored
    /// forecast, and whether it is below its stored reorder point (then its suggestion orders something),
    /// without decoding the plans themselves. The stock table reads every position this way and builds full
    /// suggestions for the page it shows only: decoding every plan cost most of a large shop's page.
    struct Position: Sendable {
        var sku: String
        var location: String
        var available: Int64
        var daysOfCover: Double?
        var reorderNow: Bool
    }

    /// Every tracked position with a plan; positions without a fresh one are planned first (as `suggestions`).
    func positions(shopID: UUID) async throws -> [Position] {
        try await planStale(shopID: shopID)
        let query = LevelRow.columns + ", p.forecast, p.computed_at, p.reorder_point" + Self.trackedPositions(shopID: shopID, withPlans: true)
        return try await sql.raw(query).all().map { row in
            let level = try LevelRow(row)
            let available = level.stock.available
            let position = available + level.incoming
            let horizon = Self.forecast(ReplenishmentPlanner.decodeForecast(try row.decode(column: "forecast", as: String.self)),
                                        computedAt: try row.decode(column: "computed_at", as: Date.self), now: now)
            return Position(sku: level.sku, location: level.location, available: available,
                            daysOfCover: ReorderPolicy.daysOfCover(stock: position, dailyForecast: horizon),
                            reorderNow: Double(position) < (try row.decode(column: "reorder_point", as: Double.self)))
        }
    }

    /// Plans every position whose plan is missing or older than a day.
    func planStale(shopID: UUID) async throws {
        let stale = try await sql.raw("""
            SELECT DISTINCT s.sku FROM stock_levels s JOIN variants v ON v.id = s.variant_id
            LEFT JOIN stock_plans p ON p.location_id = s.location_id AND p.sku = s.sku
            WHERE s.shop_id = \(bind: shopID) AND v.track_inventory = \(bind: true)
            AND (p.id IS NULL OR p.computed_at < \(bind: now.addingTimeInterval(-ReplenishmentPlanner.maximumAge)))
            """).all().map { try $0.decode(column: "sku", as: String.self) }
        for batch in stale.chunked(5_000) {
            try await ReplenishmentPlanner(application: application, now: now).run(shopID: shopID, skus: batch)
        }
    }

    private static func planRows(_ report: ReplenishmentPlanner.Report) -> [String: PlanRow] {
        Dictionary(report.plans.map { p in
            (ReplenishmentPlanner.key(p.locationID, p.sku),
             PlanRow(computedAt: report.computedAt, method: p.method, supplier: p.supplier, plan: p.plan, forecast: p.forecast,
                     lastSaleAt: p.lastSaleAt, firstMovementAt: p.firstMovementAt))
        }, uniquingKeysWith: { a, _ in a })
    }

    private func storedPlans(shopID: UUID, skus: [String]?) async throws -> [String: PlanRow] {
        var query: SQLQueryString = """
            SELECT location_id, sku, computed_at, forecast_method, supplier, plan, forecast, last_sale_at, first_movement_at
            FROM stock_plans WHERE shop_id = \(bind: shopID)
            """
        if let skus { query += skus.isEmpty ? " AND 1 = 0" : " AND sku IN (\(binds: skus))" }
        var out: [String: PlanRow] = [:]
        for row in try await sql.raw(query).all() {
            let plan = try ReplenishmentPlanner.planDecoder.decode(ReorderPlan.self, from: Data(try row.decode(column: "plan", as: String.self).utf8))
            let forecast = ReplenishmentPlanner.decodeForecast(try row.decode(column: "forecast", as: String.self))
            out[ReplenishmentPlanner.key(try row.decode(column: "location_id", as: UUID.self), try row.decode(column: "sku", as: String.self))] =
                PlanRow(computedAt: try row.decode(column: "computed_at", as: Date.self),
                        method: try row.decode(column: "forecast_method", as: String.self),
                        supplier: try row.decode(column: "supplier", as: String?.self), plan: plan, forecast: forecast,
                        lastSaleAt: try row.decode(column: "last_sale_at", as: Date?.self),
                        firstMovementAt: try row.decode(column: "first_movement_at", as: Date?.self))
        }
        return out
    }
}
