import Foundation
import SQLKit
import Vapor
import WaybillCore

/// `waybill promise fit [--shop s]`: relearns transit times from delivered shipments now (what the
/// nightly job does) and prints what the fit used and left out.
struct PromiseFitCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "shop") var shop: String?
        init() {}
    }

    var help: String { "Relearns each shop's transit-time model from its delivered shipments." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.prepareDatabase()
        for (id, slug) in try await app.shops(slug: signature.shop) {
            let outcome = try await PromiseService(application: app).fit(shopID: id)
            let r = outcome.report
            context.console.success("\(slug): \(r.used) deliveries learned on \(r.lanes) lanes (\(r.thinLanes) thin) from \(r.warehouses) warehouses "
                + "in \(String(format: "%.2f", r.seconds)) s; left out: \(r.deliveredBeforeHandover) delivered before hand-over, "
                + "\(r.absurd) absurd, \(r.records - r.used - r.deliveredBeforeHandover - r.absurd) unusable.")
        }
    }
}

/// `waybill promise evaluate --olist DIR`: promises a real marketplace history as if live and
/// compares with the marketplace's own estimates (docs/benchmarks.md).
struct PromiseEvaluateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "olist", help: "Folder with Olist's orders.csv, order_items.csv, customers.csv, sellers.csv") var olist: String?
        @Option(name: "from", help: "First day promised as if live (default: a third into the history)") var from: String?
        @Option(name: "target", help: "On-time target of the promise (default 0.95)") var target: Double?
        @Option(name: "refit-days", help: "Refit the model every N days (default 1)") var refitDays: Int?
        @Option(name: "half-life", help: "Recency half-life in days (default 90)") var halfLife: Double?
        @Flag(name: "delivered-only", help: "Learn from delivered parcels only (no parcels in flight)") var deliveredOnly: Bool
        init() {}
    }

    var help: String { "Back-tests promises on a marketplace history (Olist CSVs) against its own estimates." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let folder = signature.olist else { throw CommandError("--olist DIR is required") }
        let history = try OlistHistory.load(folder: folder)
        guard let first = history.orders.map(\.orderedAt).min(), let last = history.orders.map(\.orderedAt).max() else {
            throw CommandError("\(folder)/orders.csv has no orders")
        }
        let split: LocalDay
        if let from = signature.from {
            guard let day = LocalDay(iso: from) else { throw CommandError("--from must be YYYY-MM-DD") }
            split = day
        } else {
            split = LocalDay(first.addingTimeInterval(last.timeIntervalSince(first) / 3), in: OlistHistory.zone)
        }
        var evaluation = PromiseEvaluation()
        evaluation.target = signature.target ?? 0.95
        evaluation.refitEveryDays = max(signature.refitDays ?? 1, 1)
        if let halfLife = signature.halfLife { evaluation.options.halfLifeDays = halfLife }
        evaluation.useInFlight = !signature.deliveredOnly
        let started = Date()
        let report = evaluation.run(history.orders, promiseFrom: split) { _ in history.calendar }
        context.console.print(report.markdown)
        context.console.print("")
        context.console.print("\(history.orders.count) orders read, \(history.skipped) without seller or customer skipped; "
            + "evaluated in \(String(format: "%.1f", Date().timeIntervalSince(started))) s.")
    }
}

/// Olist's public marketplace CSVs as promise history: sellers are warehouses (their state the
/// origin region), customers' states the destinations, one carrier service, Brazilian calendar.
enum OlistHistory {
    static let zone = TimeZone(identifier: "America/Sao_Paulo") ?? .gmt

    static func load(folder: String) throws -> (orders: [PromiseEvaluation.Order], skipped: Int, calendar: BusinessCalendar) {
        func read(_ name: String, _ required: [String]) throws -> CSVRecords {
            let path = folder + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { throw CommandError("cannot read \(path)") }
            return try CSVRecords(String(decoding: data, as: UTF8.self), required: required)
        }
        var sellerState: [String: String] = [:]
        let sellers = try read("sellers.csv", ["seller_id", "seller_state"])
        while let row = try sellers.next() { sellerState[row("seller_id")] = row("seller_state") }
        var customerState: [String: String] = [:]
        let customers = try read("customers.csv", ["customer_id", "customer_state"])
        while let row = try customers.next() { customerState[row("customer_id")] = row("customer_state") }
        var orderSeller: [String: String] = [:]
        let items = try read("order_items.csv", ["order_id", "seller_id"])
        while let row = try items.next() {
            // An order's first item names its seller (multi-seller orders are rare and ship as one here).
            if orderSeller[row("order_id")] == nil { orderSeller[row("order_id")] = row("seller_id") }
        }
        let calendar = try PromiseCalendars.country("BR", closed: [0, 6])
        let parser = DateFormatter()
        parser.locale = Locale(identifier: "en_US_POSIX")
        parser.timeZone = zone
        parser.dateFormat = "yyyy-MM-dd HH:mm:ss"
        func day(_ text: String) -> LocalDay? { text.count >= 10 ? LocalDay(iso: text.prefix(10)) : nil }
        var schedules: [String: WarehouseSchedule] = [:]
        var orders: [PromiseEvaluation.Order] = []
        var skipped = 0
        let rows = try read("orders.csv", ["order_id", "customer_id", "order_status", "order_purchase_timestamp",
                                            "order_delivered_carrier_date", "order_delivered_customer_date", "order_estimated_delivery_date"])
        while let row = try rows.next() {
            guard let seller = orderSeller[row("order_id")], let origin = sellerState[seller],
                  let destination = customerState[row("customer_id")], let placed = parser.date(from: row("order_purchase_timestamp")) else {
                skipped += 1
                continue
            }
            // Olist publishes no cut-off or handling time; handling is learned per seller from its history.
            let schedule = schedules[seller] ?? WarehouseSchedule(
                id: seller, region: "BR-" + origin, timeZone: zone, cutoffMinutes: 14 * 60, handlingDays: 2, pickup: calendar)
            schedules[seller] = schedule
            orders.append(PromiseEvaluation.Order(
                id: row("order_id"), orderedAt: placed, warehouse: schedule,
                lane: LaneKey(carrier: "olist", service: "standard", destination: "BR-" + destination, origin: "BR-" + origin),
                handedOver: day(row("order_delivered_carrier_date")),
                delivered: row("order_status") == "delivered" ? day(row("order_delivered_customer_date")) : nil,
                theirEstimate: day(row("order_estimated_delivery_date")),
                cancelled: ["canceled", "unavailable"].contains(row("order_status"))))
        }
        return (orders, skipped, calendar)
    }
}

/// `waybill promise bench`: fits a model on generated deliveries (default 1,000,000 over 10,000 lanes)
/// and times single quotes in process — the figures in docs/benchmarks.md.
struct PromiseBenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "deliveries", help: "Delivered shipments to fit on (default 1000000)") var deliveries: Int?
        @Option(name: "lanes", help: "Lanes (default 10000)") var lanes: Int?
        @Option(name: "quotes", help: "Quotes to time (default 200000)") var quotes: Int?
        init() {}
    }

    var help: String { "Times fitting the transit model and quoting promises in process." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let deliveries = max(signature.deliveries ?? 1_000_000, 1)
        let laneCount = max(signature.lanes ?? 10_000, 1)
        let quoteCount = max(signature.quotes ?? 200_000, 1)
        let zone = TimeZone(identifier: "Asia/Seoul")!
        let kr = try PromiseCalendars.country("KR", closed: [0])
        let pickup = try PromiseCalendars.country("KR", closed: [0, 6])
        // 40 origins × destinations × 1 service: lane i has a base transit of 1–4 days and a tail.
        let origins = 40
        let lanes = (0..<laneCount).map { i in
            LaneKey(carrier: ["cj", "hanjin", "lotte", "logen"][i % 4], service: "standard",
                    destination: "KR-\(i / origins)", origin: "O\(i % origins)")
        }
        var random = SplitMix64Generator(seed: 42)
        let firstDay = LocalDay(year: 2025, month: 1, day: 1)!
        var records: [DeliveryRecord] = []
        records.reserveCapacity(deliveries)
        for n in 0..<deliveries {
            let lane = Int.random(in: 0..<laneCount, using: &random)
            let handed = pickup.adding(Int.random(in: 0..<400, using: &random) * 5 / 7, after: firstDay)
            let base = 1 + lane % 4
            let transit = base + (Int.random(in: 0..<100, using: &random) < 10 ? Int.random(in: 1...6, using: &random) : 0)
            records.append(DeliveryRecord(
                warehouse: "W\(n % origins)", lane: lanes[lane], handedOver: handed,
                delivered: kr.adding(transit, after: handed), handlingDays: Int.random(in: 0...2, using: &random), transitDays: transit))
        }
        let fitStart = ContinuousClock.now
        let model = TransitModel.fit(records, on: LocalDay(year: 2026, month: 3, day: 1)!)
        let fitTime = ContinuousClock.now - fitStart
        records = []
        let engine = PromiseEngine(model: model)
        let warehouses = (0..<origins).map {
            WarehouseSchedule(id: "W\($0)", region: "O\($0)", timeZone: zone, cutoffMinutes: 14 * 60, handlingDays: 1, pickup: pickup)
        }
        var micros: [Double] = []
        micros.reserveCapacity(quoteCount)
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        var checksum = 0
        for n in 0..<quoteCount {
            let lane = lanes[Int.random(in: 0..<laneCount, using: &random)]
            let request = PromiseRequest(orderedAt: start.addingTimeInterval(Double(n * 37 % 604_800)),
                                         warehouse: warehouses[n % origins], lane: lane, delivery: kr)
            let t0 = ContinuousClock.now
            let promise = engine.quote(request)
            let elapsed = ContinuousClock.now - t0
            checksum &+= promise.latest.ordinal
            micros.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
        }
        micros.sort()
        func pct(_ p: Double) -> String { String(format: "%.1f", micros[min(micros.count - 1, Int(Double(micros.count) * p))]) }
        let seconds = Double(fitTime.components.seconds) + Double(fitTime.components.attoseconds) / 1e18
        context.console.print("fit: \(deliveries) deliveries, \(model.report.lanes) lanes in \(String(format: "%.2f", seconds)) s")
        context.console.print("quote: \(quoteCount) quotes, µs p50 \(pct(0.5)) p90 \(pct(0.9)) p99 \(pct(0.99)) max \(pct(1)) (checksum \(checksum % 1000))")
        context.console.print("peak resident memory: \(PeakMemory.megabytes().map { String(format: "%.0f MB", $0) } ?? "unknown")")
    }
}

/// The process's peak resident set (VmHWM) on Linux.
enum PeakMemory {
    static func megabytes() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kb / 1024
    }
}

/// `waybill promise holidays FILE --shop s`: adds a CSV of days off (`country,date[,name]`, the bundled
/// table's shape) to the shop's promise settings — regional holidays, a carrier's days off, a stock-take.
struct PromiseHolidaysCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file") var file: String
        @Option(name: "shop") var shop: String?
        @Flag(name: "replace", help: "Replace the shop's days off instead of adding to them") var replace: Bool
        init() {}
    }

    var help: String { "Adds days off (country,date,name CSV) to a shop's delivery-promise calendar." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.prepareDatabase()
        guard let slug = signature.shop else { throw CommandError("--shop is required") }
        guard let data = FileManager.default.contents(atPath: signature.file) else { throw CommandError("cannot read \(signature.file)") }
        let table: [String: [LocalDay: Holiday]]
        do { table = try HolidayTable.parse(csv: String(decoding: data, as: UTF8.self)) } catch {
            throw CommandError("\(signature.file): \(error)")
        }
        for (id, _) in try await app.shops(slug: slug) {
            var (settings, _) = try await PromiseSettings.load(shopID: id, sql: app.db as! any SQLDatabase)
            if signature.replace { settings.daysOff = [] }
            var known = Set(settings.daysOff.map { "\($0.country)|\($0.date.iso)" })
            var added = 0
            for (country, days) in table.sorted(by: { $0.key < $1.key }) {
                for (day, holiday) in days.sorted(by: { $0.key < $1.key }) where known.insert("\(country)|\(day.iso)").inserted {
                    settings.daysOff.append(.init(country: country, date: day, name: holiday.nameLocal))
                    added += 1
                }
            }
            do { try settings.validate() } catch let failure as ValidationFailure {
                throw CommandError(failure.issues.map { "\($0.field): \($0.message)" }.joined(separator: "; "))
            }
            try await PromiseSettings.save(settings, shopID: id, at: app.dependencies.clock.now(), application: app)
            context.console.success("\(slug): \(added) days off added (\(settings.daysOff.count) in all).")
        }
    }
}
