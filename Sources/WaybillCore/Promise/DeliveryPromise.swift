import Foundation

/// What shaped a promise, in words a customer and an operator can read (ko and en).
public struct PromiseReason: Sendable, Codable, Equatable {
    public enum Code: String, Sendable, Codable {
        case cutoffMissed = "cutoff_missed"
        case noPickupToday = "no_pickup_today"
        case awaitingStock = "awaiting_stock"
        case holiday
        case peak
        case thinData = "thin_data"
        case noHolidayCalendar = "no_holiday_calendar"
    }

    public var code: Code
    public var day: LocalDay?
    public var name: String?
    public var nameEnglish: String?
    public var days: Int?
    public var deliveries: Int?

    public init(code: Code, day: LocalDay? = nil, name: String? = nil, nameEnglish: String? = nil,
                days: Int? = nil, deliveries: Int? = nil) {
        self.code = code
        self.day = day
        self.name = name
        self.nameEnglish = nameEnglish
        self.days = days
        self.deliveries = deliveries
    }

    public func text(locale: String) -> String {
        let ko = locale.hasPrefix("ko")
        let day = self.day?.iso ?? ""
        switch code {
        case .cutoffMissed:
            return ko ? "오늘 출고 마감 시간이 지나 \(day)에 출고 준비를 시작합니다" : "Ordered after today's cut-off: handling starts \(day)"
        case .noPickupToday:
            return ko ? "오늘은 택배 집화가 없는 날이라 \(day)에 출고 준비를 시작합니다" : "No carrier pick-up today: handling starts \(day)"
        case .awaitingStock:
            return ko ? "일부 상품이 \(day) 입고 예정이라 그 뒤에 출고됩니다" : "Some items arrive from the supplier on \(day) and ship after that"
        case .holiday:
            return ko ? "\(day) \(name ?? "공휴일")에는 배송하지 않습니다" : "No deliveries on \(day) (\(nameEnglish ?? name ?? "public holiday"))"
        case .peak:
            let n = days ?? 0
            return ko ? "\(name ?? "성수기") 기간이라 배송이 \(n)일 더 걸릴 수 있습니다" : "\(nameEnglish ?? name ?? "Peak season"): delivery may take \(n) more day\(n == 1 ? "" : "s")"
        case .thinData:
            let n = deliveries ?? 0
            if n == 0 {
                return ko ? "이 배송 구간은 아직 배송 이력이 없어 더 넓은 지역의 이력이나 기본 배송 기간으로 계산했습니다"
                    : "No past deliveries on this route yet: dates use the wider region's history, or the standard times"
            }
            return ko ? "이 배송 구간의 배송 이력이 \(n)건뿐이라 더 넓은 지역의 이력으로 계산했습니다" : "Only \(n) past deliveries on this route: dates use the wider region's history"
        case .noHolidayCalendar:
            return ko ? "\(name ?? "") 공휴일 정보가 없어 주말만 휴무로 계산했습니다" : "No public holiday calendar for \(name ?? "the destination"): only weekends are counted as days off"
        }
    }
}

/// A delivery promise: a range of days with the probability the parcel arrives by its end.
/// Made at order time, stored on the order and never changed; re-predictions are separate.
public struct DeliveryPromise: Sendable, Codable, Equatable {
    /// The day 5% of such parcels arrive by.
    public var earliest: LocalDay
    /// The day half of them arrive by.
    public var mostLikely: LocalDay
    /// The promised day: at least `target` of them arrive by it.
    public var latest: LocalDay
    public var target: Double
    /// The model's probability of arriving by `latest` (≥ target, more when days are lumpy).
    public var confidence: Double
    public var handlingStarts: LocalDay
    public var expectedHandover: LocalDay
    public var lane: LaneKey
    /// The history level the transit time came from and the deliveries on the lane itself.
    public var basis: TransitModel.Level
    public var laneDeliveries: Int
    public var reasons: [PromiseReason]

    public init(earliest: LocalDay, mostLikely: LocalDay, latest: LocalDay, target: Double, confidence: Double,
                handlingStarts: LocalDay, expectedHandover: LocalDay, lane: LaneKey, basis: TransitModel.Level,
                laneDeliveries: Int, reasons: [PromiseReason]) {
        self.earliest = earliest
        self.mostLikely = mostLikely
        self.latest = latest
        self.target = target
        self.confidence = confidence
        self.handlingStarts = handlingStarts
        self.expectedHandover = expectedHandover
        self.lane = lane
        self.basis = basis
        self.laneDeliveries = laneDeliveries
        self.reasons = reasons
    }
}

/// The inputs of one promise.
public struct PromiseRequest: Sendable {
    public var orderedAt: Date
    public var warehouse: WarehouseSchedule
    public var lane: LaneKey
    /// Days the carrier delivers at the destination: its delivery weekdays and the destination's holidays.
    public var delivery: BusinessCalendar
    /// When every item is in the warehouse (a purchase order's expected day); nil when in stock now.
    public var readyOn: LocalDay?
    public var peakWindows: [PeakWindow]
    public var target: Double

    public init(orderedAt: Date, warehouse: WarehouseSchedule, lane: LaneKey, delivery: BusinessCalendar,
                readyOn: LocalDay? = nil, peakWindows: [PeakWindow] = [], target: Double = 0.95) {
        self.orderedAt = orderedAt
        self.warehouse = warehouse
        self.lane = lane
        self.delivery = delivery
        self.readyOn = readyOn
        self.peakWindows = peakWindows
        self.target = target
    }
}

/// Turns the learned model and the calendars into dates. Pure and allocation-light: a quote is a
/// few hundred array reads.
public struct PromiseEngine: Sendable {
    public var model: TransitModel
    /// A lane with no history at any level (an empty model) uses this: configured transit days.
    public var defaultTransitDays: Int

    public init(model: TransitModel, defaultTransitDays: Int = 2) {
        self.model = model
        self.defaultTransitDays = defaultTransitDays
    }

    public func quote(_ request: PromiseRequest) -> DeliveryPromise {
        let target = min(max(request.target, 0.5), 0.999)
        let warehouse = request.warehouse
        var reasons: [PromiseReason] = []
        let orderDay = LocalDay(request.orderedAt, in: warehouse.timeZone)
        var (start, cutoffMissed) = warehouse.handlingStart(for: request.orderedAt)
        if cutoffMissed {
            reasons.append(PromiseReason(code: .cutoffMissed, day: start))
        } else if start != orderDay {
            reasons.append(PromiseReason(code: .noPickupToday, day: start))
        }
        if let ready = request.readyOn, ready >= start {
            start = warehouse.pickup.nextOpen(onOrAfter: ready)
            reasons.append(PromiseReason(code: .awaitingStock, day: ready))
        }
        let handling = model.handling(warehouse: warehouse.id, configuredDays: warehouse.handlingDays)
        var transit = model.transit(for: request.lane)
            ?? DayDistribution(pmf: Array(repeating: 0, count: defaultTransitDays) + [1], deliveries: 0, level: .configured)
        let laneDeliveries = model.deliveries(on: request.lane)
        if laneDeliveries < model.options.thinBelow {
            reasons.append(PromiseReason(code: .thinData, deliveries: Int(laneDeliveries.rounded())))
        }
        if let window = request.peakWindows.first(where: { $0.contains(start) }) {
            let extra = window.extraDays ?? model.peakExtraDays[window.name] ?? 1
            if extra > 0 {
                transit = transit.shifted(by: extra)
                reasons.append(PromiseReason(code: .peak, name: window.name, days: extra))
            }
        }
        let dates = Self.deliveryDays(start: start, handling: handling, transit: transit,
                                      pickup: warehouse.pickup, delivery: request.delivery)
        let earliest = dates.quantile(0.05)
        let latest = dates.quantile(target)
        let handover = warehouse.pickup.adding(handling.quantile(0.5), after: start)
        for holiday in request.delivery.holidays(after: orderDay, through: latest)
            + warehouse.pickup.holidays(after: orderDay, through: handover)
            where !reasons.contains(where: { $0.code == .holiday && $0.day == holiday.day }) {
            reasons.append(PromiseReason(code: .holiday, day: holiday.day, name: holiday.nameLocal, nameEnglish: holiday.nameEnglish))
        }
        if !request.delivery.hasHolidayData {
            reasons.append(PromiseReason(code: .noHolidayCalendar, name: request.delivery.name))
        }
        return DeliveryPromise(
            earliest: earliest, mostLikely: dates.quantile(0.5), latest: latest, target: target,
            confidence: dates.cumulative(through: latest), handlingStarts: start, expectedHandover: handover,
            lane: request.lane, basis: transit.level, laneDeliveries: Int(laneDeliveries.rounded()), reasons: reasons)
    }

    /// Delivery days as a distribution over calendar days from `start`.
    static func deliveryDays(start: LocalDay, handling: DayDistribution, transit: DayDistribution,
                             pickup: BusinessCalendar, delivery: BusinessCalendar) -> DayPMF {
        var pmf = DayPMF(start: start)
        for (h, ph) in handling.pmf.enumerated() where ph > 1e-6 {
            let handover = pickup.adding(h, after: start)
            for (t, pt) in transit.pmf.enumerated() where pt > 1e-7 {
                pmf.add(delivery.adding(t, after: handover), ph * pt)
            }
        }
        return pmf
    }
}

/// Probabilities over calendar days from a start day.
struct DayPMF {
    let start: LocalDay
    var mass: [Double] = []
    var total = 0.0

    init(start: LocalDay) { self.start = start }

    mutating func add(_ day: LocalDay, _ p: Double) {
        let index = max(0, start.days(until: day))
        if index >= mass.count { mass.append(contentsOf: repeatElement(0, count: index - mass.count + 1)) }
        mass[index] += p
        total += p
    }

    func quantile(_ q: Double) -> LocalDay {
        var sum = 0.0
        let goal = q * total - 1e-9
        for (i, p) in mass.enumerated() {
            sum += p
            if sum >= goal { return start.adding(days: i) }
        }
        return start.adding(days: max(mass.count - 1, 0))
    }

    func cumulative(through day: LocalDay) -> Double {
        guard total > 0 else { return 0 }
        let index = start.days(until: day)
        guard index >= 0 else { return 0 }
        return min(1, mass.prefix(index + 1).reduce(0, +) / total)
    }
}
