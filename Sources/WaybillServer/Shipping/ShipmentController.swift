import Foundation
import SQLKit
import Vapor
import WaybillCore

/// `/api/v1/orders/{order}/shipments`, `/api/v1/shipments/…` and `/api/v1/carriers/…` (F5).
struct ShipmentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("orders", ":order", "shipments", use: create)
        routes.get("orders", ":order", "shipments", use: listForOrder)
        let shipments = routes.grouped("shipments")
        shipments.get(use: list)
        shipments.get(":number", use: show)
        shipments.post(":number", "hand-over", use: handOver)
        shipments.put(":number", "tracking", use: setTracking)
        routes.get("carriers", use: carriers)
        routes.get("carriers", "detect", use: detect)
        routes.put("carriers", ":code", use: saveCarrier)
        routes.get("carriers", "unmapped", use: unmapped)
        routes.put("carriers", ":code", "mappings", use: saveMapping)
    }

    func create(req: Request) async throws -> Response {
        let principal = try req.principal(.shipmentsWrite)
        let key = try req.idempotencyKey()
        let body = try req.decodeJSON(CreateShipmentRequest.self)
        let (dto, replayed) = try await ShipmentService(application: req.application, db: req.db).create(
            orderReference: req.parameters.get("order") ?? "", body, shopID: principal.shopID, actor: .api(principal),
            idempotency: key.map { ($0, Idempotency.hash(req.rawBody)) })
        let response = try Response.json(dto, status: .created)
        if replayed { response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true") }
        return response
    }

    static let statuses = Set(TrackingStatus.allCases.map(\.rawValue)).union(["packed", "handed_over"])

    func list(req: Request) async throws -> Response {
        let principal = try req.principal(.shipmentsRead)
        let status = req.query[String.self, at: "status"]
        if let status, !Self.statuses.contains(status) {
            throw APIError.invalid("status", "invalid_value", "status must be one of \(Self.statuses.sorted().joined(separator: ", "))")
        }
        let limit = req.query[Int.self, at: "limit"] ?? 50
        guard (1...500).contains(limit) else { throw APIError.invalid("limit", "out_of_range", "limit must be 1–500") }
        return try .json(["data": try await ShipmentService(application: req.application, db: req.db)
            .list(shopID: principal.shopID, status: status, order: nil, limit: limit)])
    }

    func listForOrder(req: Request) async throws -> Response {
        let principal = try req.principal(.shipmentsRead)
        let order = try await OrderQueries(db: req.db).find(shopID: principal.shopID, reference: req.parameters.get("order") ?? "")
        return try .json(["data": try await ShipmentService(application: req.application, db: req.db)
            .list(shopID: principal.shopID, status: nil, order: try order.requireID(), limit: 500)])
    }

    func show(req: Request) async throws -> Response {
        let principal = try req.principal(.shipmentsRead)
        return try .json(try await ShipmentService(application: req.application, db: req.db)
            .find(shopID: principal.shopID, number: req.parameters.get("number") ?? "", events: true))
    }

    func handOver(req: Request) async throws -> Response {
        let principal = try req.principal(.shipmentsWrite)
        return try .json(try await ShipmentService(application: req.application, db: req.db)
            .handOver(number: req.parameters.get("number") ?? "", shopID: principal.shopID, actor: .api(principal)))
    }

    struct TrackingBody: Decodable, Sendable {
        var carrier: String?
        var trackingNumber: String
    }

    /// Adds (or corrects) the carrier and tracking number of a shipment; orphaned events with that number
    /// are applied at once.
    func setTracking(req: Request) async throws -> Response {
        let principal = try req.principal(.shipmentsWrite)
        let body = try req.decodeJSON(TrackingBody.self)
        let service = ShipmentService(application: req.application, db: req.db)
        return try .json(try await service.setTracking(number: req.parameters.get("number") ?? "", carrier: body.carrier,
                                                       trackingNumber: body.trackingNumber, shopID: principal.shopID, actor: .api(principal)))
    }

    struct CarrierDTO: Codable, Sendable {
        var code: String
        var nameEn: String
        var nameKo: String?
        var country: String
        var trackingUrlTemplate: String
        var builtIn: Bool
    }

    func carriers(req: Request) async throws -> Response {
        let principal = try req.principal(.shipmentsRead)
        let registry = try await ShopCarriers.registry(shopID: principal.shopID, sql: req.db as! any SQLDatabase, logger: req.logger)
        return try .json(["data": registry.carriers.map {
            CarrierDTO(code: $0.code.rawValue, nameEn: $0.nameEn, nameKo: $0.nameKo, country: $0.country, trackingUrlTemplate: $0.trackingURLTemplate,
                       builtIn: CarrierRegistry.builtIn.carrier($0.code) != nil)
        }])
    }

    /// Carrier codes no mapper knows, with how often and on how many shipments they were seen.
    func unmapped(req: Request) async throws -> Response {
        let principal = try req.principal(.shipmentsRead)
        return try .json(["data": try await CarrierCodeMaps.unmapped(shopID: principal.shopID, sql: req.db as! any SQLDatabase)])
    }

    /// Gives a carrier's code a meaning; the events already stored with it are re-read at once.
    func saveMapping(req: Request) async throws -> Response {
        let principal = try req.principal(.shipmentsWrite)
        let code = req.parameters.get("code") ?? ""
        let registry = try await ShopCarriers.registry(shopID: principal.shopID, sql: req.db as! any SQLDatabase, logger: req.logger)
        guard registry.carrier(CarrierCode(code)) != nil else { throw APIError.notFound("carrier '\(code.prefix(40))'") }
        let body = try req.decodeJSON(CarrierCodeMaps.SaveRequest.self)
        return try .json(try await CarrierCodeMaps.save(body, carrier: code, shopID: principal.shopID, application: req.application,
                                                        actor: .api(principal)))
    }

    /// Adds or replaces one of the shop's own carriers (the built-ins cannot be replaced).
    func saveCarrier(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsWrite)
        let code = req.parameters.get("code") ?? ""
        guard CarrierRegistry.builtIn.carrier(CarrierCode(code)) == nil else {
            throw APIError(.conflict, "built_in_carrier", "\(code) is a built-in carrier; choose another code")
        }
        _ = try req.decodeJSON(JSONValue.self)
        var body = Data(buffer: req.body.data ?? ByteBuffer())
        // The code comes from the path; a body without one gets it.
        if var object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            object["code"] = object["code"] ?? code
            body = try JSONSerialization.data(withJSONObject: object)
        }
        let definition: CarrierDefinition
        do { definition = try JSONDecoder().decode(CarrierDefinition.self, from: body) } catch let error as DecodingError {
            throw APIError.fromDecoding(error)
        }
        guard definition.code.rawValue == code else { throw APIError.invalid("code", "mismatch", "the body's code must be \(code)") }
        try await ShopCarriers.save(definition, shopID: principal.shopID, application: req.application)
        return try .json(CarrierDTO(code: definition.code.rawValue, nameEn: definition.nameEn, nameKo: definition.nameKo,
                                    country: definition.country, trackingUrlTemplate: definition.trackingURLTemplate, builtIn: false))
    }

    /// The likely carriers of a tracking number, best first, with whether a check digit proved it.
    func detect(req: Request) async throws -> Response {
        let principal = try req.principal(.shipmentsRead)
        guard let number = req.query[String.self, at: "number"], !number.isEmpty, number.count <= 64 else {
            throw APIError.invalid("number", "required", "give the tracking number as ?number= (at most 64 characters)")
        }
        let country = req.query[String.self, at: "country"]
        if let country, country.count != 2 { throw APIError.invalid("country", "invalid_format", "country must be an ISO 3166-1 alpha-2 code") }
        let registry = try await ShopCarriers.registry(shopID: principal.shopID, sql: req.db as! any SQLDatabase, logger: req.logger)
        return try .json(["data": registry.detector.detect(number, destinationCountry: country?.uppercased())])
    }
}
