import Foundation

/// A back-test of promises on a shop's (or a marketplace's) own history, as if live: orders are
/// promised in the order they were placed, each with a model fitted only on deliveries that had
/// happened by the day before, refitted every `refitEveryDays`.
public struct PromiseEvaluation: Sendable {
    public struct Order: Sendable {
        public var id: String
        public var orderedAt: Date
        public var warehouse: WarehouseSchedule
        public var lane: LaneKey
        public var handedOver: LocalDay?
        public var delivered: LocalDay?
        /// What the shop or marketplace promised itself, to compare against.
        public var theirEstimate: LocalDay?
        /// Cancelled or never fulfilled: neither history nor a parcel in flight.
        public var cancelled: Bool

        public init(id: String, orderedAt: Date, warehouse: WarehouseSchedule, lane: LaneKey,
                    handedOver: LocalDay?, delivered: LocalDay?, theirEstimate: LocalDay?, cancelled: Bool = false) {
            self.cancelled = cancelled
            self.id = id
            self.orderedAt = orderedAt
            self.warehouse = warehouse
            self.lane = lane
            self.handedOver = handedOver
            self.delivered = delivered
            self.theirEstimate = theirEstimate
        }
    }

    public struct Figures: Sendable, Codable, Equatable {
        public var orders = 0
        public var onTime = 0
        public var promisedDaysTotal = 0
        public var promisedDays: [Int] = []

        public var onTimeRate: Double { orders == 0 ? 0 : Double(onTime) / Double(orders) }
        public var meanDays: Double { orders == 0 ? 0 : Double(promisedDaysTotal) / Double(orders) }
        public var medianDays: Int {
            guard !promisedDays.isEmpty else { return 0 }
            return promisedDays.sorted()[promisedDays.count / 2]
        }

        mutating func add(days: Int, onTime hit: Bool) {
            orders += 1
            if hit { onTime += 1 }
            promisedDaysTotal += days
            promisedDays.append(days)
        }
    }

    public struct Report: Sendable {
        public var target: Double
        public var trainedBefore: LocalDay
        public var evaluatedOrders: Int
        public var notDelivered: Int
        public var ours = Figures()
        public var theirs = Figures()
        /// On-time share of the date promised at each level, for the calibration plot.
        public var calibration: [Double: Figures] = [:]
        public var byMonth: [String: (ours: Figures, theirs: Figures)] = [:]
        public var fits = 0
        public var lastFit: TransitModel.FitReport?
        /// Days from order to delivery of the scored orders, as they happened.
        public var actualDays: [Int] = []
        /// In hindsight: each destination's own quantile of its actual days, at the share their estimate kept
        /// — the mean promised days of an oracle as punctual as they were.
        public var hindsightMeanDays: Double?
        /// In hindsight, a lower bound on the mean promised days of any promise that depends on the lane
        /// alone (origin → destination) and keeps the share their estimate kept, each lane's date chosen
        /// knowing every delivery (`PromiseEvaluation.laneBound`).
        public var hindsightLaneBound: Double?
    }

    public var options = TransitModel.Options()
    public var target = 0.95
    public var levels: [Double] = [0.5, 0.8, 0.9, 0.95, 0.96, 0.97, 0.98]
    public var refitEveryDays = 7
    public var peakWindows: [PeakWindow] = []
    /// Count parcels not yet delivered at each refit as censored trips (what the live fit does).
    public var useInFlight = true

    public init() {}

    /// Orders placed by `day` and not delivered by its end, as the live system would see them then.
    static func inFlight(_ orders: [Order], on day: LocalDay, delivery: (Order) -> BusinessCalendar) -> [ParcelInFlight] {
        var parcels: [ParcelInFlight] = []
        for order in orders where !order.cancelled {
            let ordered = LocalDay(order.orderedAt, in: order.warehouse.timeZone)
            if ordered > day { break }
            if let delivered = order.delivered, delivered <= day { continue }
            if let handed = order.handedOver, handed <= day {
                parcels.append(ParcelInFlight(warehouse: order.warehouse.id, lane: order.lane, since: handed,
                                              transitElapsed: delivery(order).openDays(after: handed, through: day)))
            } else {
                let start = order.warehouse.handlingStart(for: order.orderedAt).day
                guard start <= day else { continue }
                parcels.append(ParcelInFlight(warehouse: order.warehouse.id, lane: order.lane, since: start,
                                              handlingElapsed: order.warehouse.pickup.openDays(after: start, through: day)))
            }
        }
        return parcels
    }

    /// `delivery(order)` is the delivery calendar for an order's destination.
    public func run(_ orders: [Order], promiseFrom split: LocalDay,
                    delivery: (Order) -> BusinessCalendar) -> Report {
        let sorted = orders.sorted { $0.orderedAt < $1.orderedAt }
        // Every delivered order is history once its delivery day has passed.
        let history: [DeliveryRecord] = sorted.compactMap { order in
            guard let handed = order.handedOver, let delivered = order.delivered else { return nil }
            return DeliveryRecord(warehouse: order.warehouse, lane: order.lane, orderedAt: order.orderedAt,
                                  handedOver: handed, delivered: delivered, delivery: delivery(order))
        }.sorted { $0.delivered < $1.delivered }
        var report = Report(target: target, trainedBefore: split, evaluatedOrders: 0, notDelivered: 0)
        var actualByDestination: [String: [Int]] = [:]
        var actualByLane: [LaneKey: [Int]] = [:]
        var engine: PromiseEngine?
        var fittedFor: LocalDay?
        for order in sorted {
            let day = LocalDay(order.orderedAt, in: order.warehouse.timeZone)
            guard day >= split else { continue }
            guard let delivered = order.delivered else { report.notDelivered += 1; continue }
            if engine == nil || fittedFor.map({ $0.days(until: day) >= refitEveryDays }) == true {
                let known = day.adding(days: -1)
                let end = history.partitionIndex { $0.delivered > known }
                let model = TransitModel.fit(history[..<end], on: known, options: options, peakWindows: peakWindows,
                                             inFlight: useInFlight ? Self.inFlight(sorted, on: known, delivery: delivery) : [])
                engine = PromiseEngine(model: model)
                fittedFor = day
                report.fits += 1
                report.lastFit = model.report
            }
            guard let engine else { continue }
            report.evaluatedOrders += 1
            report.actualDays.append(day.days(until: delivered))
            actualByDestination[order.lane.destination, default: []].append(day.days(until: delivered))
            actualByLane[order.lane, default: []].append(day.days(until: delivered))
            let month = String(day.iso.prefix(7))
            var perMonth = report.byMonth[month] ?? (Figures(), Figures())
            for level in Set(levels + [target]).sorted() {
                let promise = engine.quote(PromiseRequest(
                    orderedAt: order.orderedAt, warehouse: order.warehouse, lane: order.lane,
                    delivery: delivery(order), peakWindows: peakWindows, target: level))
                let days = day.days(until: promise.latest)
                report.calibration[level, default: Figures()].add(days: days, onTime: delivered <= promise.latest)
                if level == target {
                    report.ours.add(days: days, onTime: delivered <= promise.latest)
                    perMonth.ours.add(days: days, onTime: delivered <= promise.latest)
                }
            }
            if let theirs = order.theirEstimate {
                report.theirs.add(days: day.days(until: theirs), onTime: delivered <= theirs)
                perMonth.theirs.add(days: day.days(until: theirs), onTime: delivered <= theirs)
            }
            report.byMonth[month] = perMonth
        }
        if report.theirs.orders > 0 {
            let level = report.theirs.onTimeRate
            var total = 0
            for days in actualByDestination.values { total += Self.quantile(days, level) * days.count }
            report.hindsightMeanDays = Double(total) / Double(max(report.actualDays.count, 1))
            report.hindsightLaneBound = Self.laneBound(Array(actualByLane.values), share: level)
        }
        return report
    }

    /// A lower bound on the mean promised days of any choice of one date per group (days after the order)
    /// that has at least `share` of all orders delivered by their group's date, knowing every delivery.
    ///
    /// Choosing the dates is a knapsack (spend days to buy on-time orders), so the bound is its Lagrangian
    /// dual: for a price λ per on-time order each group picks the date minimising `n·P − λ·onTime(P)`, and
    /// `Σ min + λ·K` is below the optimum for every λ ≥ 0 (K = the on-time orders needed). λ is bisected on
    /// the subgradient; the best value seen is returned. It lets the report say, with arithmetic rather than
    /// opinion, how soon a promise by lane alone could possibly be on these orders.
    public static func laneBound(_ groups: [[Int]], share: Double) -> Double? {
        let total = groups.reduce(0) { $0 + $1.count }
        guard total > 0, share > 0, share <= 1 else { return nil }
        let needed = Double((share * Double(total) - 1e-9).rounded(.up))
        // Per group: its candidate dates (0 and each distinct actual) with the orders on time by each.
        let candidates: [(n: Double, options: [(days: Double, onTime: Double)])] = groups.filter { !$0.isEmpty }.map { values in
            let sorted = values.sorted()
            var options: [(Double, Double)] = [(0, Double(sorted.prefix { $0 <= 0 }.count))]
            for (index, value) in sorted.enumerated() where value > 0 && (index + 1 == sorted.count || sorted[index + 1] != value) {
                options.append((Double(value), Double(index + 1)))
            }
            return (Double(sorted.count), options)
        }
        func dual(_ price: Double) -> (value: Double, onTime: Double) {
            var value = price * needed, onTime = 0.0
            for group in candidates {
                var best = (cost: Double.infinity, onTime: 0.0)
                for option in group.options {
                    let cost = group.n * option.days - price * option.onTime
                    if cost < best.cost || (cost == best.cost && option.onTime > best.onTime) { best = (cost, option.onTime) }
                }
                value += best.cost
                onTime += best.onTime
            }
            return (value, onTime)
        }
        let longest = Double(groups.compactMap { $0.max() }.max() ?? 0)
        var low = 0.0, high = Double(total) * (longest + 1) + 1
        var best = dual(0).value
        for _ in 0..<100 {
            let price = (low + high) / 2
            let (value, onTime) = dual(price)
            best = max(best, value)
            if onTime < needed { low = price } else { high = price }
        }
        best = max(best, dual(high).value)
        return max(0, best) / Double(total)
    }
}

extension PromiseEvaluation {
    /// The smallest value with at least `q` of `values` at or below it.
    static func quantile(_ values: [Int], _ q: Double) -> Int {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for an array partitioned by it.
    func partitionIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}

extension PromiseEvaluation.Report {
    /// The report as Markdown, for docs/benchmarks.md.
    public var markdown: String {
        func pct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        func days(_ x: Double) -> String { String(format: "%.1f", x) }
        var lines = [
            "Orders promised from \(trainedBefore.iso) as if live (model refitted \(fits) times on deliveries known by then); \(evaluatedOrders) delivered orders scored, \(notDelivered) never delivered (not scored)."
                + (lastFit.map { " The last refit learned from \($0.used) deliveries and \($0.inFlight) parcels in flight; it left out \($0.deliveredBeforeHandover) delivered before they were handed over and \($0.absurd) longer than \(TransitModel.Options().absurdAfterDays) days." } ?? ""),
            "",
            "| | on time | mean promised days | median |",
            "|---|---|---|---|",
            "| Waybill at \(pct(target)) | \(pct(ours.onTimeRate)) | \(days(ours.meanDays)) | \(ours.medianDays) |",
            "| their own estimate | \(pct(theirs.onTimeRate)) | \(days(theirs.meanDays)) | \(theirs.medianDays) |",
            "",
            "Actual days from order to delivery: median \(PromiseEvaluation.quantile(actualDays, 0.5)), 95th percentile \(PromiseEvaluation.quantile(actualDays, 0.95)), mean \(days(actualDays.isEmpty ? 0 : Double(actualDays.reduce(0, +)) / Double(actualDays.count)))."
                + (hindsightMeanDays.map { " In hindsight, each destination's own \(pct(theirs.onTimeRate)) point of its actual days averages \(days($0)) days: no promise by destination alone keeps their rate sooner than that on these orders." } ?? "")
                + (hindsightLaneBound.map { " Even choosing each lane's date (origin → destination) knowing every delivery, keeping \(pct(theirs.onTimeRate)) on time needs at least \(days($0)) days on average (a lower bound); their estimate less 5 days is \(days(theirs.meanDays - 5))." } ?? ""),
            "",
            "Calibration (promised at level → share delivered by that date):",
            "",
            "| level | on time | mean promised days |",
            "|---|---|---|",
        ]
        for (level, figures) in calibration.sorted(by: { $0.key < $1.key }) {
            lines.append("| \(pct(level)) | \(pct(figures.onTimeRate)) | \(days(figures.meanDays)) |")
        }
        lines += ["", "| month | orders | Waybill on time | mean days | theirs on time | mean days |", "|---|---|---|---|---|---|"]
        for (month, figures) in byMonth.sorted(by: { $0.key < $1.key }) {
            lines.append("| \(month) | \(figures.ours.orders) | \(pct(figures.ours.onTimeRate)) | \(days(figures.ours.meanDays)) | \(pct(figures.theirs.onTimeRate)) | \(days(figures.theirs.meanDays)) |")
        }
        return lines.joined(separator: "\n")
    }
}
