import Foundation
import SQLKit
import Vapor
import WaybillCore

/// Replenishment for every tracked SKU and location (F1): demand from the ledger's reservations (a day that
/// ended with nothing available counts as unknown demand, not zero), lead times observed on purchase-order
/// receipts, the Core policy (safety stock, reorder point, order quantity) and the stock alerts.
struct Replenishment {
    let sql: any SQLDatabase
    let now: Date

    /// Used until a supplier has delivered: a week, give or take two days.
    static let defaultLeadTime = (days: 7.0, stdDev: 2.0)
    static let historyDays = 120
    /// Lots of four weeks' expected demand: EOQ needs ordering and holding costs the shop has not given yet.
    static let quantityRule = ReorderInputs.QuantityRule.daysOfCover(days: 28)

    struct Suggestion: Codable, Sendable {
        var sku: String
        var location: String
        var warehouse: String
        var available: Int64
        var incoming: Int64
        var meanDailyDemand: Double
        var demandStdDev: Double
        var leadTimeDays: Double
        var leadTimeStdDev: Double
        var supplier: String?
        var safetyStock: Double
        var reorderPoint: Double
        var suggestedQuantity: Int64
        var orderBy: Date?
        var projectedStockout: Date?
        var daysOfCover: Double?
        var forecastMethod: String
        var alerts: [StockAlert]
        var reason: String
    }

    private struct LevelRow: Decodable {
        var locationId: UUID
        var sku: String
        var location: String
        var warehouse: String
        var onHand: Int64
        var reserved: Int64
        var damaged: Int64
        var safetyBuffer: Int64
    }

    func suggestions(shopID: UUID, sku: String? = nil) async throws -> [Suggestion] {
        var levelQuery: SQLQueryString = """
            SELECT s.location_id, s.sku, l.code AS location, w.code AS warehouse, s.on_hand, s.reserved, s.damaged, s.safety_buffer
            FROM stock_levels s JOIN stock_locations l ON l.id = s.location_id JOIN warehouses w ON w.id = l.warehouse_id
            JOIN variants v ON v.id = s.variant_id
            WHERE s.shop_id = \(bind: shopID) AND v.track_inventory = \(bind: true)
            """
        if let sku { levelQuery += " AND s.sku = \(bind: sku)" }
        let levels = try await sql.raw(levelQuery + " ORDER BY s.sku, l.code").all(decoding: LevelRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        let since = now.addingTimeInterval(-Double(Self.historyDays) * 86_400)
        var movements: [String: [(at: Date, reason: String, quantity: Int64, available: Int64)]] = [:]
        var movementQuery: SQLQueryString = """
            SELECT location_id, sku, reason, quantity, on_hand_delta - reserved_delta AS available_delta, occurred_at
            FROM stock_movements WHERE shop_id = \(bind: shopID) AND occurred_at >= \(bind: since)
            """
        if let sku { movementQuery += " AND sku = \(bind: sku)" }
        for row in try await sql.raw(movementQuery).all() {
            let key = try row.decode(column: "sku", as: String.self) + "@" + row.decode(column: "location_id", as: UUID.self).uuidString
            movements[key, default: []].append((try row.decode(column: "occurred_at", as: Date.self), try row.decode(column: "reason", as: String.self),
                                                try row.decode(column: "quantity", as: Int64.self), try row.decode(column: "available_delta", as: Int64.self)))
        }
        let incoming = try await incoming(shopID: shopID)
        let suppliers = try await suppliersBySKU(shopID: shopID)
        let leadTimes = try await leadTimes(shopID: shopID)

        return try levels.map { level in
            let key = level.sku + "@" + level.locationId.uuidString
            let available = level.onHand - level.reserved - level.safetyBuffer
            let history = Self.history(movements[key] ?? [], endingAvailable: available, until: now)
            let forecast = DemandForecast.fit(history)
            let supplier = suppliers[level.sku]
            let lead = supplier.flatMap { leadTimes[$0] } ?? Self.defaultLeadTime
            let horizon = forecast.next(90)
            let plan = try ReorderPolicy.plan(ReorderInputs(
                meanDailyDemand: forecast.meanDailyDemand(over: max(7, Int(lead.days.rounded(.up)))),
                demandStdDev: forecast.residualStdDev, leadTimeDays: lead.days, leadTimeStdDev: lead.stdDev,
                quantityRule: Self.quantityRule))
            let stock = StockLevel(sku: level.sku, locationID: level.locationId, onHand: level.onHand, reserved: level.reserved,
                                   damaged: level.damaged, safetyBuffer: level.safetyBuffer)
            let inbound = incoming[key] ?? 0
            let position = available + inbound
            let lastSale = movements[key]?.filter { $0.reason == "reservation" }.map(\.at).max()
            let alerts = AlertRules.evaluate(AlertInput(level: stock, incoming: inbound, plan: plan, dailyForecast: horizon,
                                                        lastSaleAt: lastSale, stockedSince: nil, now: now))
            let suggested = plan.quantityToOrder(position: position)
            let orderBy = suggested > 0 ? now
                : ReorderPolicy.projectedStockoutDate(stock: position - Int64(plan.reorderPoint.rounded(.up)), dailyForecast: horizon, from: now)
            let reason = suggested > 0
                ? "available \(available) + incoming \(inbound) is below the reorder point \(Int(plan.reorderPoint.rounded(.up))) "
                    + "(\(String(format: "%.1f", plan.inputs.meanDailyDemand))/day over a \(String(format: "%.0f", lead.days))-day lead time, "
                    + "safety stock \(Int(plan.safetyStock.rounded(.up))))"
                : "above the reorder point \(Int(plan.reorderPoint.rounded(.up)))"
            return Suggestion(
                sku: level.sku, location: level.location, warehouse: level.warehouse, available: available, incoming: inbound,
                meanDailyDemand: plan.inputs.meanDailyDemand, demandStdDev: plan.inputs.demandStdDev, leadTimeDays: lead.days,
                leadTimeStdDev: lead.stdDev, supplier: supplier, safetyStock: plan.safetyStock, reorderPoint: plan.reorderPoint,
                suggestedQuantity: suggested, orderBy: orderBy,
                projectedStockout: ReorderPolicy.projectedStockoutDate(stock: position, dailyForecast: horizon, from: now),
                daysOfCover: ReorderPolicy.daysOfCover(stock: position, dailyForecast: horizon),
                forecastMethod: forecast.method.rawValue, alerts: alerts, reason: reason)
        }
    }

    /// Daily demand (units reserved) for the history window. A day that ended with nothing available is a
    /// stocked-out day: whatever was not sold that day is unknown, so the forecast treats it as missing.
    static func history(_ movements: [(at: Date, reason: String, quantity: Int64, available: Int64)],
                        endingAvailable: Int64, until now: Date) -> [DemandDay] {
        let day = 86_400.0
        let today = (now.timeIntervalSince1970 / day).rounded(.down)
        var demand = [Int64](repeating: 0, count: historyDays)
        var deltaAfter = [Int64](repeating: 0, count: historyDays)
        for m in movements {
            let index = historyDays - 1 - Int(today - (m.at.timeIntervalSince1970 / day).rounded(.down))
            guard (0..<historyDays).contains(index) else { continue }
            if m.reason == "reservation" { demand[index] += m.quantity }
            deltaAfter[index] += m.available
        }
        // Walk back from today's availability to each day's end.
        var available = endingAvailable
        var days: [DemandDay] = []
        for index in stride(from: historyDays - 1, through: 0, by: -1) {
            let date = Date(timeIntervalSince1970: (today - Double(historyDays - 1 - index)) * day)
            days.append(DemandDay(date: date, quantity: demand[index], stockedOut: available <= 0))
            available -= deltaAfter[index]
        }
        // Days before the first movement did not have the SKU at all: leave them out.
        let first = movements.map(\.at).min().map { (today - ($0.timeIntervalSince1970 / day).rounded(.down)) } ?? 0
        return days.reversed().suffix(Int(first) + 1)
    }

    private func incoming(shopID: UUID) async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for row in try await sql.raw("""
            SELECT pl.sku, p.location_id, CAST(SUM(pl.ordered - pl.received) AS BIGINT) AS incoming
            FROM purchase_order_lines pl JOIN purchase_orders p ON p.id = pl.purchase_order_id
            WHERE p.shop_id = \(bind: shopID) AND p.status <> 'received' AND pl.received < pl.ordered
            GROUP BY pl.sku, p.location_id
            """).all() {
            out[try row.decode(column: "sku", as: String.self) + "@" + row.decode(column: "location_id", as: UUID.self).uuidString] =
                try row.decode(column: "incoming", as: Int64.self)
        }
        return out
    }

    /// The supplier each SKU was last ordered from.
    private func suppliersBySKU(shopID: UUID) async throws -> [String: String] {
        var out: [String: (String, Date)] = [:]
        for row in try await sql.raw("""
            SELECT pl.sku, p.supplier, p.ordered_at FROM purchase_order_lines pl JOIN purchase_orders p ON p.id = pl.purchase_order_id
            WHERE p.shop_id = \(bind: shopID)
            """).all() {
            let sku = try row.decode(column: "sku", as: String.self), at = try row.decode(column: "ordered_at", as: Date.self)
            if out[sku].map({ at > $0.1 }) ?? true { out[sku] = (try row.decode(column: "supplier", as: String.self), at) }
        }
        return out.mapValues(\.0)
    }

    /// Mean and standard deviation of each supplier's observed lead times (days), from its receipts.
    private func leadTimes(shopID: UUID) async throws -> [String: (days: Double, stdDev: Double)] {
        var samples: [String: [Double]] = [:]
        for row in try await sql.raw("SELECT supplier, lead_time_days FROM purchase_order_receipts WHERE shop_id = \(bind: shopID)").all() {
            samples[try row.decode(column: "supplier", as: String.self), default: []].append(try row.decode(column: "lead_time_days", as: Double.self))
        }
        return samples.mapValues { values in
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.count > 1 ? values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1) : 0
            // One delivery says little about spread: keep at least the default's uncertainty until there are more.
            return (mean, values.count > 2 ? variance.squareRoot() : max(variance.squareRoot(), Self.defaultLeadTime.stdDev))
        }
    }
}
