import Foundation

extension ReplenishmentBacktest {
    public static func run(_ scenario: Scenario, policy: Policy) throws(ValidationFailure) -> Result {
        var issues = scenario.issues()
        let units = 0...ReorderInputs.maximumUnits
        switch policy {
        case .computed(let settings) where settings.reviewEveryDays < 1:
            issues.append(FieldIssue(field: "review_every_days", code: "must_be_positive",
                                     message: "review_every_days must be at least 1"))
        case .fixed(let reorderPoint, let orderQuantity) where !units.contains(reorderPoint) || !units.contains(orderQuantity):
            issues.append(FieldIssue(field: "policy", code: "out_of_range",
                                     message: "reorder point and order quantity must be 0–\(ReorderInputs.maximumUnits)"))
        default:
            break
        }
        guard issues.isEmpty else { throw ValidationFailure(issues) }

        var random = SplitMix64Generator(seed: scenario.seed)
        var onHand = scenario.startingStock
        var pipeline: [(due: Int, quantity: Int64, placed: Int)] = []
        var observedLeadTimes: [Double] = []
        var history = scenario.demand.prefix(scenario.warmUpDays).enumerated().map { day, units in
            DemandDay(date: date(day, scenario), quantity: units)
        }
        var plan: ReorderPlan?
        var result = Result(days: 0, stockOutDays: 0, stockOutDates: [], unitsDemanded: 0, unitsServed: 0,
                            ordersPlaced: 0, averageOnHand: 0)
        var onHandTotal = 0.0

        for day in scenario.warmUpDays..<scenario.demand.count {
            for order in pipeline where order.due == day {
                onHand += order.quantity
                observedLeadTimes.append(Double(order.due - order.placed))
            }
            pipeline.removeAll { $0.due == day }

            if case .computed(let settings) = policy, (day - scenario.warmUpDays) % settings.reviewEveryDays == 0 {
                plan = try computedPlan(settings, history: history, leadTimes: observedLeadTimes, scenario: scenario)
            }

            let wanted = scenario.demand[day]
            let served = min(wanted, onHand)
            onHand -= served
            result.unitsDemanded += wanted
            result.unitsServed += served
            if served < wanted {
                result.stockOutDays += 1
                result.stockOutDates.append(date(day, scenario))
            }
            // An empty shelf at day's end means the day's sales may understate demand.
            history.append(DemandDay(date: date(day, scenario), quantity: served, stockedOut: onHand == 0))

            let position = onHand + pipeline.reduce(0) { $0 + $1.quantity }
            let quantity: Int64
            switch policy {
            case .fixed(let reorderPoint, let orderQuantity):
                quantity = position < reorderPoint ? orderQuantity : 0
            case .computed:
                quantity = plan?.quantityToOrder(position: position) ?? 0
            }
            if quantity > 0 {
                let jitter = random.nextInt(in: -scenario.leadTimeJitterDays...scenario.leadTimeJitterDays)
                let leadTime = max(1, scenario.leadTimeDays + jitter)
                pipeline.append((due: day + leadTime, quantity: quantity, placed: day))
                result.ordersPlaced += 1
            }
            onHandTotal += Double(onHand)
            result.days += 1
        }
        result.averageOnHand = onHandTotal / Double(max(result.days, 1))
        return result
    }

    private static func computedPlan(
        _ settings: ComputedPolicy, history: [DemandDay], leadTimes: [Double], scenario: Scenario
    ) throws(ValidationFailure) -> ReorderPlan {
        let forecast = DemandForecast.fit(history)
        // The plan holds until the next review, so its lead time can start as late as the review's last day.
        let horizon = scenario.leadTimeDays + settings.reviewEveryDays
        let (leadTime, leadTimeStdDev) = leadTimeEstimate(observed: leadTimes, scenario: scenario)
        return try ReorderPolicy.plan(ReorderInputs(
            meanDailyDemand: forecast.meanDailyDemand(over: horizon), demandStdDev: forecast.residualStdDev,
            leadTimeDays: leadTime, leadTimeStdDev: leadTimeStdDev, serviceLevel: settings.serviceLevel,
            orderingCost: settings.orderingCost, holdingCostPerUnitYear: settings.holdingCostPerUnitYear,
            packSize: settings.packSize, minimumOrder: settings.minimumOrder, quantityRule: settings.quantityRule))
    }

    /// The supplier's promise (the nominal lead time, and the σ of a uniform ±j whole-day jitter,
    /// √(((2j + 1)² − 1) / 12)) counts as `priorWeight` observations pooled with the receipts seen so far.
    /// A σ estimated from two or three receipts is often near zero by luck, and safety stock sized on it
    /// fails exactly when the next truck is late; pooling lets real receipts take over as they accumulate.
    static func leadTimeEstimate(observed: [Double], scenario: Scenario, priorWeight: Double = 4) -> (Double, Double) {
        let nominal = Double(scenario.leadTimeDays)
        let width = Double(2 * scenario.leadTimeJitterDays + 1)
        let nominalVariance = (width * width - 1) / 12
        let n = Double(observed.count)
        let mean = (priorWeight * nominal + observed.reduce(0, +)) / (priorWeight + n)
        let squares = observed.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let variance = (priorWeight * (nominalVariance + (nominal - mean) * (nominal - mean)) + squares) / (priorWeight + n)
        return (mean, variance.squareRoot())
    }

    private static func date(_ day: Int, _ scenario: Scenario) -> Date {
        scenario.firstDate.addingTimeInterval(Double(day) * 86_400)
    }
}
