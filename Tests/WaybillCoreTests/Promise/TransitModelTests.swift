import Foundation
import Testing
@testable import WaybillCore

@Suite("Transit model")
struct TransitModelTests {
    typealias F = PromiseFixtures

    static let laneB = LaneKey(carrier: "CJ", service: "std", destination: "Seoul", origin: "Incheon")
    static let laneNew = LaneKey(carrier: "CJ", service: "std", destination: "Seoul", origin: "Chungbuk")
    static let otherDestination = LaneKey(carrier: "CJ", service: "std", destination: "Jeju", origin: "Gyeonggi")
    static let otherCarrier = LaneKey(carrier: "Hanjin", service: "std", destination: "Seoul", origin: "Gyeonggi")

    /// Lane A: 500 deliveries in 1 day. Lane B (same destination): 2 deliveries in 4 days. All on the fit day.
    static let hierarchy = TransitModel.fit(
        F.records(500, transit: 1, delivered: "2025-06-30") + F.records(2, laneB, transit: 4, delivered: "2025-06-30"),
        on: F.day("2025-06-30"))

    @Test func exclusionsAreCountedInTheReport() throws {
        let laneB = Self.laneB
        let records = [
            F.record(transit: 2, delivered: "2025-06-22", handling: 1),                                  // used
            DeliveryRecord(warehouse: "ICN-1", lane: F.lane, handedOver: F.day("2025-06-20"),
                           delivered: F.day("2025-06-19"), handlingDays: 0, transitDays: 0),            // before hand-over
            DeliveryRecord(warehouse: "ICN-1", lane: F.lane, handedOver: F.day("2025-06-20"),
                           delivered: F.day("2025-06-20"), handlingDays: 0, transitDays: -1),           // negative transit
            F.record(transit: 60, delivered: "2025-06-01", handedOverDaysBefore: 181),                   // absurd: 181 days
            F.record(transit: 70, delivered: "2025-06-01", handedOverDaysBefore: 180),                   // 180 days: kept, handling unknown
            F.record(transit: 1, delivered: "2025-06-10", handling: 181),                                // absurd handling
            F.record(transit: 1, delivered: "2025-07-01", handling: 1),                                  // after the fit day
            F.record(laneB, transit: 3, delivered: "2025-06-30", handling: 0, warehouse: "W2"),          // used
        ]
        let model = TransitModel.fit(records, on: F.day("2025-06-30"))
        var expected = TransitModel.FitReport()
        expected.records = 8
        expected.used = 3
        expected.deliveredBeforeHandover = 2
        expected.absurd = 2
        expected.deliveredAfterFitDay = 1
        expected.handlingUnknown = 1
        expected.lanes = 2
        expected.thinLanes = 2
        expected.warehouses = 2
        var report = model.report
        report.seconds = 0
        #expect(report == expected)
        #expect(model.report.lanes == 2 && model.lanes().count == 2)
        #expect(model.fittedOn == F.day("2025-06-30"))
        // The 70-day trip lands in the last cell (maxDays 60), next to the 2-day one.
        let lane = try #require(model.transit(for: F.lane))
        #expect(lane.pmf.count == 61)
        #expect(lane.quantile(0.99) == 60)
    }

    @Test func anEmptyHistoryHasNoTransitAndAZeroReport() {
        let model = TransitModel.fit([DeliveryRecord](), on: F.day("2025-06-30"))
        #expect(model.transit(for: F.lane) == nil)
        #expect(model.deliveries(on: F.lane) == 0)
        #expect(model.report.records == 0 && model.report.used == 0 && model.report.lanes == 0)
    }

    @Test func aDeliveryHalfLifeOldCountsHalf() {
        let model = TransitModel.fit([F.record(transit: 1, delivered: "2025-04-01")], on: F.day("2025-06-30"))  // 90 days
        #expect(abs(model.deliveries(on: F.lane) - 0.5) < 1e-12)
    }

    @Test func aTripIsDatedByItsHandOver() {
        // Handed over 90 days before the fit day, delivered 30 days before: it counts half
        // (Options.halfLifeDays: "a trip that began this many days ago counts half").
        let record = F.record(transit: 40, delivered: "2025-05-31", handedOverDaysBefore: 60)
        let model = TransitModel.fit([record], on: F.day("2025-06-30"))
        #expect(abs(model.deliveries(on: F.lane) - 0.5) < 1e-12)
    }

    @Test func parcelsInFlightAreCensoredTrips() throws {
        // 6 trips of 1 day and 2 of 2 days, plus 2 parcels 1 delivery day into a trip that has not ended.
        // Kaplan–Meier: 6 of the 10 going into day 1 end then (60%); the 2 left going into day 2 both end.
        let fitDay = F.day("2025-06-30")
        let records = F.records(6, transit: 1, delivered: "2025-06-30") + F.records(2, transit: 2, delivered: "2025-06-30")
        let flying = Array(repeating: ParcelInFlight(warehouse: "ICN-1", lane: F.lane, since: fitDay, transitElapsed: 1), count: 2)
        let model = TransitModel.fit(records, on: fitDay, inFlight: flying)
        let lane = try #require(model.transit(for: F.lane))
        #expect(lane.pmf.count == 3)
        #expect(lane.pmf[0] == 0 && abs(lane.pmf[1] - 0.6) < 1e-12 && abs(lane.pmf[2] - 0.4) < 1e-12)
        #expect(abs(model.deliveries(on: F.lane) - 10) < 1e-12)
        #expect(model.report.inFlight == 2 && model.report.used == 8)
        // Without them: the plain histogram, 75 / 25.
        let plain = try #require(TransitModel.fit(records, on: fitDay).transit(for: F.lane))
        #expect(abs(plain.pmf[1] - 0.75) < 1e-12 && abs(plain.pmf[2] - 0.25) < 1e-12)
    }

    @Test func parcelsInFlightBeyondEveryTripGoOnTheDayAfter() throws {
        // 8 trips of 1 day; 2 parcels still going after 3 days: their 20% lands on day 4, the earliest
        // they can arrive. A parcel 21 days in flight is left out (inFlightMaxDays 20); 20 days is kept.
        let fitDay = F.day("2025-06-30")
        func parcel(_ days: Int) -> ParcelInFlight {
            ParcelInFlight(warehouse: "ICN-1", lane: F.lane, since: fitDay, transitElapsed: days)
        }
        let model = TransitModel.fit(F.records(8, transit: 1, delivered: "2025-06-30"), on: fitDay,
                                     inFlight: [parcel(3), parcel(3), parcel(21)])
        let lane = try #require(model.transit(for: F.lane))
        #expect(lane.pmf.count == 5 && abs(lane.pmf[1] - 0.8) < 1e-12 && abs(lane.pmf[4] - 0.2) < 1e-12)
        #expect(model.report.inFlight == 2)
        let longest = TransitModel.fit(F.records(8, transit: 1, delivered: "2025-06-30"), on: fitDay, inFlight: [parcel(20)])
        #expect(longest.report.inFlight == 1)
        #expect(longest.transit(for: F.lane)?.quantile(0.99) == 21)
        // Still in the warehouse: a censored handling time for that warehouse.
        let waiting = TransitModel.fit([F.record(transit: 1, delivered: "2025-06-30", handling: 1)], on: fitDay,
                                       inFlight: [ParcelInFlight(warehouse: "ICN-1", lane: F.lane, since: fitDay, handlingElapsed: 2)])
        let handling = waiting.handling(warehouse: "ICN-1", configuredDays: nil)
        #expect(waiting.report.inFlight == 1)
        #expect(handling.level == .warehouse && handling.quantile(0.99) == 3)
    }

    @Test func recentDeliveriesOutweighAnOldSlowHistory() {
        // 100 deliveries in 5 days two years ago (731 days, 2^-8.12 each), 20 in 1 day on the fit day.
        let records = F.records(100, transit: 5, delivered: "2023-06-30") + F.records(20, transit: 1, delivered: "2025-06-30")
        let model = TransitModel.fit(records, on: F.day("2025-06-30"))
        let expectedWeight = 20 + 100 * pow(2, -731.0 / 90)
        #expect(abs(model.deliveries(on: F.lane) - expectedWeight) < 1e-9)
        let lane = model.transit(for: F.lane)!
        #expect(lane.quantile(0.5) == 1)
        #expect(lane.quantile(0.95) == 1)
        #expect(lane.quantile(0.99) == 5)
        // The same history without forgetting: the old slow deliveries are the majority.
        var options = TransitModel.Options()
        options.halfLifeDays = 1e12
        let flat = TransitModel.fit(records, on: F.day("2025-06-30"), options: options)
        #expect(flat.transit(for: F.lane)!.quantile(0.5) == 5)
        #expect(abs(flat.deliveries(on: F.lane) - 120) < 1e-6)
    }

    @Test func aLaneWithoutHistoryUsesItsDestination() throws {
        let model = Self.hierarchy
        let fallback = try #require(model.transit(for: Self.laneNew))
        #expect(fallback.level == .destination)
        #expect(abs(fallback.deliveries - 502) < 1e-9)
        #expect(abs(fallback.pmf[1] - 500.0 / 502) < 1e-12)
        #expect(abs(fallback.pmf[4] - 2.0 / 502) < 1e-12)
        #expect(model.deliveries(on: Self.laneNew) == 0)
        #expect(model.transit(for: Self.otherDestination)?.level == .carrier)
        #expect(model.transit(for: Self.otherCarrier)?.level == .global)
    }

    @Test func aThinLaneIsPulledTowardsItsParent() throws {
        let model = Self.hierarchy
        let thin = try #require(model.transit(for: Self.laneB))
        #expect(thin.level == .lane)
        #expect(thin.deliveries == 2)
        // Own 2 deliveries weigh 2, the parent 10 (shrinkage): 2/12 + 10/12 · 2/502 in 4 days.
        #expect(abs(thin.pmf[4] - (2.0 / 12 + 10.0 / 12 * 2 / 502)) < 1e-12)
        #expect(abs(thin.pmf[1] - 10.0 / 12 * 500 / 502) < 1e-12)
        #expect(thin.quantile(0.5) == 1)      // its own history alone would say 4
        #expect(thin.quantile(0.95) == 4)
        #expect(model.report.lanes == 2 && model.report.thinLanes == 1)
    }

    @Test func aBusyLaneIsItself() throws {
        let busy = try #require(Self.hierarchy.transit(for: F.lane))
        #expect(busy.level == .lane)
        #expect(busy.deliveries == 500)
        #expect(busy.pmf[1] > 0.999)
        #expect(busy.quantile(0.99) == 1)
        #expect(abs(busy.pmf.reduce(0, +) - 1) < 1e-12)
    }

    @Test func handlingWithoutHistoryIsTheConfiguredPointMass() {
        let empty = TransitModel.fit([DeliveryRecord](), on: F.day("2025-06-30"))
        #expect(empty.handling(warehouse: "ICN-1", configuredDays: 2) == DayDistribution(pmf: [0, 0, 1], deliveries: 0, level: .configured))
        #expect(empty.handling(warehouse: "ICN-1", configuredDays: 0).pmf == [1])
        #expect(empty.handling(warehouse: "ICN-1", configuredDays: nil).pmf == [1])
        // Another warehouse's history does not change this one's configured days…
        let other = TransitModel.fit(Array(repeating: F.record(transit: 1, delivered: "2025-06-30", handling: 3, warehouse: "W2"), count: 40),
                                     on: F.day("2025-06-30"))
        #expect(other.handling(warehouse: "ICN-1", configuredDays: 2).pmf == [0, 0, 1])
        // …but is what a warehouse without configured days falls back on.
        let all = other.handling(warehouse: "ICN-1", configuredDays: nil)
        #expect(all.level == .global && all.quantile(0.5) == 3)
    }

    @Test func handlingHistoryIsBlendedWithTheConfiguredDays() {
        // 10 same-day hand-overs against configured 2 days, which weigh as 10 deliveries: half and half.
        let model = TransitModel.fit(Array(repeating: F.record(transit: 1, delivered: "2025-06-30", handling: 0), count: 10),
                                     on: F.day("2025-06-30"))
        let handling = model.handling(warehouse: "ICN-1", configuredDays: 2)
        #expect(handling.level == .warehouse)
        #expect(handling.pmf.count == 3)
        #expect(abs(handling.pmf[0] - 0.5) < 1e-12 && handling.pmf[1] == 0 && abs(handling.pmf[2] - 0.5) < 1e-12)
    }

    @Test func codableRoundTripKeepsEveryDistribution() throws {
        for model in [Self.hierarchy, F.standardModel] {
            let data = try JSONEncoder().encode(model)
            let decoded = try JSONDecoder().decode(TransitModel.self, from: data)
            #expect(decoded.fittedOn == model.fittedOn)
            #expect(decoded.report == model.report)
            #expect(decoded.peakExtraDays == model.peakExtraDays)
            for lane in [F.lane, Self.laneB, Self.laneNew, Self.otherDestination, Self.otherCarrier] {
                let before = try #require(model.transit(for: lane))
                let after = try #require(decoded.transit(for: lane))
                #expect(after.level == before.level)
                for q in [0.05, 0.5, 0.8, 0.95, 0.99] { #expect(after.quantile(q) == before.quantile(q)) }
                #expect(zip(after.pmf, before.pmf).allSatisfy { abs($0 - $1) < 1e-12 } && after.pmf.count == before.pmf.count)
                #expect(decoded.deliveries(on: lane) == model.deliveries(on: lane))
            }
            #expect(decoded.handling(warehouse: "ICN-1", configuredDays: 1) == model.handling(warehouse: "ICN-1", configuredDays: 1))
        }
    }

    /// 200 ordinary 1-day deliveries late in 2024, and slow 4-day ones handed over inside last year's
    /// 설날 window (and the one before): 3 extra days. Deliveries just outside the window take 9 days
    /// and must not count.
    static func peakHistory(insideCount: Int = 25) -> [DeliveryRecord] {
        var records = F.records(200, transit: 1, delivered: "2024-12-31")
        func handed(_ iso: String, transit: Int, count: Int) -> [DeliveryRecord] {
            Array(repeating: DeliveryRecord(warehouse: "ICN-1", lane: F.lane, handedOver: F.day(iso),
                                            delivered: F.day(iso).adding(days: transit + 2), handlingDays: 1,
                                            transitDays: transit), count: count)
        }
        records += handed("2024-01-27", transit: 4, count: insideCount / 2)
        records += handed("2024-01-31", transit: 4, count: insideCount - insideCount / 2)
        records += handed("2024-01-26", transit: 9, count: 5)
        records += handed("2024-02-01", transit: 9, count: 5)
        return records
    }

    @Test func peakExtraDaysAreLearnedFromTheSameWindowOneYearEarlier() {
        let windows = [
            PeakWindow(name: "설날", first: F.day("2025-01-27"), last: F.day("2025-01-31")),
            PeakWindow(name: "추석", first: F.day("2025-10-01"), last: F.day("2025-10-10"), extraDays: 2),
            PeakWindow(name: "여름", first: F.day("2025-07-01"), last: F.day("2025-07-10")),
        ]
        let model = TransitModel.fit(Self.peakHistory(), on: F.day("2024-12-31"), peakWindows: windows)
        #expect(model.transit(for: F.lane)?.quantile(0.5) == 1)
        #expect(model.peakExtraDays == ["설날": 3])   // the shop's own 추석 days are not learned; 여름 has no data
        // Two years back counts as well.
        let older = Self.peakHistory(insideCount: 10) + Array(repeating: DeliveryRecord(
            warehouse: "ICN-1", lane: F.lane, handedOver: F.day("2023-01-28"), delivered: F.day("2023-02-03"),
            handlingDays: 1, transitDays: 4), count: 10)
        #expect(TransitModel.fit(older, on: F.day("2024-12-31"), peakWindows: windows).peakExtraDays == ["설날": 3])
        // Without a fit window no learning happens at all.
        #expect(TransitModel.fit(Self.peakHistory(), on: F.day("2024-12-31")).peakExtraDays.isEmpty)
    }

    @Test func fewerThanTwentyPeakDeliveriesLearnNothing() {
        let window = PeakWindow(name: "설날", first: F.day("2025-01-27"), last: F.day("2025-01-31"))
        #expect(TransitModel.fit(Self.peakHistory(insideCount: 19), on: F.day("2024-12-31"), peakWindows: [window]).peakExtraDays.isEmpty)
        #expect(TransitModel.fit(Self.peakHistory(insideCount: 20), on: F.day("2024-12-31"), peakWindows: [window]).peakExtraDays == ["설날": 3])
    }

    @Test func aPeakWindowOverNewYearLearnsFromItsJanuaryDaysToo() {
        // 연말 2025-12-20…2026-01-05: last year's window is 2024-12-20…2025-01-05.
        let window = PeakWindow(name: "연말", first: F.day("2025-12-20"), last: F.day("2026-01-05"))
        func history(slowHandedOver: String) -> [DeliveryRecord] {
            F.records(200, transit: 1, delivered: "2025-11-30") + Array(repeating: DeliveryRecord(
                warehouse: "ICN-1", lane: F.lane, handedOver: F.day(slowHandedOver),
                delivered: F.day(slowHandedOver).adding(days: 6), handlingDays: 1, transitDays: 4), count: 25)
        }
        let december = TransitModel.fit(history(slowHandedOver: "2024-12-23"), on: F.day("2025-12-01"), peakWindows: [window])
        #expect(december.peakExtraDays == ["연말": 3])
        let january = TransitModel.fit(history(slowHandedOver: "2025-01-02"), on: F.day("2025-12-01"), peakWindows: [window])
        #expect(january.peakExtraDays == ["연말": 3])
    }

    @Test func distributionHelpers() {
        let d = DayDistribution(pmf: [0, 0.6, 0.3, 0.1], deliveries: 10, level: .lane)
        #expect(d.quantile(0.05) == 1 && d.quantile(0.6) == 1 && d.quantile(0.61) == 2 && d.quantile(1) == 3)
        #expect(d.cumulative(through: -1) == 0 && abs(d.cumulative(through: 2) - 0.9) < 1e-12)
        #expect(d.shifted(by: 2).pmf == [0, 0, 0, 0.6, 0.3, 0.1])
        #expect(d.shifted(by: 0) == d)
        // Given more than 1 day: 2 days with 3/4, 3 days with 1/4 (index 1 = one more day).
        let rest = d.remaining(after: 1)
        #expect(rest.pmf.count == 3 && rest.pmf[0] == 0 && abs(rest.pmf[1] - 0.75) < 1e-12 && abs(rest.pmf[2] - 0.25) < 1e-12)
        // Beyond all history: a 30% chance each further day, summing to one.
        let tail = d.remaining(after: 3)
        #expect(tail.pmf[0] == 0)
        #expect(zip(tail.pmf.dropFirst().prefix(3), [0.3, 0.21, 0.147]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(abs(tail.pmf.reduce(0, +) - 1) < 1e-12)
    }
}
