import Foundation
import SQLKit
import Vapor
import WaybillCore

/// A shop's promise rules: the on-time target promises are made at, when a promise counts as at risk, the
/// peak windows it knows are slow (with extra days, or left to what history learned), and its own days
/// off on top of the public holidays (a regional holiday, a carrier's 택배 없는 날, a stock-take).
struct PromiseSettings: Codable, Sendable, Equatable {
    struct DayOff: Codable, Sendable, Equatable {
        var country: String
        var date: LocalDay
        var name: String
    }

    var target = 0.95
    var atRiskBelow = 0.5
    var peakWindows: [PeakWindow] = []
    var daysOff: [DayOff] = []

    init() {}

    enum CodingKeys: String, CodingKey { case target, atRiskBelow, peakWindows, daysOff }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        target = try c.decodeIfPresent(Double.self, forKey: .target) ?? 0.95
        atRiskBelow = try c.decodeIfPresent(Double.self, forKey: .atRiskBelow) ?? 0.5
        peakWindows = try c.decodeIfPresent([PeakWindow].self, forKey: .peakWindows) ?? []
        daysOff = try c.decodeIfPresent([DayOff].self, forKey: .daysOff) ?? []
    }

    func validate() throws {
        var issues = IssueList()
        if !(0.5...0.999).contains(target) { issues.add("target", "out_of_range", "target must be from 0.5 to 0.999") }
        if !(0.05...0.95).contains(atRiskBelow) { issues.add("at_risk_below", "out_of_range", "at_risk_below must be from 0.05 to 0.95") }
        if peakWindows.count > 50 { issues.add("peak_windows", "too_many", "at most 50 peak windows") }
        for (i, window) in peakWindows.prefix(50).enumerated() {
            let name = window.name.trimmingCharacters(in: .whitespaces)
            if name.isEmpty || name.count > 60 { issues.add("peak_windows[\(i)].name", "invalid_length", "name must be 1–60 characters") }
            if window.last < window.first || window.first.days(until: window.last) > 120 {
                issues.add("peak_windows[\(i)].last", "invalid_range", "last must be on or after first, at most 120 days later")
            }
            if let extra = window.extraDays, !(0...30).contains(extra) {
                issues.add("peak_windows[\(i)].extra_days", "out_of_range", "extra_days must be 0–30 (or absent to learn it)")
            }
        }
        if Set(peakWindows.map(\.name)).count != peakWindows.count {
            issues.add("peak_windows", "duplicate_name", "each peak window needs its own name")
        }
        if daysOff.count > 2_000 { issues.add("days_off", "too_many", "at most 2,000 days off") }
        for (i, day) in daysOff.prefix(2_000).enumerated() {
            if !CountryCode.isValid(day.country) { issues.add("days_off[\(i)].country", "unknown_country", "country must be an ISO 3166-1 alpha-2 code") }
            if day.name.count > 100 { issues.add("days_off[\(i)].name", "too_long", "name must be at most 100 characters") }
        }
        guard issues.isEmpty else { throw ValidationFailure(issues.issues) }
    }

    /// The shop's own days off in `country`, as calendar holidays.
    func extras(for country: String) -> [LocalDay: Holiday] {
        Dictionary(daysOff.filter { $0.country == country }.map {
            ($0.date, Holiday(day: $0.date, nameLocal: $0.name.isEmpty ? "휴무" : $0.name, nameEnglish: $0.name.isEmpty ? "Day off" : $0.name))
        }, uniquingKeysWith: { a, _ in a })
    }

    static let table = ShopSettingsTable<PromiseSettings>(name: "promise_settings")

    static func load(shopID: UUID, sql: any SQLDatabase) async throws -> (PromiseSettings, version: String) {
        guard let saved = try await table.load(shopID: shopID, sql: sql) else { return (PromiseSettings(), "default") }
        return (saved.settings, "\(shopID)@\(saved.updatedAt.timeIntervalSince1970)")
    }

    static func save(_ settings: PromiseSettings, shopID: UUID, at time: Date, application: Application) async throws {
        try await table.save(settings, shopID: shopID, at: time, application: application)
    }
}

/// The calendars a shop's promises count with: public holidays plus the shop's days off.
struct ShopCalendars: Sendable {
    var settings: PromiseSettings
    var version: String

    func country(_ code: String, closed: Set<Int>) throws -> BusinessCalendar {
        let extra = settings.extras(for: code)
        return try PromiseCalendars.country(code, closed: closed, extra: extra, version: extra.isEmpty ? "" : version)
    }

    /// Days `carrier` delivers in `country`.
    func delivery(country: String, carrier: String) throws -> BusinessCalendar {
        try self.country(country, closed: PromiseRegion.closedWeekdays(carrier: carrier))
    }
}

/// `GET/PUT /api/v1/promises/settings`.
struct PromiseSettingsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let settings = routes.grouped("promises", "settings")
        settings.get(use: show)
        settings.put(use: save)
    }

    func show(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsRead)
        return try .json(try await PromiseSettings.load(shopID: principal.shopID, sql: req.db as! any SQLDatabase).0)
    }

    func save(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsWrite)
        let settings = try req.decodeJSON(PromiseSettings.self)
        try settings.validate()
        try await PromiseSettings.save(settings, shopID: principal.shopID, at: req.now, application: req.application)
        req.application.promiseModels.forget(principal.shopID)
        return try .json(settings)
    }
}
