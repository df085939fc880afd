import Fluent
import Foundation
import SQLKit
import Vapor
import WaybillCore

/// Shipments (F5): some or all of an order's lines, from one stock location, with one carrier. Packed
/// first; handing the parcel to the carrier consumes the reservation in the stock ledger and moves the
/// order to partially fulfilled or fulfilled. Every change holds the order's row lock and appends facts.
struct ShipmentService {
    let application: Application
    let db: any Database
    var clock: WaybillClock? = nil

    var now: Date { (clock ?? application.dependencies.clock).now() }
    var sql: any SQLDatabase { db as! any SQLDatabase }
    /// The built-in carriers and the shop's own.
    func registry(shopID: UUID) async throws -> CarrierRegistry {
        try await ShopCarriers.registry(shopID: shopID, sql: sql, logger: application.logger)
    }

    /// A shipment row with what the services need.
    struct Row: Sendable {
        var id: UUID
        var orderID: UUID
        var number: String
        var locationID: UUID
        var carrier: String
        var state: String
        var trackingStatus: String
        var trackingNumber: String? = nil
        var shopID: UUID? = nil
    }

    /// Creates a shipment; with an idempotency key, a repeat of the same request answers the first
    /// shipment again and creates nothing.
    func create(orderReference: String, _ r: CreateShipmentRequest, shopID: UUID, actor: Actor,
                idempotency: (key: String, hash: String)? = nil) async throws -> (ShipmentDTO, replayed: Bool) {
        if let idempotency, let answer = try await Idempotency(sql: sql).answer(shopID: shopID, key: idempotency.key, requestHash: idempotency.hash) {
            return (try JSONCoding.decoder.decode(ShipmentDTO.self, from: answer.body), true)
        }
        do {
            return (try await create(orderReference: orderReference, r, shopID: shopID, actor: actor, recording: idempotency), false)
        } catch {
            guard let idempotency else { throw error }
            let answer = try await Idempotency(sql: sql).answer(after: error, shopID: shopID, key: idempotency.key, requestHash: idempotency.hash)
            return (try JSONCoding.decoder.decode(ShipmentDTO.self, from: answer.body), true)
        }
    }

    private func create(orderReference: String, _ r: CreateShipmentRequest, shopID: UUID, actor: Actor,
                        recording idempotency: (key: String, hash: String)?) async throws -> ShipmentDTO {
        let order = try await OrderQueries(db: db).find(shopID: shopID, reference: orderReference)
        let orderID = try order.requireID()
        var issues = IssueList()
        let (carrier, given) = resolveCarrier(r, registry: try await registry(shopID: shopID), issues: &issues)
        // The sandbox issues its label at once, like a carrier API would; its parcel's story starts now.
        let trackingNumber = carrier == .sandbox && given == nil
            ? SandboxCarrier.number(handedOverAt: now, serial: Int.random(in: 0..<10_000)) : given
        if let service = r.service, service.count > 100 { issues.add("service", "too_long", "service must be at most 100 characters") }
        for (i, p) in (r.packages ?? []).enumerated() {
            for (name, value) in [("weight_grams", p.weightGrams), ("length_mm", p.lengthMm), ("width_mm", p.widthMm), ("height_mm", p.heightMm)] {
                if let value, !(1...10_000_000).contains(value) { issues.add("packages[\(i)].\(name)", "out_of_range", "\(name) must be 1–10,000,000") }
            }
        }
        if (r.packages ?? []).count > 100 { issues.add("packages", "too_many", "at most 100 packages") }
        guard issues.isEmpty, let carrier else { throw ValidationFailure(issues.issues) }
        let time = now
        let ids = application.dependencies.ids
        return try await application.write { db in
            let service = ShipmentService(application: application, db: db, clock: clock)
            let sql = db as! any SQLDatabase
            try await OrderService.lock(orderID, on: sql)
            guard let order = try await Order.query(on: db).filter(\.$id == orderID).with(\.$lines).first() else { throw APIError.notFound("order") }
            guard OrderStateMachine.canApply(.fulfilPartially, to: order.status) else {
                throw APIError(.conflict, "order_not_shippable", "an order that is \(order.status.rawValue) cannot be shipped")
            }
            let open = try await service.unshipped(order)
            var issues = IssueList()
            var lines: [(sku: String, variantID: UUID, quantity: Int64)] = []
            if let requested = r.lines {
                if requested.isEmpty { issues.add("lines", "required", "give at least one line, or leave lines out to ship everything left") }
                var seen: Set<String> = []
                for (i, line) in requested.enumerated() {
                    if !seen.insert(line.sku).inserted { issues.add("lines[\(i)].sku", "duplicate_sku", "\(line.sku.prefix(64)) appears twice"); continue }
                    guard let left = open[line.sku] else {
                        issues.add("lines[\(i)].sku", "not_on_order", "\(line.sku.prefix(64)) is not on order #\(order.number)"); continue
                    }
                    if line.quantity <= 0 { issues.add("lines[\(i)].quantity", "must_be_positive", "quantity must be a positive whole number") }
                    else if line.quantity > left.quantity {
                        issues.add("lines[\(i)].quantity", "exceeds_unshipped", "only \(left.quantity) of \(line.sku.prefix(64)) are left to ship")
                    } else { lines.append((line.sku, left.variantID, line.quantity)) }
                }
            } else {
                lines = open.filter { $0.value.quantity > 0 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value.variantID, $0.value.quantity) }
                if lines.isEmpty { issues.add("lines", "nothing_to_ship", "every line of order #\(order.number) is already in a shipment") }
            }
            guard issues.isEmpty else { throw ValidationFailure(issues.issues) }
            let locationID = try await service.location(for: lines, orderID: orderID, shopID: shopID, code: r.location)
            let count = try await sql.raw("SELECT COUNT(*) AS n FROM shipments WHERE order_id = \(bind: orderID)").first()?.decode(column: "n", as: Int64.self) ?? 0
            let number = "\(order.number)-\(count + 1)"
            let id = ids.next()
            let packages = String(decoding: try JSONCoding.encoder.encode(r.packages ?? []), as: UTF8.self)
            try await sql.raw(SQLRows.insert(into: "shipments", [
                "id", "shop_id", "order_id", "number", "location_id", "carrier", "service", "tracking_number", "state", "tracking_status",
                "packages", "created_at", "updated_at", "next_check_at",
            ], [[id, shopID, orderID, number, locationID, carrier.rawValue, r.service, trackingNumber, "packed", TrackingStatus.pending.rawValue,
                 packages, time, time, trackingNumber == nil ? nil : time]])).run()
            try await sql.raw(SQLRows.insert(into: "shipment_lines", ["id", "shipment_id", "variant_id", "sku", "quantity"],
                                             lines.map { [ids.next(), id, $0.variantID, $0.sku, $0.quantity] })).run()
            try await Timeline(db: db, newID: ids.next).append(shopID: shopID, orderID: orderID, [
                (.shipmentCreated, ShipmentFact(number: number, carrier: carrier.rawValue, trackingNumber: trackingNumber,
                                                lines: lines.map { .init(sku: $0.sku, quantity: $0.quantity) })),
            ], actor: actor, at: time)
            if r.handedOver == true {
                try await service.handOver(Row(id: id, orderID: orderID, number: number, locationID: locationID, carrier: carrier.rawValue,
                                               state: "packed", trackingStatus: TrackingStatus.pending.rawValue),
                                           shopID: shopID, actor: actor, at: time)
            }
            let dto = try await service.find(shopID: shopID, number: number, events: false)
            if let idempotency {
                try await Idempotency(sql: sql).record(id: ids.next(), shopID: shopID, key: idempotency.key, requestHash: idempotency.hash,
                                                       status: .created, body: try JSONCoding.encoder.encode(dto), at: time)
            }
            return dto
        }
    }

    /// The carrier from the request, or detected from the tracking number; the number normalised and
    /// checked against the carrier's formats.
    func resolveCarrier(_ r: CreateShipmentRequest, registry: CarrierRegistry, issues: inout IssueList) -> (CarrierCode?, String?) {
        var number: String? = nil
        if let raw = r.trackingNumber {
            number = TrackingNumberNormalizer.normalize(raw)
            if number == nil || number!.count > 40 {
                issues.add("tracking_number", "invalid_format", "tracking_number must be 1–40 letters and digits")
                number = nil
            }
        }
        let matches = number.map { registry.detector.detect($0) } ?? []
        guard let code = r.carrier else {
            guard let best = matches.first else {
                issues.add("carrier", "required", number == nil ? "give carrier or a tracking_number to detect it from"
                                                                  : "no known carrier issues numbers like this one: give carrier")
                return (nil, number)
            }
            return (best.carrier, number)
        }
        let carrier = CarrierCode(code)
        guard let definition = registry.carrier(carrier) else {
            issues.add("carrier", "unknown_carrier", "unknown carrier '\(code.prefix(40))'; known: \(registry.carriers.map(\.code.rawValue).joined(separator: ", "))")
            return (nil, number)
        }
        if let number, !definition.numberPatterns.isEmpty, !matches.contains(where: { $0.carrier == carrier }) {
            let likely = matches.prefix(3).map(\.carrier.rawValue).joined(separator: ", ")
            issues.add("tracking_number", "invalid_for_carrier",
                       "\(number) is not a valid \(definition.nameEn) number" + (likely.isEmpty ? "" : " (it looks like: \(likely))"))
        }
        return (carrier, number)
    }

    /// Units of each SKU on the order not yet in any shipment.
    func unshipped(_ order: Order) async throws -> [String: (variantID: UUID, quantity: Int64)] {
        var open: [String: (variantID: UUID, quantity: Int64)] = [:]
        for line in order.lines { open[line.sku, default: (line.variantID, 0)].quantity += line.quantity }
        for row in try await sql.raw("""
            SELECT sl.sku, CAST(SUM(sl.quantity) AS BIGINT) AS shipped FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id
            WHERE s.order_id = \(bind: try order.requireID()) GROUP BY sl.sku
            """).all() {
            let sku = try row.decode(column: "sku", as: String.self)
            open[sku]?.quantity -= try row.decode(column: "shipped", as: Int64.self)
        }
        return open
    }

    /// The location to ship from: the one named, else the one holding the lines' reservations.
    func location(for lines: [(sku: String, variantID: UUID, quantity: Int64)], orderID: UUID, shopID: UUID, code: String?) async throws -> UUID {
        if let code {
            guard let row = try await sql.raw("SELECT id FROM stock_locations WHERE shop_id = \(bind: shopID) AND code = \(bind: code)").first() else {
                throw APIError.invalid("location", "unknown_location", "no stock location '\(code.prefix(40))'")
            }
            return try row.decode(column: "id", as: UUID.self)
        }
        let skus = lines.map(\.sku)
        let rows = try await sql.raw("""
            SELECT DISTINCT a.location_id, l.code FROM order_allocations a JOIN stock_locations l ON l.id = a.location_id
            WHERE a.order_id = \(bind: orderID) AND a.state = 'reserved' AND a.sku IN (\(binds: skus))
            """).all()
        if rows.count > 1 {
            let codes = try rows.map { try $0.decode(column: "code", as: String.self) }.sorted().joined(separator: " and ")
            throw APIError.invalid("location", "required", "these lines are reserved at \(codes): give location, one shipment per location")
        }
        if let row = rows.first { return try row.decode(column: "location_id", as: UUID.self) }
        // Nothing reserved (SKUs that do not track inventory): the shop's first location.
        guard let first = try await sql.raw("SELECT id FROM stock_locations WHERE shop_id = \(bind: shopID) ORDER BY code LIMIT 1").first() else {
            throw APIError.invalid("location", "required", "the shop has no stock location to ship from")
        }
        return try first.decode(column: "id", as: UUID.self)
    }

    struct ShipmentFact: Codable, Sendable {
        struct Line: Codable, Sendable {
            var sku: String
            var quantity: Int64
        }
        var number: String
        var carrier: String?
        var trackingNumber: String?
        var lines: [Line]
    }
}
