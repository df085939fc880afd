import Foundation
import SQLKit
import Vapor
import WaybillCore

/// `waybill inventory plan [--shop s]`: recomputes every position's forecast and reorder plan now and
/// re-evaluates the alerts (what the nightly job does).
struct InventoryPlanCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "shop") var shop: String?
        init() {}
    }

    var help: String { "Recomputes replenishment plans and stock alerts now (the nightly job)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.prepareDatabase()
        let shops = try await app.shops(slug: signature.shop)
        let now = app.dependencies.clock.now()
        for (id, slug) in shops {
            let report = try await ReplenishmentPlanner(application: app, now: now).run(shopID: id)
            let evaluating = Date()
            let alerts = try await StockAlerts(application: app, now: now).evaluate(shopID: id, planned: report)
            func s(_ seconds: Double) -> String { String(format: "%.2f", seconds) }
            context.console.success("\(slug): \(report.positions) positions planned in \(s(report.seconds)) s "
                                    + "(ledger \(s(report.readSeconds)) s, forecasts \(s(report.fitSeconds)) s, storing \(s(report.storeSeconds)) s); "
                                    + "alerts raised \(alerts.raised.count), cleared \(alerts.cleared.count) in \(s(Date().timeIntervalSince(evaluating))) s.")
        }
    }
}

/// `waybill inventory backtest`: replays a daily demand history under the computed policy and under fixed
/// reorder points, and reports stock-out days, fill rate and average stock held.
///
/// The history is one of: a shop's own (`--shop s --sku X [--location L]`: units reserved per day from the
/// ledger), a CSV (`--csv FILE` with `date,quantity`), or a generated retail year with a holiday peak
/// (the default; `--seed N`, `--years N` to sum several).
struct InventoryBacktestCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "shop") var shop: String?
        @Option(name: "sku") var sku: String?
        @Option(name: "location") var location: String?
        @Option(name: "csv", help: "A CSV of daily demand: date,quantity") var csv: String?
        @Option(name: "seed", help: "Generated history: first seed (default 1)") var seed: UInt64?
        @Option(name: "years", help: "Generated history: number of years to sum (default 1)") var years: Int?
        @Option(name: "lead-time", help: "Days from order to shelf (default 7)") var leadTime: Int?
        @Option(name: "jitter", help: "± days of lead-time variation (default 2)") var jitter: Int?
        @Option(name: "warm-up", help: "Leading days used only as history (default 56)") var warmUp: Int?
        @Option(name: "service-level", help: "Cycle service level of the computed policy (default 0.95)") var serviceLevel: Double?
        @Option(name: "ordering-cost", help: "Cost of one purchase order (default 30000)") var orderingCost: Double?
        @Option(name: "holding-cost", help: "Cost of holding one unit a year (default 2000)") var holdingCost: Double?
        @Option(name: "pack", help: "Supplier pack size (default 1)") var pack: Int64?
        init() {}
    }

    var help: String { "Replays demand under the computed reorder policy and under fixed reorder points." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let histories = try await histories(context, signature)
        let warmUp = signature.warmUp ?? 56
        let level: ServiceLevel
        do { level = try ServiceLevel(signature.serviceLevel ?? 0.95) } catch { throw CommandError("--service-level must be at least 0.5 and below 1") }
        let computed = ReplenishmentBacktest.Policy.computed(.init(
            serviceLevel: level, orderingCost: signature.orderingCost ?? 30_000, holdingCostPerUnitYear: signature.holdingCost ?? 2_000,
            packSize: signature.pack ?? 1))
        var rows: [(String, Totals)] = [("computed (\(level) service, EOQ, weekly re-plan)", Totals())]
        let buffers = [0, 7, 14]
        rows += buffers.map { ("fixed: reorder at lead time + \($0) days of warm-up demand, order 28 days", Totals()) }
        for (i, (demand, firstDate)) in histories.enumerated() {
            let warm = min(warmUp, max(demand.count - 1, 0))
            let mean = warm == 0 ? 0 : Double(demand.prefix(warm).reduce(0, +)) / Double(warm)
            let scenario = ReplenishmentBacktest.Scenario(
                demand: demand, firstDate: firstDate, warmUpDays: warm,
                startingStock: Int64((mean * Double((signature.leadTime ?? 7) + 7)).rounded()),
                leadTimeDays: signature.leadTime ?? 7, leadTimeJitterDays: signature.jitter ?? 2, seed: UInt64(i + 1))
            let policies = [computed] + buffers.map { ReplenishmentBacktest.Policy.ruleOfThumb(for: scenario, bufferDays: $0) }
            for (j, policy) in policies.enumerated() {
                let result: ReplenishmentBacktest.Result
                do { result = try ReplenishmentBacktest.run(scenario, policy: policy) } catch {
                    throw CommandError(error.issues.map { "\($0.field): \($0.message)" }.joined(separator: "; "))
                }
                rows[j].1.add(result)
            }
        }
        context.console.output("\(histories.count) histories, \(rows[0].1.days) days replayed (warm-up excluded)".consoleText())
        context.console.output("stock-out days  fill rate  avg on hand  orders  policy".consoleText())
        for (name, t) in rows {
            let line = String(format: "%14d  %8.2f%%  %11.1f  %6d  ", t.stockOutDays, 100 * t.fillRate, t.averageOnHand, t.orders) + name
            context.console.output(line.consoleText())
        }
    }

    struct Totals {
        var days = 0, stockOutDays = 0, orders = 0, demanded: Int64 = 0, served: Int64 = 0
        var onHandDays = 0.0
        var fillRate: Double { demanded == 0 ? 1 : Double(served) / Double(demanded) }
        var averageOnHand: Double { days == 0 ? 0 : onHandDays / Double(days) }
        mutating func add(_ r: ReplenishmentBacktest.Result) {
            days += r.days; stockOutDays += r.stockOutDays; orders += r.ordersPlaced
            demanded += r.unitsDemanded; served += r.unitsServed; onHandDays += r.averageOnHand * Double(r.days)
        }
    }

    private func histories(_ context: CommandContext, _ s: Signature) async throws -> [([Int64], Date)] {
        if let path = s.csv {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw CommandError("cannot read \(path) as UTF-8 text")
            }
            return [try Self.parse(text)]
        }
        if let slug = s.shop {
            guard let sku = s.sku else { throw CommandError("give --sku with --shop") }
            let app = context.application
            try await app.prepareDatabase()
            let shop = try await AccountService(db: app.db, application: app).shop(slug: slug)
            var query: SQLQueryString = """
                SELECT m.occurred_at, m.quantity FROM stock_movements m JOIN stock_locations l ON l.id = m.location_id
                WHERE m.shop_id = \(bind: try shop.requireID()) AND m.sku = \(bind: sku) AND m.reason = 'reservation'
                """
            if let location = s.location { query += " AND l.code = \(bind: location)" }
            var byDay: [Int: Int64] = [:]
            for row in try await (app.db as! any SQLDatabase).raw(query).all() {
                byDay[ReplenishmentPlanner.dayIndex(try row.decode(column: "occurred_at", as: Date.self)), default: 0] +=
                    try row.decode(column: "quantity", as: Int64.self)
            }
            guard let first = byDay.keys.min(), let last = byDay.keys.max(), last - first >= 14 else {
                throw CommandError("\(sku) has fewer than 15 days of sales to replay")
            }
            return [((first...last).map { byDay[$0] ?? 0 }, Date(timeIntervalSince1970: Double(first) * 86_400))]
        }
        let seed = s.seed ?? 1
        let years = max(1, min(s.years ?? 1, 1_000))
        let start = Date(timeIntervalSince1970: 1_735_689_600) // 2025-01-01
        return (0..<UInt64(years)).map { (DemandGenerator.retailYear(seed: seed + $0), start) }
    }

    /// `date,quantity` rows, one per day (missing days count as zero demand).
    static func parse(_ text: String) throws -> ([Int64], Date) {
        let records: CSVRecords
        do { records = try CSVRecords(text, required: ["date", "quantity"]) } catch { throw CommandError("the CSV needs date and quantity columns") }
        var byDay: [Int: Int64] = [:]
        while let record = try records.next() {
            guard let date = PurchaseOrderCSV.date(record["date"]), let quantity = Int64(record["quantity"]), quantity >= 0 else {
                throw CommandError("line \(records.line): expected a date (YYYY-MM-DD) and a whole quantity ≥ 0")
            }
            byDay[ReplenishmentPlanner.dayIndex(date), default: 0] += quantity
        }
        guard let first = byDay.keys.min(), let last = byDay.keys.max(), last - first < 3_660 else {
            throw CommandError("the CSV has no rows, or spans more than ten years")
        }
        return ((first...last).map { byDay[$0] ?? 0 }, Date(timeIntervalSince1970: Double(first) * 86_400))
    }
}
