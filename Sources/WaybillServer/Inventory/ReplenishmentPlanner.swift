import Foundation
import SQLKit
import Vapor
import WaybillCore

/// Fits every tracked position's demand forecast and stores its reorder plan (F1). Runs nightly (the
/// scheduler), on demand (`waybill inventory plan`, `POST /api/v1/inventory/replenishment/refresh`) and for
/// positions that have none yet. Between runs, alerts and suggestions use the stored plan with live levels.
///
/// Cost: the ledger is reduced to one row per position and day in SQL, so the work in Swift is one
/// forecast fit per position (a 108-point grid over ≤120 days, ~0.1 ms), spread over every core.
struct ReplenishmentPlanner {
    let application: Application
    let now: Date

    /// Used until a supplier has delivered: a week, give or take two days.
    static let defaultLeadTime = (days: 7.0, stdDev: 2.0)
    static let historyDays = 120
    /// Holding a unit for a year costs this share of its price unless the SKU's settings say otherwise
    /// (capital, space, insurance, shrinkage: carrying costs of 20–30 % a year are the textbook range), so
    /// overstock and dead stock alerts always carry a cost.
    static let defaultCarryingRate = 0.25
    /// A plan older than this is recomputed before it is used.
    static let maximumAge: TimeInterval = 24 * 3600
    /// Days of forecast stored with each plan: projected stock-outs and cover look this far ahead.
    static let horizonDays = 90

    var sql: any SQLDatabase { application.db as! any SQLDatabase }

    struct Report: Sendable {
        var positions: Int
        var seconds: Double
        /// The plans just stored, as a later read would return them, so the alerts evaluated next need not
        /// read 150,000 plans back (`StockAlerts.evaluate(shopID:skus:planned:)`).
        var plans: [StoredPlan]
        var computedAt: Date
        /// Where the time went: reading the ledger and settings, fitting, storing the plans.
        var readSeconds = 0.0, fitSeconds = 0.0, storeSeconds = 0.0
    }

    /// One position's ledger, reduced to days: units reserved and the net change of available stock.
    struct DayTotals: Sendable {
        var day: Int
        var demand: Int64
        var availableDelta: Int64
    }

    struct Position: Sendable {
        var locationID: UUID
        var sku: String
        var available: Int64
        var days: [DayTotals] = []
        var lastSaleAt: Date?
        var firstMovementAt: Date?
    }

    /// A computed plan, as stored in `stock_plans`.
    struct StoredPlan: Sendable {
        var locationID: UUID
        var sku: String
        var method: String
        var supplier: String?
        var plan: ReorderPlan
        var forecast: [Double]
        var lastSaleAt: Date?
        var firstMovementAt: Date?
    }

    /// Plans every tracked position of the shop (or only `skus`) and stores the plans.
    @discardableResult
    func run(shopID: UUID, skus: [String]? = nil) async throws -> Report {
        let started = Date()
        let positions = try await positions(shopID: shopID, skus: skus)
        let suppliers = try await suppliersBySKU(shopID: shopID)
        let leadTimes = try await leadTimes(shopID: shopID)
        let settings = try await ReplenishmentSettings.all(sql: sql, shopID: shopID)
        let prices = try await prices(shopID: shopID)
        let read = Date()
        let today = Self.dayIndex(now)
        let list = Array(positions.values)
        let workers = max(1, min(System.coreCount, 8))
        let chunk = max(1, (list.count + workers - 1) / workers)
        let plans = try await withThrowingTaskGroup(of: [StoredPlan].self) { group in
            for start in stride(from: 0, to: list.count, by: chunk) {
                let slice = list[start..<min(start + chunk, list.count)]
                group.addTask {
                    try slice.map { position in
                        let supplier = suppliers[position.sku]
                        let lead = supplier.flatMap { leadTimes[$0] } ?? Self.defaultLeadTime
                        var own = settings[position.sku] ?? .default
                        if own.holdingCostPerUnitYear == 0, let price = prices[position.sku] {
                            own.holdingCostPerUnitYear = Double(price) * Self.defaultCarryingRate
                        }
                        return try Self.plan(position, today: today, lead: lead, supplier: supplier, settings: own)
                    }
                }
            }
            var all: [StoredPlan] = []
            for try await part in group { all += part }
            return all
        }
        let fitted = Date()
        try await store(plans, shopID: shopID)
        let stored = Date()
        return Report(positions: plans.count, seconds: stored.timeIntervalSince(started), plans: plans, computedAt: now,
                      readSeconds: read.timeIntervalSince(started), fitSeconds: fitted.timeIntervalSince(read),
                      storeSeconds: stored.timeIntervalSince(fitted))
    }

    /// The forecast and the reorder plan of one position; pure.
    static func plan(_ position: Position, today: Int, lead: (days: Double, stdDev: Double), supplier: String?,
                     settings: ReplenishmentSettings) throws -> StoredPlan {
        let history = Self.history(position.days, endingAvailable: position.available, today: today,
                                   firstDay: position.firstMovementAt.map(dayIndex))
        let forecast = DemandForecast.fit(history)
        let inputs = try settings.inputs(
            meanDailyDemand: forecast.meanDailyDemand(over: max(7, Int(min(lead.days, 365).rounded(.up)))),
            demandStdDev: forecast.residualStdDev, leadTime: lead)
        return StoredPlan(locationID: position.locationID, sku: position.sku, method: forecast.method.rawValue,
                          supplier: supplier, plan: try ReorderPolicy.plan(inputs), forecast: storedForecast(forecast.next(horizonDays)),
                          lastSaleAt: position.lastSaleAt, firstMovementAt: position.firstMovementAt)
    }

    static func dayIndex(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) }

    /// Daily demand for the history window. A day that ended with nothing available is a stocked-out day:
    /// whatever was not sold that day is unknown, so the forecast treats it as missing. Days before the
    /// position's first movement are left out (the SKU was not there).
    static func history(_ days: [DayTotals], endingAvailable: Int64, today: Int, firstDay: Int?) -> [DemandDay] {
        var demand = [Int64](repeating: 0, count: historyDays)
        var deltaAfter = [Int64](repeating: 0, count: historyDays)
        for d in days {
            let index = historyDays - 1 - (today - d.day)
            guard (0..<historyDays).contains(index) else { continue }
            demand[index] += d.demand
            deltaAfter[index] += d.availableDelta
        }
        // Walk back from today's availability to each day's end.
        var available = endingAvailable
        var out: [DemandDay] = []
        for index in stride(from: historyDays - 1, through: 0, by: -1) {
            let day = today - (historyDays - 1 - index)
            if let firstDay, day < firstDay { break }
            out.append(DemandDay(date: Date(timeIntervalSince1970: Double(day) * 86_400), quantity: demand[index],
                                 stockedOut: available <= 0))
            available -= deltaAfter[index]
        }
        return out.reversed()
    }

    /// Tracked levels and their ledger, reduced by day in SQL.
    func positions(shopID: UUID, skus: [String]?) async throws -> [String: Position] {
        let skuFilter: SQLQueryString = skus.map { $0.isEmpty ? " AND 1 = 0" : " AND s.sku IN (\(binds: $0))" } ?? ""
        var out: [String: Position] = [:]
        for row in try await sql.raw("""
            SELECT s.location_id, s.sku, s.on_hand - s.reserved - s.safety_buffer AS available
            FROM stock_levels s JOIN variants v ON v.id = s.variant_id
            WHERE s.shop_id = \(bind: shopID) AND v.track_inventory = \(bind: true)
            """ + skuFilter).all() {
            let position = Position(locationID: try row.decode(column: "location_id", as: UUID.self),
                                    sku: try row.decode(column: "sku", as: String.self),
                                    available: try row.decode(column: "available", as: Int64.self))
            out[Self.key(position.locationID, position.sku)] = position
        }
        let day: SQLQueryString = sql.dialect.name == "postgresql"
            ? "CAST(FLOOR(EXTRACT(EPOCH FROM occurred_at) / 86400) AS BIGINT)"
            : "CAST(occurred_at / 86400 AS INTEGER)"
        let since = now.addingTimeInterval(-Double(Self.historyDays) * 86_400)
        let movementSKUs: SQLQueryString = skus.map { $0.isEmpty ? " AND 1 = 0" : " AND sku IN (\(binds: $0))" } ?? ""
        // One row per position, its days packed as `day:demand:delta,…`: a row per position and day was
        // ~1 million rows for 150,000 positions, and decoding them cost more than the SQL.
        let packed: SQLQueryString = sql.dialect.name == "postgresql"
            ? "string_agg(CAST(day AS TEXT) || ':' || CAST(demand AS TEXT) || ':' || CAST(available_delta AS TEXT), ',')"
            : "group_concat(CAST(day AS TEXT) || ':' || CAST(demand AS TEXT) || ':' || CAST(available_delta AS TEXT), ',')"
        @Sendable func window(from: Date, until: Date?) -> SQLQueryString {
            let end: SQLQueryString = until.map { " AND occurred_at < \(bind: $0)" } ?? ""
            return """
                SELECT location_id, sku, 
                """ + packed + """
                 AS days, MIN(first_at) AS first_at, MAX(last_sale) AS last_sale FROM (
                SELECT location_id, sku, 
                """ + day + """
                 AS day,
                CAST(SUM(CASE WHEN reason = 'reservation' THEN quantity ELSE 0 END) AS BIGINT) AS demand,
                CAST(SUM(on_hand_delta - reserved_delta) AS BIGINT) AS available_delta,
                MIN(occurred_at) AS first_at, MAX(CASE WHEN reason = 'reservation' THEN occurred_at END) AS last_sale
                FROM stock_movements WHERE shop_id = \(bind: shopID) AND occurred_at >= \(bind: from)
                """ + end + movementSKUs + " GROUP BY location_id, sku, " + day + ") d GROUP BY location_id, sku"
        }
        // The window's two halves (split at a midnight) are read at once, each on its own event loop's
        // connection: the aggregation is the planner's longest serial step, and SQLite runs one statement on one
        // core. A position then comes in up to two rows, whose days, first movement and last sale are merged below.
        let middle = Date(timeIntervalSince1970: Double(Self.dayIndex(now) - Self.historyDays / 2) * 86_400)
        let halves: [(Date, Date?)] = middle > since ? [(since, middle), (middle, nil)] : [(since, nil)]
        let rows = try await withThrowingTaskGroup(of: [any SQLRow].self) { group in
            var loops = application.eventLoopGroup.makeIterator()
            for (from, until) in halves {
                let loop = loops.next() ?? application.eventLoopGroup.any()
                guard let db = application.databases.database(logger: application.logger, on: loop) as? any SQLDatabase else {
                    throw Abort(.internalServerError, reason: "no database")
                }
                group.addTask { try await db.raw(window(from: from, until: until)).all() }
            }
            var all: [any SQLRow] = []
            for try await part in group { all += part }
            return all
        }
        for row in rows {
            let key = Self.key(try row.decode(column: "location_id", as: UUID.self), try row.decode(column: "sku", as: String.self))
            guard out[key] != nil else { continue }
            guard let days = Self.unpackDays(try row.decode(column: "days", as: String.self)) else {
                throw Abort(.internalServerError, reason: "the ledger's daily totals for \(key) could not be read")
            }
            out[key]!.days += days
            let first = try row.decode(column: "first_at", as: Date.self)
            out[key]!.firstMovementAt = min(out[key]!.firstMovementAt ?? first, first)
            if let sale = try row.decode(column: "last_sale", as: Date?.self) {
                out[key]!.lastSaleAt = max(out[key]!.lastSaleAt ?? sale, sale)
            }
        }
        // Sales and first stocking older than the window survive from the previous plan.
        for row in try await sql.raw("""
            SELECT location_id, sku, last_sale_at, first_movement_at FROM stock_plans WHERE shop_id = \(bind: shopID)
            """).all() {
            let key = Self.key(try row.decode(column: "location_id", as: UUID.self), try row.decode(column: "sku", as: String.self))
            guard out[key] != nil else { continue }
            if let sale = try row.decode(column: "last_sale_at", as: Date?.self) {
                out[key]!.lastSaleAt = max(out[key]!.lastSaleAt ?? sale, sale)
            }
            if let first = try row.decode(column: "first_movement_at", as: Date?.self) {
                out[key]!.firstMovementAt = min(out[key]!.firstMovementAt ?? first, first)
            }
        }
        // Positions still without a first movement or a sale had none in the window and no earlier plan: look
        // further back for just those (a lot untouched for months is exactly what dead stock is about).
        let unknown = Set(out.values.filter { $0.firstMovementAt == nil || $0.lastSaleAt == nil }.map(\.sku))
        for batch in Array(unknown).sorted().chunked(500) {
            for row in try await sql.raw("""
                SELECT location_id, sku, MIN(occurred_at) AS first_at, MAX(CASE WHEN reason = 'reservation' THEN occurred_at END) AS last_sale
                FROM stock_movements WHERE shop_id = \(bind: shopID) AND occurred_at < \(bind: since) AND sku IN (\(binds: batch))
                GROUP BY location_id, sku
                """).all() {
                let key = Self.key(try row.decode(column: "location_id", as: UUID.self), try row.decode(column: "sku", as: String.self))
                guard out[key] != nil else { continue }
                let first = try row.decode(column: "first_at", as: Date.self)
                out[key]!.firstMovementAt = min(out[key]!.firstMovementAt ?? first, first)
                if out[key]!.lastSaleAt == nil { out[key]!.lastSaleAt = try row.decode(column: "last_sale", as: Date?.self) }
            }
        }
        return out
    }

    /// `day:demand:delta` triples separated by commas (integers, possibly negative), as packed by
    /// `positions`; nil when the text is not that.
    static func unpackDays(_ text: String) -> [DayTotals]? {
        var out: [DayTotals] = []
        var fields: [Int64] = []
        fields.reserveCapacity(3)
        var value: Int64 = 0, negative = false, digits = 0
        func endField() -> Bool {
            guard digits > 0 else { return false }
            fields.append(negative ? -value : value)
            value = 0; negative = false; digits = 0
            return true
        }
        func endTriple() -> Bool {
            guard endField(), fields.count == 3, let day = Int(exactly: fields[0]) else { return false }
            out.append(DayTotals(day: day, demand: fields[1], availableDelta: fields[2]))
            fields.removeAll(keepingCapacity: true)
            return true
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard digits < 18 else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: "-"):
                guard digits == 0, !negative else { return nil }
                negative = true
            case UInt8(ascii: ":"):
                guard fields.count < 2, endField() else { return nil }
            case UInt8(ascii: ","):
                guard endTriple() else { return nil }
            default:
                return nil
            }
        }
        if text.isEmpty { return [] }
        guard endTriple() else { return nil }
        return out
    }

    /// Unit prices (minor units) by SKU.
    func prices(shopID: UUID) async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for row in try await sql.raw("""
            SELECT v.sku, v.price FROM variants v JOIN products p ON p.id = v.product_id WHERE p.shop_id = \(bind: shopID)
            """).all() {
            out[try row.decode(column: "sku", as: String.self)] = try row.decode(column: "price", as: Int64.self)
        }
        return out
    }

    static func key(_ location: UUID, _ sku: String) -> String { sku + "@" + location.uuidString }

    /// Upserts in batches, each its own short write, so SQLite's single writer is never held for long.
    func store(_ plans: [StoredPlan], shopID: UUID) async throws {
        let columns = ["id", "shop_id", "location_id", "sku", "computed_at", "forecast_method", "supplier", "plan", "reorder_point",
                       "forecast", "last_sale_at", "first_movement_at"]
        let time = now
        let ids = application.dependencies.ids
        @Sendable func statement(_ batch: ArraySlice<StoredPlan>) throws -> SQLQueryString {
            let rows: [[any Encodable & Sendable]] = try batch.map { p in
                [ids.next(), shopID, p.locationID, p.sku, time, p.method, p.supplier,
                 String(decoding: try Self.planEncoder.encode(p.plan), as: UTF8.self), p.plan.reorderPoint,
                 Self.encodeForecast(p.forecast), p.lastSaleAt, p.firstMovementAt]
            }
            return SQLRows.insert(into: "stock_plans", columns, rows) + """
                 ON CONFLICT (location_id, sku) DO UPDATE SET computed_at = excluded.computed_at,
                forecast_method = excluded.forecast_method, supplier = excluded.supplier, plan = excluded.plan,
                reorder_point = excluded.reorder_point,
                forecast = excluded.forecast, last_sale_at = excluded.last_sale_at, first_movement_at = excluded.first_movement_at
                """
        }
        // Each batch is encoded (the plan's JSON, the forecast's text: CPU) while the one before it is written,
        // so on two cores the two overlap; batches are encoded in order, so ids come out as before.
        let batches = stride(from: 0, to: plans.count, by: 500).map { plans[$0..<min($0 + 500, plans.count)] }
        var next: Task<SQLQueryString, any Error>? = batches.first.map { batch in Task { try statement(batch) } }
        for index in batches.indices {
            guard let current = try await next?.value else { break }
            next = index + 1 < batches.count ? Task { [batch = batches[index + 1]] in try statement(batch) } : nil
            do {
                try await application.write { db in try await (db as! any SQLDatabase).raw(current).run() }
            } catch {
                next?.cancel()
                throw error
            }
        }
    }

    /// Plans are stored in Swift's own key spelling: no key conversion or sorting for 150,000 of them (the
    /// stored text is internal; the API shows `Suggestion`s).
    static let planEncoder = JSONEncoder()
    static let planDecoder = JSONDecoder()

    /// Thousandths of a unit a day are plenty, stored as whole numbers: 150,000 forecasts of 90 days are
    /// 13.5 million numbers, and integer text is the cheapest to write and to read back.
    static func encodeForecast(_ values: [Double]) -> String {
        values.map { String(thousandths($0)) }.joined(separator: ",")
    }

    /// A forecast as it reads back once stored: in whole thousandths, never negative. Plans carry it in
    /// this form from the start, so one evaluated from memory and one read back agree exactly.
    static func storedForecast(_ values: [Double]) -> [Double] {
        values.map { Double(thousandths($0)) / 1_000 }
    }

    private static func thousandths(_ value: Double) -> Int64 { Int64((min(max(value, 0), 1e12) * 1_000).rounded()) }

    static func decodeForecast(_ text: String) -> [Double] {
        // What `encodeForecast` writes — digits and commas — is read byte by byte: the stock table reads every
        // position's forecast, and splitting into substrings was a third of a large shop's page. Anything else
        // takes the general path, which skips what is not a whole number.
        var text = text
        if let values = text.withUTF8({ bytes -> [Double]? in
            var values: [Double] = []
            values.reserveCapacity(bytes.count / 3 + 1)
            var current: Int64 = 0, digits = 0
            for byte in bytes {
                if byte == UInt8(ascii: ",") {
                    if digits > 0 { values.append(Double(current) / 1_000) }
                    current = 0
                    digits = 0
                } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") && digits < 18 {
                    current = current * 10 + Int64(byte - UInt8(ascii: "0"))
                    digits += 1
                } else {
                    return nil
                }
            }
            if digits > 0 { values.append(Double(current) / 1_000) }
            return values
        }) { return values }
        return text.split(separator: ",").compactMap { Int64($0).map { Double($0) / 1_000 } }
    }

    /// The supplier each SKU was last ordered from.
    func suppliersBySKU(shopID: UUID) async throws -> [String: String] {
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
    func leadTimes(shopID: UUID) async throws -> [String: (days: Double, stdDev: Double)] {
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

extension Array {
    /// Consecutive slices of at most `size` elements (bind lists stay under every database's limit).
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
