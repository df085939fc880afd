import Foundation
import SQLKit
import Vapor
import WaybillCore

/// An order's delivery promise as the API shows it: what was promised at order time (never changed)
/// and the latest re-prediction from where the parcels are.
struct OrderPromiseDTO: Codable, Sendable {
    struct Reason: Codable, Sendable {
        var code: String
        var day: String?
        var text: String
    }
    struct Prediction: Codable, Sendable {
        var expected: String?
        var probabilityOnTime: Double
        var atRisk: Bool
        var predictedAt: Date
    }
    var carrier: String
    var service: String
    var warehouse: String
    var earliest: String
    var mostLikely: String
    var latest: String
    var target: Double
    var confidence: Double
    var madeAt: Date
    var reasons: [Reason]
    var prediction: Prediction?
    var deliveredOn: String?
}

/// The promise an order is given at intake, in the order's language.
struct MadePromise: Sendable {
    var promise: DeliveryPromise
    var carrier: String
    var service: String
    var warehouse: String
    var locale: String

    func dto(madeAt: Date) -> OrderPromiseDTO {
        OrderPromiseDTO(
            carrier: carrier, service: service, warehouse: warehouse, earliest: promise.earliest.iso,
            mostLikely: promise.mostLikely.iso, latest: promise.latest.iso, target: promise.target,
            confidence: (promise.confidence * 1000).rounded() / 1000, madeAt: madeAt,
            reasons: promise.reasons.map { .init(code: $0.code.rawValue, day: $0.day?.iso, text: $0.text(locale: locale)) })
    }

    /// The `order_promises` row.
    func row(orderID: UUID, shopID: UUID, madeAt: Date) throws -> [any Encodable & Sendable] {
        let reasons = String(decoding: try JSONCoding.encoder.encode(dto(madeAt: madeAt).reasons), as: UTF8.self)
        return [orderID, shopID, madeAt, carrier, service, warehouse, promise.earliest.iso, promise.mostLikely.iso,
                promise.latest.iso, promise.handlingStarts.iso, promise.target, promise.confidence, reasons]
    }

    static let columns = ["order_id", "shop_id", "made_at", "carrier", "service", "warehouse", "earliest", "most_likely",
                          "latest", "handling_starts", "target", "confidence", "reasons"]
}

extension PromiseService {
    /// The promise for an order about to be written: from the warehouses its stock was allocated to (the
    /// latest of them for a split order), with the chosen or the shop's usual carrier service.
    func promise(destination: Address, shipping: CreateOrderRequest.ShippingChoice?, locations: [UUID],
                 shopID: UUID, locale: String, at placedAt: Date) async throws -> MadePromise? {
        let shop = try await loaded(shopID: shopID)
        let sites = shop.sites
        guard !sites.isEmpty else { return nil }
        let engine = shop.engine
        let calendars = ShopCalendars(settings: shop.settings, version: shop.version)
        let country = destination.country.uppercased()
        let region = PromiseRegion.of(country: country, region: destination.region, postalCode: destination.postalCode)
        let option = shipping.map { ($0.carrier, $0.service ?? "standard") }
            ?? engine.model.busiestService(to: region) ?? ("any", "standard")
        var used = Array(Set(locations)).compactMap { sites[$0] }
        if used.isEmpty {
            used = [sites.values.sorted { ($0.country != country ? 1 : 0, $0.code) < ($1.country != country ? 1 : 0, $1.code) }[0]]
        }
        let delivery = try calendars.delivery(country: country, carrier: option.0)
        var chosen: (DeliveryPromise, String)?
        for site in used {
            let promise = engine.quote(PromiseRequest(
                orderedAt: placedAt, warehouse: site.schedule,
                lane: LaneKey(carrier: option.0, service: option.1, destination: region, origin: site.schedule.region),
                delivery: delivery, peakWindows: shop.settings.peakWindows, target: shop.settings.target))
            if chosen.map({ promise.latest > $0.0.latest }) ?? true { chosen = (promise, site.code) }
        }
        guard let (promise, warehouse) = chosen else { return nil }
        return MadePromise(promise: promise, carrier: option.0, service: option.1, warehouse: warehouse, locale: locale)
    }

    static let columnNames = ["carrier", "service", "warehouse", "earliest", "most_likely", "latest", "target", "confidence", "reasons",
                              "made_at", "expected", "probability_on_time", "predicted_at", "at_risk", "delivered_on"]

    /// The columns `dto(_:)` reads.
    static let columns = columns(prefix: "", as: "")

    /// The columns, qualified by `prefix` (a table alias) and renamed with `alias` in front.
    static func columns(prefix: String, as alias: String) -> SQLQueryString {
        let list = columnNames.map { alias.isEmpty ? prefix + $0 : "\(prefix)\($0) AS \(alias)\($0)" }.joined(separator: ", ")
        return "\(unsafeRaw: list)"
    }

    static func dto(_ row: any SQLRow, prefix: String = "") throws -> OrderPromiseDTO {
        func column(_ name: String) -> String { prefix + name }
        let reasons = try JSONCoding.decoder.decode([OrderPromiseDTO.Reason].self, from: Data(try row.decode(column: column("reasons"), as: String.self).utf8))
        var prediction: OrderPromiseDTO.Prediction?
        if let at = try row.decode(column: column("predicted_at"), as: Date?.self),
           let p = try row.decode(column: column("probability_on_time"), as: Double?.self) {
            prediction = .init(expected: try row.decode(column: column("expected"), as: String?.self), probabilityOnTime: p,
                               atRisk: try row.decode(column: column("at_risk"), as: Bool.self), predictedAt: at)
        }
        return OrderPromiseDTO(
            carrier: try row.decode(column: column("carrier"), as: String.self), service: try row.decode(column: column("service"), as: String.self),
            warehouse: try row.decode(column: column("warehouse"), as: String.self), earliest: try row.decode(column: column("earliest"), as: String.self),
            mostLikely: try row.decode(column: column("most_likely"), as: String.self), latest: try row.decode(column: column("latest"), as: String.self),
            target: try row.decode(column: column("target"), as: Double.self), confidence: try row.decode(column: column("confidence"), as: Double.self),
            madeAt: try row.decode(column: column("made_at"), as: Date.self), reasons: reasons, prediction: prediction,
            deliveredOn: try row.decode(column: column("delivered_on"), as: String?.self))
    }
}
