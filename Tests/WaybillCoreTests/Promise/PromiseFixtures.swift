import Foundation
@testable import WaybillCore

/// Fixed zones, days, calendars and small hand-made histories for the promise tests.
/// Every expected date in these tests was worked out on a paper calendar (2025-01-27…30 is 설날,
/// 2025-02-04 a Tuesday), never copied from a run.
enum PromiseFixtures {
    static let seoul = TimeZone(identifier: "Asia/Seoul")!
    static let newYork = TimeZone(identifier: "America/New_York")!
    static let utc = TimeZone(identifier: "UTC")!

    static let kr = try! BusinessCalendar.country("KR")
    static let us = try! BusinessCalendar.country("US")
    static let jp = try! BusinessCalendar.country("JP")

    /// Gyeonggi → Seoul with CJ standard: the lane most fixtures use.
    static let lane = LaneKey(carrier: "CJ", service: "std", destination: "Seoul", origin: "Gyeonggi")

    /// A Seoul warehouse shipping the next pick-up day (handling 1) with a 14:00 cut-off.
    static func warehouse(handlingDays: Int = 1, cutoff: Int = 14 * 60, id: String = "ICN-1") -> WarehouseSchedule {
        WarehouseSchedule(id: id, region: "Gyeonggi", timeZone: seoul, cutoffMinutes: cutoff,
                          handlingDays: handlingDays, pickup: kr)
    }

    static func day(_ iso: String) -> LocalDay { LocalDay(iso: iso)! }

    static func instant(_ iso: String) -> Date { try! Date(iso, strategy: .iso8601) }

    /// `"2025-02-04 10:00"` read in Seoul (KST has had no daylight saving since 1988).
    static func kst(_ text: String) -> Date {
        let parts = text.split(separator: " ")
        return instant("\(parts[0])T\(parts[1]):00+09:00")
    }

    /// A delivery with `transit` delivery days. Handed over on the delivery day itself unless told otherwise,
    /// so its recency weight is the same whether a fit dates trips by hand-over or by delivery.
    static func record(_ lane: LaneKey = lane, transit: Int, delivered: String, handling: Int? = nil,
                       warehouse: String = "ICN-1", handedOverDaysBefore: Int = 0) -> DeliveryRecord {
        let deliveredDay = day(delivered)
        return DeliveryRecord(warehouse: warehouse, lane: lane, handedOver: deliveredDay.adding(days: -handedOverDaysBefore),
                              delivered: deliveredDay, handlingDays: handling, transitDays: transit)
    }

    static func records(_ count: Int, _ lane: LaneKey = lane, transit: Int, delivered: String) -> [DeliveryRecord] {
        Array(repeating: record(lane, transit: transit, delivered: delivered), count: count)
    }

    /// 200 deliveries on `lane`, all on the fit day (weight 1): 60% in 1 delivery day, 30% in 2, 10% in 3.
    /// No handling history, so a warehouse's configured handling days are used as they are.
    static let standardModel = TransitModel.fit(
        records(120, transit: 1, delivered: "2025-01-20") + records(60, transit: 2, delivered: "2025-01-20")
            + records(20, transit: 3, delivered: "2025-01-20"),
        on: day("2025-01-20"))

    static func request(_ orderedAt: String, warehouse: WarehouseSchedule = warehouse(), lane: LaneKey = lane,
                        delivery: BusinessCalendar = kr, readyOn: String? = nil, peakWindows: [PeakWindow] = [],
                        target: Double = 0.95) -> PromiseRequest {
        PromiseRequest(orderedAt: kst(orderedAt), warehouse: warehouse, lane: lane, delivery: delivery,
                       readyOn: readyOn.map(day), peakWindows: peakWindows, target: target)
    }
}

/// `../shared/data` next to the project (not copied into it). Found from this file, with symlinks
/// resolved so a scratch package that links the test folder still finds the real project.
enum SharedPromiseData {
    static let projectRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        while url.path != "/" && url.lastPathComponent != "Tests" { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent()
    }()
    static let holidays = projectRoot
        .appendingPathComponent("../shared/data/holidays/public_holidays_KR_US_2024_2027.csv").standardized
    static var holidaysAvailable: Bool { FileManager.default.fileExists(atPath: holidays.path) }
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
}
