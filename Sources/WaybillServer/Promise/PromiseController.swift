import Foundation
import SQLKit
import Vapor
import WaybillCore

/// `POST /api/v1/promises/quote`: the delivery promise per shipping option for a cart, for a checkout
/// page to call on every change. Reads stock (where the items are, or when a purchase order brings
/// them) and the shop's fitted transit model; writes nothing.
struct PromiseController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("promises").post("quote", use: quote)
    }

    struct QuoteRequest: Decodable {
        struct Destination: Decodable {
            var country: String?
            var region: String?
            var postalCode: String?
        }
        struct Item: Decodable {
            var sku: String?
            var quantity: Int64?
        }
        struct Option: Decodable {
            var carrier: String?
            var service: String?
        }
        var destination: Destination?
        var items: [Item]?
        var options: [Option]?
        var orderedAt: Date?
        var target: Double?
        var locale: String?
    }

    struct QuoteResponse: Encodable {
        struct Reason: Encodable {
            var code: String
            var text: String
            var day: String?
        }
        struct Quote: Encodable {
            var carrier: String
            var service: String
            var warehouses: [String]
            var earliest: String
            var mostLikely: String
            var latest: String
            var target: Double
            var confidence: Double
            var basis: String
            var laneDeliveries: Int
            var readyOn: String?
            var reasons: [Reason]
        }
        var data: [Quote]
        var modelFittedAt: Date?
    }

    func quote(req: Request) async throws -> Response {
        let principal = try req.principal(.catalogRead)
        let body = try req.decodeJSON(QuoteRequest.self)
        var valid = try Self.validate(body)
        let service = PromiseService(application: req.application)
        let shop = try await service.loaded(shopID: principal.shopID)
        let (engine, fittedAt) = (shop.engine, shop.fittedAt)
        let calendars = ShopCalendars(settings: shop.settings, version: shop.version)
        if body.target == nil { valid.target = shop.settings.target }
        let plan = try await Self.plan(valid, shopID: principal.shopID, application: req.application, service: service)
        let locale = body.locale ?? (req.headers.first(name: .acceptLanguage)?.lowercased().hasPrefix("ko") == true ? "ko" : "en")
        // A promise is about now or later: a quote for a past moment would promise days already gone.
        if let at = body.orderedAt, at < req.now.addingTimeInterval(-300) {
            throw APIError.invalid("ordered_at", "in_the_past", "ordered_at must be now or later (leave it out for now)")
        }
        let orderedAt = body.orderedAt ?? req.now
        var quotes: [QuoteResponse.Quote] = []
        for option in valid.options {
            let delivery = try calendars.delivery(country: valid.country, carrier: option.carrier)
            // A split order arrives when its last parcel does: the latest promise among its warehouses.
            var chosen: DeliveryPromise?
            for site in plan.sites {
                let promise = engine.quote(PromiseRequest(
                    orderedAt: orderedAt, warehouse: site.schedule,
                    lane: LaneKey(carrier: option.carrier, service: option.service, destination: valid.region, origin: site.schedule.region),
                    delivery: delivery, readyOn: plan.readyOn, peakWindows: shop.settings.peakWindows, target: valid.target))
                if chosen.map({ promise.latest > $0.latest }) ?? true { chosen = promise }
            }
            guard let promise = chosen else { continue }
            quotes.append(.init(
                carrier: option.carrier, service: option.service, warehouses: plan.sites.map(\.code),
                earliest: promise.earliest.iso, mostLikely: promise.mostLikely.iso, latest: promise.latest.iso,
                target: promise.target, confidence: (promise.confidence * 1000).rounded() / 1000,
                basis: promise.basis.rawValue, laneDeliveries: promise.laneDeliveries, readyOn: plan.readyOn?.iso,
                reasons: promise.reasons.map { .init(code: $0.code.rawValue, text: $0.text(locale: locale), day: $0.day?.iso) }))
        }
        return try .json(QuoteResponse(data: quotes, modelFittedAt: fittedAt))
    }

    struct ValidQuote {
        var country: String
        var region: String
        var address: Address
        var items: [Demand]
        var options: [(carrier: String, service: String)]
        var target: Double
    }

    static func validate(_ body: QuoteRequest) throws -> ValidQuote {
        var issues = IssueList()
        let country = (body.destination?.country ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        if body.destination == nil {
            issues.add("destination", "required", "destination is required")
        } else if !CountryCode.isValid(country) {
            issues.add("destination.country", "unknown_country", "country must be an ISO 3166-1 alpha-2 code such as KR or US")
        }
        var postal = body.destination?.postalCode
        if CountryCode.isValid(country), let code = postal, !code.isEmpty {
            switch PostalCodeRule.check(code, country: country) {
            case .valid(let normalized): postal = normalized
            case .invalid(let format): issues.add("destination.postal_code", "invalid_postal_code", "a \(country) postal code looks like \(format)")
            case .noPostalCodes: postal = nil
            case .unknownCountry: break
            }
        }
        if let region = body.destination?.region, region.count > 100 {
            issues.add("destination.region", "too_long", "region must be at most 100 characters")
        }
        let items = body.items ?? []
        if items.isEmpty { issues.add("items", "empty_cart", "items must list at least one SKU and quantity") }
        if items.count > 200 { issues.add("items", "too_many", "a quote takes at most 200 items") }
        var demand: [String: Int64] = [:]
        for (i, item) in items.prefix(200).enumerated() {
            let sku = (item.sku ?? "").trimmingCharacters(in: .whitespaces)
            if sku.isEmpty || sku.count > 64 { issues.add("items[\(i)].sku", "invalid_sku", "sku must be 1 to 64 characters") }
            guard let quantity = item.quantity, (1...100_000).contains(quantity) else {
                issues.add("items[\(i)].quantity", "invalid_quantity", "quantity must be a whole number from 1 to 100,000")
                continue
            }
            demand[sku, default: 0] += quantity
        }
        let options = body.options ?? [QuoteRequest.Option(carrier: "cj", service: "standard")]
        if options.isEmpty || options.count > 10 { issues.add("options", "invalid_count", "options must list 1 to 10 carrier services") }
        var valid: [(String, String)] = []
        for (i, option) in options.prefix(10).enumerated() {
            let carrier = (option.carrier ?? "").lowercased()
            let service = (option.service ?? "standard").lowercased()
            if !CodeText.isCode(carrier) { issues.add("options[\(i)].carrier", "invalid_carrier", "carrier must be a carrier code such as cj or ups") }
            if !CodeText.isCode(service) { issues.add("options[\(i)].service", "invalid_service", "service must be 1 to 40 letters, digits, - or _") }
            valid.append((carrier, service))
        }
        let target = body.target ?? 0.95
        if !(0.5...0.999).contains(target) { issues.add("target", "out_of_range", "target must be from 0.5 to 0.999") }
        if !issues.isEmpty { throw ValidationFailure(issues.issues) }
        let region = PromiseRegion.of(country: country, region: body.destination?.region, postalCode: postal)
        let address = Address(name: "-", line1: "-", city: "-", region: body.destination?.region, postalCode: postal, country: country)
        return ValidQuote(country: country, region: region, address: address,
                          items: demand.sorted { $0.key < $1.key }.map { Demand(sku: $0.key, quantity: $0.value) },
                          options: valid, target: target)
    }

    struct StockPlan {
        var sites: [WarehouseSite]
        var readyOn: LocalDay?
    }

    /// The warehouses the cart would ship from (the allocation intake would make), or — when stock is
    /// short — the purchase order that brings it and the day it is expected.
    static func plan(_ quote: ValidQuote, shopID: UUID, application: Application, service: PromiseService) async throws -> StockPlan {
        let sql = service.sql
        let stock = try await QuoteStock.read(skus: quote.items.map(\.sku), shopID: shopID, application: application, sql: sql)
        let found = Set(stock.keys)
        let tracked = Set(stock.filter(\.value.tracked).keys)
        var available: [UUID: [String: Int64]] = [:]
        for (sku, level) in stock {
            for (location, count) in level.available { available[location, default: [:]][sku] = count }
        }
        let policy = stock.values.first?.policy ?? InventoryPolicy()
        var issues = IssueList()
        for (i, item) in quote.items.enumerated() where !found.contains(item.sku) {
            issues.add("items[\(i)].sku", "unknown_sku", "no product has SKU '\(item.sku.prefix(64))'")
        }
        if !issues.isEmpty { throw ValidationFailure(issues.issues) }
        let sites = try await service.loaded(shopID: shopID).sites
        guard !sites.isEmpty else { throw APIError(.conflict, "no_warehouse", "the shop has no warehouse to ship from") }
        func ranked() -> [WarehouseSite] {
            sites.values.sorted { ($0.country != quote.country ? 1 : 0, $0.code) < ($1.country != quote.country ? 1 : 0, $1.code) }
        }
        let demand = quote.items.filter { tracked.contains($0.sku) }
        if demand.isEmpty { return StockPlan(sites: [ranked()[0]]) }
        let locations = sites.values.map {
            LocationStock(locationID: $0.locationID, warehouseCode: $0.code, country: $0.country, region: $0.region,
                          available: available[$0.locationID] ?? [:])
        }
        switch AllocationPlanner.plan(demand, stock: locations, destination: quote.address, policy: policy) {
        case .allocated(let allocations):
            let used = Set(allocations.map(\.locationID))
            return StockPlan(sites: ranked().filter { used.contains($0.locationID) })
        case .short(let shortfalls):
            // The earliest open purchase order that covers each missing quantity at one location.
            var readyOn: LocalDay?
            var best: WarehouseSite?
            for short in shortfalls {
                let rows = try await sql.raw("""
                    SELECT po.location_id, po.expected_at, pl.ordered - pl.received AS outstanding
                    FROM purchase_order_lines pl JOIN purchase_orders po ON po.id = pl.purchase_order_id
                    WHERE po.shop_id = \(bind: shopID) AND po.status <> 'received' AND pl.sku = \(bind: short.sku)
                    ORDER BY po.expected_at
                    """).all()
                var covered = false
                for row in rows {
                    let site = sites[try row.decode(column: "location_id", as: UUID.self)]
                    let have = locations.first { $0.locationID == site?.locationID }?.available[short.sku] ?? 0
                    guard let site, try row.decode(column: "outstanding", as: Int64.self) + max(have, 0) >= short.requested else { continue }
                    let day = LocalDay(max(try row.decode(column: "expected_at", as: Date.self), service.now), in: site.schedule.timeZone)
                    readyOn = max(readyOn ?? day, day)
                    best = best ?? site
                    covered = true
                    break
                }
                if !covered {
                    let index = quote.items.firstIndex { $0.sku == short.sku } ?? 0
                    issues.add("items[\(index)].quantity", "out_of_stock",
                               "\(short.sku): \(short.requested) requested, \(max(short.available, 0)) available and none on order")
                }
            }
            if !issues.isEmpty { throw ValidationFailure(issues.issues) }
            return StockPlan(sites: [best ?? ranked()[0]], readyOn: readyOn)
        }
    }
}
