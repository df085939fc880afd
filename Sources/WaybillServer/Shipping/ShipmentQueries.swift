import Foundation
import SQLKit
import WaybillCore

extension ShipmentService {
    static let columns: SQLQueryString = """
        s.id, s.number, o.number AS order_number, s.state, s.tracking_status, s.tracking_substatus, s.carrier, s.service,
        s.tracking_number, l.code AS location, s.packages, s.created_at, s.handed_over_at, s.delivered_at, s.last_scan_at, s.last_checked_at,
        s.order_id
        FROM shipments s JOIN orders o ON o.id = s.order_id JOIN stock_locations l ON l.id = s.location_id
        """

    func find(shopID: UUID, number: String, events: Bool) async throws -> ShipmentDTO {
        guard let row = try await sql.raw("SELECT " + Self.columns + " WHERE s.shop_id = \(bind: shopID) AND s.number = \(bind: number)").first() else {
            throw APIError.notFound("shipment '\(number.prefix(40))'")
        }
        var dto = try await dtos([row], registry: try await registry(shopID: shopID)).first!
        if events { dto.events = try await self.events(shipmentID: try row.decode(column: "id", as: UUID.self)) }
        return dto
    }

    /// Newest first; `status` filters by tracking status (`stalled`, `exception`, …) or state (`packed`).
    func list(shopID: UUID, status: String?, order: UUID?, limit: Int) async throws -> [ShipmentDTO] {
        var query: SQLQueryString = "SELECT " + Self.columns + " WHERE s.shop_id = \(bind: shopID)"
        if let status {
            query += status == "packed" || status == "handed_over" ? " AND s.state = \(bind: status)" : " AND s.tracking_status = \(bind: status)"
        }
        if let order { query += " AND s.order_id = \(bind: order)" }
        return try await dtos(try await sql.raw(query + " ORDER BY s.created_at DESC, s.number LIMIT \(literal: limit)").all(),
                              registry: try await registry(shopID: shopID))
    }

    func events(shipmentID: UUID) async throws -> [ShipmentDTO.Event] {
        try await sql.raw("""
            SELECT status, substatus, raw_code, raw_text, location, occurred_at, utc_offset_seconds, source, received_at
            FROM tracking_events WHERE shipment_id = \(bind: shipmentID) ORDER BY occurred_at, arrival_seq
            """).all(decoding: ShipmentDTO.Event.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    private func dtos(_ rows: [any SQLRow], registry: CarrierRegistry) async throws -> [ShipmentDTO] {
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.decode(column: "id", as: UUID.self) }
        var lines: [UUID: [ShipmentDTO.Line]] = [:]
        for row in try await sql.raw("SELECT shipment_id, sku, quantity FROM shipment_lines WHERE shipment_id IN (\(binds: ids)) ORDER BY sku").all() {
            lines[try row.decode(column: "shipment_id", as: UUID.self), default: []].append(
                .init(sku: try row.decode(column: "sku", as: String.self), quantity: try row.decode(column: "quantity", as: Int64.self)))
        }
        // The order's promise and its current prediction, shown on each of its shipments.
        var promises: [UUID: OrderPromiseDTO] = [:]
        let orders = Array(Set(try rows.map { try $0.decode(column: "order_id", as: UUID.self) }))
        for row in try await sql.raw("SELECT order_id, " + PromiseService.columns + " FROM order_promises WHERE order_id IN (\(binds: orders))").all() {
            promises[try row.decode(column: "order_id", as: UUID.self)] = try PromiseService.dto(row)
        }
        return try rows.map { row in
            let carrier = try row.decode(column: "carrier", as: String.self)
            let definition = registry.carrier(CarrierCode(carrier))
            let number = try row.decode(column: "tracking_number", as: String?.self)
            return ShipmentDTO(
                number: try row.decode(column: "number", as: String.self), orderNumber: try row.decode(column: "order_number", as: Int64.self),
                state: try row.decode(column: "state", as: String.self), trackingStatus: try row.decode(column: "tracking_status", as: String.self),
                trackingSubstatus: try row.decode(column: "tracking_substatus", as: String?.self), carrier: carrier,
                carrierName: definition?.nameEn, service: try row.decode(column: "service", as: String?.self), trackingNumber: number,
                trackingUrl: number.flatMap { n in definition?.trackingURL(for: n) },
                location: try row.decode(column: "location", as: String.self),
                lines: lines[try row.decode(column: "id", as: UUID.self)] ?? [],
                packages: try JSONCoding.decoder.decode([ShipmentPackage].self, from: Data(try row.decode(column: "packages", as: String.self).utf8)),
                createdAt: try row.decode(column: "created_at", as: Date.self), handedOverAt: try row.decode(column: "handed_over_at", as: Date?.self),
                deliveredAt: try row.decode(column: "delivered_at", as: Date?.self), lastScanAt: try row.decode(column: "last_scan_at", as: Date?.self),
                lastCheckedAt: try row.decode(column: "last_checked_at", as: Date?.self),
                promise: promises[try row.decode(column: "order_id", as: UUID.self)], events: nil)
        }
    }
}
