import Foundation

/// One route a parcel takes: from a warehouse's region to a destination region with a carrier's service.
public struct LaneKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public var carrier: String
    public var service: String
    public var destination: String
    public var origin: String

    public init(carrier: String, service: String, destination: String, origin: String) {
        self.carrier = carrier
        self.service = service
        self.destination = destination
        self.origin = origin
    }

    public var description: String { "\(origin)→\(destination) \(carrier)/\(service)" }
}

/// A delivered shipment as the model learns from it. Days are counted by the caller on the right
/// calendars (`init(orderedAt:…)` does it): handling on the warehouse's pick-up days from the day
/// handling started, transit on the delivery calendar from hand-over to delivery.
public struct DeliveryRecord: Sendable {
    public var warehouse: String
    public var lane: LaneKey
    public var handedOver: LocalDay
    public var delivered: LocalDay
    /// Pick-up days from handling start to hand-over; nil when the order time is unknown.
    public var handlingDays: Int?
    /// Delivery days after hand-over (0 = delivered the day it was handed over).
    public var transitDays: Int

    public init(warehouse: String, lane: LaneKey, handedOver: LocalDay, delivered: LocalDay,
                handlingDays: Int?, transitDays: Int) {
        self.warehouse = warehouse
        self.lane = lane
        self.handedOver = handedOver
        self.delivered = delivered
        self.handlingDays = handlingDays
        self.transitDays = transitDays
    }

    /// Counts the days on the calendars a promise would use.
    public init(warehouse: WarehouseSchedule, lane: LaneKey, orderedAt: Date?, handedOver: LocalDay,
                delivered: LocalDay, delivery: BusinessCalendar) {
        let handling = orderedAt.map { ordered -> Int in
            // Handed over before handling was due to start (packed after the cut-off the same day): 0 days.
            let start = warehouse.handlingStart(for: ordered).day
            return max(0, warehouse.pickup.openDays(after: start, through: handedOver))
        }
        self.init(warehouse: warehouse.id, lane: lane, handedOver: handedOver, delivered: delivered,
                  handlingDays: handling, transitDays: delivery.openDays(after: handedOver, through: delivered))
    }
}

/// A parcel not delivered yet at the end of the fit day: still in the warehouse `handlingElapsed`
/// pick-up days after handling started (so handling takes longer than that), or with the carrier
/// `transitElapsed` delivery days after hand-over (so transit takes longer than that).
/// It is a censored observation — its trip is known to be longer than that — and it is what lets
/// the model see a slowdown while it happens instead of after the slow parcels arrive.
public struct ParcelInFlight: Sendable {
    public var warehouse: String
    public var lane: LaneKey
    public var handlingElapsed: Int?
    public var transitElapsed: Int?
    /// The day its current stage began (handling start or hand-over): its weight is that day's recency.
    public var since: LocalDay

    public init(warehouse: String, lane: LaneKey, since: LocalDay, handlingElapsed: Int? = nil, transitElapsed: Int? = nil) {
        self.warehouse = warehouse
        self.lane = lane
        self.since = since
        self.handlingElapsed = handlingElapsed
        self.transitElapsed = transitElapsed
    }
}

/// Recency-weighted counts of one node: trips that ended after k days, and trips still going after k days.
struct Tally: Sendable, Codable, Equatable {
    var events: [Double] = []
    var censored: [Double] = []

    mutating func add(event k: Int, weight: Double) {
        if events.count <= k { events.append(contentsOf: repeatElement(0, count: k - events.count + 1)) }
        events[k] += weight
    }

    mutating func add(censoredAfter k: Int, weight: Double) {
        if censored.count <= k { censored.append(contentsOf: repeatElement(0, count: k - censored.count + 1)) }
        censored[k] += weight
    }

    var total: Double { events.reduce(0, +) + censored.reduce(0, +) }

    /// Kaplan–Meier: each day's hazard is the trips ending that day over the trips still going into
    /// it (ended or not). Without censoring this is the plain histogram. Survival left after the last
    /// ending is put on the day after the longest trip still going — the earliest it can end.
    var distribution: (pmf: [Double], deliveries: Double) {
        let size = max(events.count, censored.count, 1)
        var atRisk = total
        var survival = 1.0
        var pmf = Array(repeating: 0.0, count: size + 1)
        for k in 0..<size {
            let ended = k < events.count ? events[k] : 0
            if atRisk > 0, ended > 0 {
                let hazard = min(ended / atRisk, 1)
                pmf[k] = survival * hazard
                survival *= 1 - hazard
            }
            atRisk -= ended + (k < censored.count ? censored[k] : 0)
        }
        if survival > 1e-12 {
            let last = censored.lastIndex { $0 > 0 }.map { $0 + 1 } ?? size - 1
            pmf[min(last, size)] += survival
        }
        while pmf.count > 1, pmf.last == 0 { pmf.removeLast() }
        return (pmf, total)
    }
}

/// A distribution of whole days: `pmf[k]` is the probability of taking k days (the last cell holds
/// everything at or beyond it).
public struct DayDistribution: Sendable, Equatable, Codable {
    public var pmf: [Double]
    /// Recency-weighted deliveries behind it, before blending with the level above.
    public var deliveries: Double
    public var level: TransitModel.Level

    public init(pmf: [Double], deliveries: Double, level: TransitModel.Level) {
        self.pmf = pmf
        self.deliveries = deliveries
        self.level = level
    }

    /// The smallest k with P(X ≤ k) ≥ q.
    public func quantile(_ q: Double) -> Int {
        var sum = 0.0
        for (k, p) in pmf.enumerated() {
            sum += p
            if sum >= q - 1e-9 { return k }
        }
        return pmf.count - 1
    }

    public func cumulative(through k: Int) -> Double {
        guard k >= 0 else { return 0 }
        return pmf.prefix(k + 1).reduce(0, +)
    }

    /// X given X > `elapsed`: what is left of a trip already `elapsed` days long, as days from now.
    /// When history never ran this long, the overdue parcel is given a geometric tail (a 30% chance
    /// each further day), so a parcel later than anything seen is predicted late, not on time.
    public func remaining(after elapsed: Int) -> DayDistribution {
        guard elapsed >= 0 else { return self }
        let tail = pmf.count > elapsed + 1 ? Array(pmf[(elapsed + 1)...]) : []
        let mass = tail.reduce(0, +)
        if mass > 1e-6 {
            return DayDistribution(pmf: [0] + tail.map { $0 / mass }, deliveries: deliveries, level: level)
        }
        var geometric = [0.0]
        var left = 1.0
        for _ in 0..<20 { geometric.append(left * 0.3); left *= 0.7 }
        geometric[geometric.count - 1] += left
        return DayDistribution(pmf: geometric, deliveries: deliveries, level: level)
    }

    /// The distribution shifted later by `days` (a peak's extra days, an exception's delay).
    public func shifted(by days: Int) -> DayDistribution {
        guard days > 0 else { return self }
        return DayDistribution(pmf: Array(repeating: 0, count: days) + pmf, deliveries: deliveries, level: level)
    }
}

/// Transit times learned from delivered shipments, per lane, with a fallback for lanes with little
/// history, plus how long each warehouse really takes to hand over.
///
/// Why an empirical distribution and not a fitted parametric one: transit times are lumpy (weekends,
/// hub schedules) and heavy-tailed, and the promise is a tail quantile — a log-normal or gamma fit
/// gets exactly that tail wrong. Each level keeps recency-weighted counts per whole business day; a
/// lane's distribution is its own counts blended with its parent's, the parent weighing as
/// `shrinkage` deliveries (empirical-Bayes shrinkage), along lane → (carrier, service, destination) →
/// (carrier, service) → global. A lane with 3 deliveries is mostly its parent; with 300, mostly itself;
/// and nothing has to pick a hard "enough data" threshold for the date itself. `thinData` in the
/// promise reasons says when a lane had fewer than `thinBelow` deliveries.
public struct TransitModel: Sendable, Codable {
    /// Where a distribution came from: the lane's own history blended upwards, or the warehouse's
    /// configured handling days when there is none.
    public enum Level: String, Sendable, Codable {
        case global, carrier, destination, lane, configured, warehouse
    }

    public struct Options: Sendable, Codable {
        /// A trip that began this many days ago counts half.
        public var halfLifeDays: Double = 90
        /// How many deliveries a parent's distribution weighs in a child's.
        public var shrinkage: Double = 10
        public var thinBelow: Double = 30
        /// Longest trip kept in detail; longer ones land in the last cell.
        public var maxDays: Int = 60
        /// Parcels in flight longer than this many open days are left out: a parcel stuck that long is an
        /// exception for an operator (lost, or an order never fulfilled), not a sign of slower trips.
        public var inFlightMaxDays: Int = 20
        /// Trips longer than this many calendar days are data errors, not trips.
        public var absurdAfterDays: Int = 180

        public init() {}
    }

    /// What the fit used and what it left out, and why.
    public struct FitReport: Sendable, Codable, Equatable {
        public var records: Int = 0
        public var used: Int = 0
        public var deliveredBeforeHandover: Int = 0
        public var absurd: Int = 0
        public var deliveredAfterFitDay: Int = 0
        public var handlingUnknown: Int = 0
        /// Parcels not delivered yet, counted as trips at least as long as they have lasted so far.
        public var inFlight: Int = 0
        public var lanes: Int = 0
        public var thinLanes: Int = 0
        public var warehouses: Int = 0
        public var seconds: Double = 0
    }

    public var fittedOn: LocalDay
    public var options: Options
    public var report: FitReport
    /// Learned extra days for peak windows, by window name.
    public var peakExtraDays: [String: Int]

    var transitCounts: [String: Tally]
    var handlingCounts: [String: Tally]

    // Derived on fit/decode: blended distributions for every node.
    private var transitBlend: [String: DayDistribution] = [:]
    private var handlingBlend: [String: DayDistribution] = [:]

    private enum CodingKeys: String, CodingKey {
        case fittedOn, options, report, peakExtraDays, transitCounts, handlingCounts
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fittedOn = try c.decode(LocalDay.self, forKey: .fittedOn)
        options = try c.decode(Options.self, forKey: .options)
        report = try c.decode(FitReport.self, forKey: .report)
        peakExtraDays = try c.decode([String: Int].self, forKey: .peakExtraDays)
        transitCounts = try c.decode([String: Tally].self, forKey: .transitCounts)
        handlingCounts = try c.decode([String: Tally].self, forKey: .handlingCounts)
        blendAll()
    }

    /// Learns from `records` delivered on or before `fittedOn` (later ones are counted and left out,
    /// so a back-test never sees the future). `peakWindows` without their own extra days get one
    /// learned from the same dates in earlier years.
    public static func fit(_ records: some Sequence<DeliveryRecord>, on fittedOn: LocalDay,
                           options: Options = Options(), peakWindows: [PeakWindow] = [],
                           inFlight: [ParcelInFlight] = []) -> TransitModel {
        var report = FitReport()
        var transit: [String: Tally] = [:]
        var handling: [String: Tally] = [:]
        let decay = log(2) / max(options.halfLifeDays, 1)
        var kept: [(record: DeliveryRecord, weight: Double)] = []
        for record in records {
            report.records += 1
            if record.delivered > fittedOn { report.deliveredAfterFitDay += 1; continue }
            if record.delivered < record.handedOver || record.transitDays < 0 { report.deliveredBeforeHandover += 1; continue }
            if record.handedOver.days(until: record.delivered) > options.absurdAfterDays
                || (record.handlingDays ?? 0) > options.absurdAfterDays {
                report.absurd += 1
                continue
            }
            report.used += 1
            // Weighted by when the trip began, as parcels still in flight are: a cohort of hand-overs
            // counts the same whether its parcels arrived fast, slowly, or not yet.
            let weight = exp(-decay * Double(max(0, record.handedOver.days(until: fittedOn))))
            let t = min(record.transitDays, options.maxDays)
            for key in transitPath(record.lane) { transit[key, default: Tally()].add(event: t, weight: weight) }
            if let h = record.handlingDays, h >= 0 {
                let cell = min(h, options.maxDays)
                handling["*", default: Tally()].add(event: cell, weight: weight)
                handling["w|" + record.warehouse, default: Tally()].add(event: cell, weight: weight)
            } else {
                report.handlingUnknown += 1
            }
            if !peakWindows.isEmpty { kept.append((record, weight)) }
        }
        // Parcels still going: trips longer than they have lasted so far.
        for parcel in inFlight {
            let weight = exp(-decay * Double(max(0, parcel.since.days(until: fittedOn))))
            if let t = parcel.transitElapsed {
                guard t >= 0, t <= min(options.inFlightMaxDays, options.maxDays - 1) else { continue }
                report.inFlight += 1
                for key in transitPath(parcel.lane) { transit[key, default: Tally()].add(censoredAfter: t, weight: weight) }
            } else if let h = parcel.handlingElapsed, h >= 0, h <= min(options.inFlightMaxDays, options.maxDays - 1) {
                report.inFlight += 1
                handling["*", default: Tally()].add(censoredAfter: h, weight: weight)
                handling["w|" + parcel.warehouse, default: Tally()].add(censoredAfter: h, weight: weight)
            }
        }
        var model = TransitModel(fittedOn: fittedOn, options: options, report: report, peakExtraDays: [:],
                                 transitCounts: transit, handlingCounts: handling)
        model.blendAll()
        model.report.lanes = transit.keys.filter { $0.hasPrefix("l|") }.count
        model.report.thinLanes = transit.filter { $0.key.hasPrefix("l|") && $0.value.total < options.thinBelow }.count
        model.report.warehouses = handling.keys.filter { $0.hasPrefix("w|") }.count
        for window in peakWindows where window.extraDays == nil {
            if let extra = model.learnPeak(window, from: kept) { model.peakExtraDays[window.name] = extra }
        }
        return model
    }

    /// The transit distribution for a lane, from the most specific level that has history.
    public func transit(for lane: LaneKey) -> DayDistribution? {
        for key in Self.transitPath(lane).reversed() {
            if let found = transitBlend[key] { return found }
        }
        return nil
    }

    /// How long `warehouse` takes from handling start to hand-over: its own history blended with the
    /// parent — the warehouse's configured handling days when it has them (weighing `shrinkage`
    /// deliveries), else all warehouses' history.
    public func handling(warehouse: String, configuredDays: Int?) -> DayDistribution {
        let parent: DayDistribution
        if let configuredDays {
            parent = DayDistribution(pmf: Array(repeating: 0, count: max(configuredDays, 0)) + [1], deliveries: 0, level: .configured)
        } else {
            parent = handlingBlend["*"] ?? DayDistribution(pmf: [1], deliveries: 0, level: .configured)
        }
        guard let own = handlingCounts["w|" + warehouse] else { return parent }
        return blend(own, parent: parent, level: .warehouse)
    }

    /// Effective (recency-weighted) deliveries on exactly this lane.
    public func deliveries(on lane: LaneKey) -> Double {
        transitCounts[Self.transitPath(lane).last!]?.total ?? 0
    }

    /// Every lane with history and its recency-weighted deliveries (and parcels in flight), fewest first.
    public func lanes() -> [(lane: LaneKey, deliveries: Double)] {
        transitCounts.compactMap { key, tally -> (LaneKey, Double)? in
            let p = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard p.count == 5, p[0] == "l" else { return nil }
            return (LaneKey(carrier: p[1], service: p[2], destination: p[3], origin: p[4]), tally.total)
        }.sorted { ($0.1, $0.0.description) < ($1.1, $1.0.description) }
    }

    /// The carrier service that has carried most to `destination` (else most overall): what an order
    /// that names no shipping option will most likely travel with.
    public func busiestService(to destination: String) -> (carrier: String, service: String)? {
        func parts(_ key: String) -> (String, String)? {
            let p = key.split(separator: "|", omittingEmptySubsequences: false)
            return p.count >= 3 ? (String(p[1]), String(p[2])) : nil
        }
        let toDestination = transitCounts.filter { $0.key.hasPrefix("d|") && $0.key.hasSuffix("|" + destination) }
        let pool = toDestination.isEmpty ? transitCounts.filter { $0.key.hasPrefix("c|") } : toDestination
        let best = pool.max { ($0.value.total, $1.key) < ($1.value.total, $0.key) }
        return best.flatMap { parts($0.key) }
    }

    // MARK: - Internals

    static func transitPath(_ lane: LaneKey) -> [String] {
        let cs = lane.carrier + "|" + lane.service
        let csd = cs + "|" + lane.destination
        return ["*", "c|" + cs, "d|" + csd, "l|" + csd + "|" + lane.origin]
    }

    private static func level(of key: String) -> Level {
        switch key.first {
        case "c": .carrier
        case "d": .destination
        case "l": .lane
        default: .global
        }
    }

    private static func parent(of key: String) -> String? {
        guard key != "*" else { return nil }
        let parts = key.split(separator: "|", omittingEmptySubsequences: false)
        switch key.first {
        case "c": return "*"
        case "d": return "c|" + parts[1...2].joined(separator: "|")
        case "l": return "d|" + parts[1...3].joined(separator: "|")
        default: return "*"
        }
    }

    private func blend(_ tally: Tally, parent: DayDistribution?, level: Level) -> DayDistribution {
        let (own, n) = tally.distribution
        guard let parent else { return DayDistribution(pmf: n > 0 ? own : [1], deliveries: n, level: level) }
        let k = options.shrinkage
        let size = max(own.count, parent.pmf.count)
        var pmf = Array(repeating: 0.0, count: size)
        for (i, p) in own.enumerated() { pmf[i] += p * n / (n + k) }
        for (i, p) in parent.pmf.enumerated() { pmf[i] += p * k / (n + k) }
        return DayDistribution(pmf: pmf, deliveries: n, level: level)
    }

    private mutating func blendAll() {
        transitBlend = [:]
        // Parents before children: "*" < "c|" < "d|" < "l|" by depth.
        for key in transitCounts.keys.sorted(by: { depth($0) < depth($1) }) {
            let parent = Self.parent(of: key).flatMap { transitBlend[$0] }
            transitBlend[key] = blend(transitCounts[key]!, parent: parent, level: Self.level(of: key))
        }
        handlingBlend = [:]
        if let all = handlingCounts["*"] { handlingBlend["*"] = blend(all, parent: nil, level: .global) }
    }

    private func depth(_ key: String) -> Int { key == "*" ? 0 : key.split(separator: "|").count }

    /// Mean excess transit of deliveries handed over inside the same window in earlier years, over
    /// their lanes' medians; nil with fewer than 20 such deliveries.
    private func learnPeak(_ window: PeakWindow, from kept: [(record: DeliveryRecord, weight: Double)]) -> Int? {
        var excess = 0.0
        var weight = 0.0
        var count = 0
        for (record, w) in kept {
            // The same window one, two or three years earlier (a window may cross New Year).
            let inWindow = (1...3).contains { yearsBack -> Bool in
                guard let first = Self.sameDay(window.first, yearsBack: yearsBack),
                      let last = Self.sameDay(window.last, yearsBack: yearsBack) else { return false }
                return record.handedOver >= first && record.handedOver <= last
            }
            guard inWindow, let lane = transit(for: record.lane) else { continue }
            excess += w * Double(record.transitDays - lane.quantile(0.5))
            weight += w
            count += 1
        }
        guard count >= 20, weight > 0 else { return nil }
        return max(0, Int((excess / weight).rounded()))
    }

    /// `day` in an earlier year (29 February becomes the 28th).
    private static func sameDay(_ day: LocalDay, yearsBack: Int) -> LocalDay? {
        let year = day.year - yearsBack
        return LocalDay(year: year, month: day.month, day: min(day.day, LocalDay.daysIn(month: day.month, year: year)))
    }

    private init(fittedOn: LocalDay, options: Options, report: FitReport, peakExtraDays: [String: Int],
                 transitCounts: [String: Tally], handlingCounts: [String: Tally]) {
        self.fittedOn = fittedOn
        self.options = options
        self.report = report
        self.peakExtraDays = peakExtraDays
        self.transitCounts = transitCounts
        self.handlingCounts = handlingCounts
    }
}
