import Foundation

/// Where a promised parcel is now, as the tracking timeline says.
public struct ParcelProgress: Sendable {
    public var status: TrackingStatus
    public var substatus: TrackingSubstatus?
    /// The day the carrier took it; nil while still in the warehouse.
    public var handedOver: LocalDay?
    /// The day of the latest event (for out-for-delivery: whether that run is today's).
    public var lastEvent: LocalDay?
    /// Today at the destination.
    public var today: LocalDay

    public init(status: TrackingStatus, substatus: TrackingSubstatus? = nil, handedOver: LocalDay?,
                lastEvent: LocalDay?, today: LocalDay) {
        self.status = status
        self.substatus = substatus
        self.handedOver = handedOver
        self.lastEvent = lastEvent
        self.today = today
    }
}

/// The current expectation for a promised parcel. The promise itself never changes; this does,
/// after every event.
public struct DeliveryPrediction: Sendable, Codable, Equatable {
    /// Half of such parcels arrive by this day; nil when the parcel will not arrive (lost, returned).
    public var expected: LocalDay?
    /// The day by which the promise's target share arrives, from here.
    public var latest: LocalDay?
    /// Probability of arriving by the promised day.
    public var probabilityOnTime: Double
    /// Below the threshold while the promised day has not passed: tell the customer now.
    public var atRisk: Bool
    /// True after a failed attempt, an exception or silence: the dates are wider than usual.
    public var confidenceLowered: Bool
    public var status: TrackingStatus
}

/// What re-predicting needs of a promise already made: where it travels, when its handling started,
/// the promised day and the share it was promised at.
public struct PromisedDelivery: Sendable, Equatable {
    public var lane: LaneKey
    public var handlingStarts: LocalDay
    public var latest: LocalDay
    public var target: Double

    public init(lane: LaneKey, handlingStarts: LocalDay, latest: LocalDay, target: Double) {
        self.lane = lane
        self.handlingStarts = handlingStarts
        self.latest = latest
        self.target = target
    }
}

extension DeliveryPromise {
    public var promised: PromisedDelivery {
        PromisedDelivery(lane: lane, handlingStarts: handlingStarts, latest: latest, target: target)
    }
}

extension PromiseEngine {
    /// Re-predicts from where the parcel is: the part of the learned handling and transit time that
    /// is already behind it is cut off (a parcel 4 days in transit cannot arrive in 2), an
    /// out-for-delivery scan puts it at the door today, a failed attempt or an exception moves the
    /// date and widens it instead of erasing it.
    public func predict(
        _ promise: PromisedDelivery, progress: ParcelProgress, warehouse: WarehouseSchedule,
        delivery: BusinessCalendar, peakWindows: [PeakWindow] = [], atRiskBelow threshold: Double = 0.5
    ) -> DeliveryPrediction {
        let today = progress.today
        func finish(_ pmf: DayPMF?, lowered: Bool) -> DeliveryPrediction {
            guard let pmf, pmf.total > 0 else {
                return DeliveryPrediction(expected: nil, latest: nil, probabilityOnTime: 0,
                                          atRisk: today <= promise.latest, confidenceLowered: true, status: progress.status)
            }
            let onTime = pmf.cumulative(through: promise.latest)
            return DeliveryPrediction(
                expected: pmf.quantile(0.5), latest: pmf.quantile(promise.target), probabilityOnTime: onTime,
                atRisk: onTime < threshold && today <= promise.latest, confidenceLowered: lowered, status: progress.status)
        }
        var transit = model.transit(for: promise.lane)
            ?? DayDistribution(pmf: Array(repeating: 0, count: defaultTransitDays) + [1], deliveries: 0, level: .configured)
        if let window = peakWindows.first(where: { $0.contains(promise.handlingStarts) }) {
            transit = transit.shifted(by: window.extraDays ?? model.peakExtraDays[window.name] ?? 1)
        }
        switch progress.status {
        case .delivered, .availableForPickup:
            let day = progress.lastEvent ?? today
            return DeliveryPrediction(expected: day, latest: day, probabilityOnTime: day <= promise.latest ? 1 : 0,
                                      atRisk: false, confidenceLowered: false, status: progress.status)
        case .exception where progress.substatus?.isTerminal == true:
            return finish(nil, lowered: true)
        case .outForDelivery where progress.lastEvent == today:
            return finish(Self.atTheDoor(from: today, delivery: delivery, weights: [0.92, 0.06, 0.02]), lowered: false)
        case .outForDelivery, .failedAttempt:
            // Another attempt: usually the next delivery day, sometimes a pick-up point later.
            return finish(Self.atTheDoor(from: today, delivery: delivery, weights: [0, 0.6, 0.25, 0.08, 0.04, 0.03]), lowered: true)
        default:
            break
        }
        let lowered = progress.status == .exception || progress.status == .stalled || progress.status == .unknown
        var pmf = DayPMF(start: today)
        guard let handedOver = progress.handedOver else {
            // Still in the warehouse: what is left of handling, then the whole trip.
            let handling = model.handling(warehouse: warehouse.id, configuredDays: warehouse.handlingDays)
            // On a day without pick-up the first chance is the next pick-up day, one more elapsed.
            let elapsed = warehouse.pickup.openDays(after: promise.handlingStarts, through: today)
                + (warehouse.pickup.isOpen(today) ? 0 : 1)
            let left = today < promise.handlingStarts ? handling : Self.fromToday(handling, elapsed: elapsed)
            let base = warehouse.pickup.nextOpen(onOrAfter: max(today, promise.handlingStarts))
            for (h, ph) in left.pmf.enumerated() where ph > 1e-6 {
                let handover = warehouse.pickup.adding(h, after: base)
                for (t, pt) in transit.pmf.enumerated() where pt > 1e-7 {
                    pmf.add(delivery.adding(t, after: handover), ph * pt)
                }
            }
            return finish(pmf, lowered: lowered)
        }
        // On a day without deliveries the first chance is the next delivery day, one more elapsed.
        var left = Self.fromToday(transit, elapsed: delivery.openDays(after: handedOver, through: today)
                                            + (delivery.isOpen(today) || today <= handedOver ? 0 : 1))
        if progress.status == .exception {
            // A customs hold or a damaged label: usually resolved within days, sometimes a week.
            let size = left.pmf.count + 6
            var widened = Array(repeating: 0.0, count: size)
            for (k, p) in left.pmf.enumerated() {
                widened[k + 2] += p * 0.6
                widened[k + 6] += p * 0.4
            }
            left = DayDistribution(pmf: widened, deliveries: left.deliveries, level: left.level)
        }
        let base = delivery.nextOpen(onOrAfter: today)
        for (k, p) in left.pmf.enumerated() where p > 1e-7 {
            pmf.add(delivery.adding(k, after: base), p)
        }
        return finish(pmf, lowered: lowered)
    }

    /// X − elapsed given X ≥ elapsed: 0 = today (or the next open day).
    static func fromToday(_ distribution: DayDistribution, elapsed: Int) -> DayDistribution {
        guard elapsed > 0 else { return distribution }
        let left = distribution.remaining(after: elapsed - 1)
        return DayDistribution(pmf: Array(left.pmf.dropFirst()), deliveries: left.deliveries, level: left.level)
    }

    static func atTheDoor(from today: LocalDay, delivery: BusinessCalendar, weights: [Double]) -> DayPMF {
        var pmf = DayPMF(start: today)
        for (k, w) in weights.enumerated() where w > 0 {
            pmf.add(k == 0 ? today : delivery.adding(k, after: today), w)
        }
        return pmf
    }
}
