import Foundation
import SQLKit
import Vapor
import WaybillCore

/// `/console/shipments` (by status, and what needs attention: exceptions, stalls, failed attempts, carrier
/// codes nobody has mapped), one shipment with its normalised and raw events, and `/console/inbox` with the
/// messages that failed or wait for a shipment, and replay.
struct ConsoleShipmentsController {
    struct Row: Encodable {
        var number: String
        var order: Int64
        var carrier: String
        var trackingNumber: String
        var trackingUrl: String
        var status: String
        var state: String
        var lastScan: String
        var lastChecked: String
        var attention: Bool
    }

    struct ListContext: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title = "Shipments"
        var filter: String
        var q: String
        var filters: [String]
        var rows: [Row]
        var unmapped: [UnmappedRow]
        var statuses: [String]
        var notice: String
    }

    struct UnmappedRow: Encodable {
        var carrier: String
        var key: String
        var text: String
        var events: Int
        var shipments: Int
    }

    static let attention = ["exception", "stalled", "failed_attempt", "unknown"]

    func list(req: Request) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let shopID = try shop.requireID()
        let filter = req.query[String.self, at: "status"] ?? "attention"
        let q = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        var query: SQLQueryString = """
            SELECT s.number, o.number AS order_number, s.carrier, s.tracking_number, s.tracking_status, s.state, s.last_scan_at, s.last_checked_at,
            EXISTS (SELECT 1 FROM tracking_events e WHERE e.shipment_id = s.id AND e.status = 'unknown') AS has_unknown
            FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.shop_id = \(bind: shopID)
            """
        if !q.isEmpty {
            let number = TrackingNumberNormalizer.normalize(q) ?? q
            query += " AND (s.tracking_number = \(bind: number) OR s.number = \(bind: q))"
        } else if filter == "attention" {
            query += """
                 AND (s.tracking_status IN ('exception', 'stalled', 'failed_attempt')
                 OR EXISTS (SELECT 1 FROM tracking_events e WHERE e.shipment_id = s.id AND e.status = 'unknown'))
                """
        } else if filter != "all" {
            query += " AND s.tracking_status = \(bind: filter)"
        }
        let registry = try await ShopCarriers.registry(shopID: shopID, sql: req.db as! any SQLDatabase, logger: req.logger)
        let rows = try await (req.db as! any SQLDatabase).raw(query + " ORDER BY s.updated_at DESC LIMIT 300").all().map { row in
            let carrier = try row.decode(column: "carrier", as: String.self)
            let number = try row.decode(column: "tracking_number", as: String?.self) ?? ""
            let status = try row.decode(column: "tracking_status", as: String.self)
            let unknown = try row.decode(column: "has_unknown", as: Bool.self)
            return Row(number: try row.decode(column: "number", as: String.self), order: try row.decode(column: "order_number", as: Int64.self),
                       carrier: registry.carrier(CarrierCode(carrier))?.nameEn ?? carrier, trackingNumber: number,
                       trackingUrl: number.isEmpty ? "" : registry.carrier(CarrierCode(carrier))?.trackingURL(for: number) ?? "",
                       status: status.replacingOccurrences(of: "_", with: " ") + (unknown ? " · unmapped code" : ""),
                       state: try row.decode(column: "state", as: String.self).replacingOccurrences(of: "_", with: " "),
                       lastScan: try row.decode(column: "last_scan_at", as: Date?.self).map { ConsoleFormat.dateTime($0, timezone: shop.timezone) } ?? "—",
                       lastChecked: try row.decode(column: "last_checked_at", as: Date?.self).map { ConsoleFormat.dateTime($0, timezone: shop.timezone) } ?? "—",
                       attention: Self.attention.contains(status) || unknown)
        }
        let unmapped = try await CarrierCodeMaps.unmapped(shopID: shopID, sql: req.db as! any SQLDatabase).map {
            UnmappedRow(carrier: $0.carrier, key: $0.rawCode ?? $0.rawText ?? "", text: $0.rawCode == nil ? "" : $0.rawText ?? "",
                        events: $0.events, shipments: $0.shipments)
        }
        return try await req.view.render("shipments", ListContext(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), filter: filter, q: q,
            filters: ["attention", "all", "in_transit", "out_for_delivery", "delivered", "pending"], rows: rows,
            unmapped: unmapped,
            statuses: ["in_transit", "info_received", "out_for_delivery", "failed_attempt", "delivered", "available_for_pickup", "exception", "pending"],
            notice: req.query[String.self, at: "mapped"].map { "Mapped: \($0) stored event(s) re-read." } ?? ""))
    }

    struct MapForm: Content {
        var carrier: String
        var key: String
        var status: String
    }

    /// An operator gives an unknown carrier code a status from the shipments page.
    func map(req: Request) async throws -> Response {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let form = try req.content.decode(MapForm.self)
        let saved = try await CarrierCodeMaps.save(.init(rawCode: form.key, rawText: nil, status: form.status, substatus: nil),
                                                   carrier: form.carrier, shopID: try shop.requireID(), application: req.application,
                                                   actor: .user(user.email))
        return req.redirect(to: "/console/shipments?mapped=\(saved.remappedEvents)")
    }

    struct EventRow: Encodable {
        var at: String
        var status: String
        var raw: String
        var location: String
        var source: String
    }

    struct ShipmentContext: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title: String
        var shipment: ShipmentDTO
        var events: [EventRow]
    }

    func show(req: Request) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let dto = try await ShipmentService(application: req.application, db: req.db)
            .find(shopID: try shop.requireID(), number: req.parameters.get("number") ?? "", events: true)
        let events = (dto.events ?? []).reversed().map { e in
            EventRow(at: ConsoleFormat.dateTime(e.occurredAt, timezone: shop.timezone),
                     status: e.status.replacingOccurrences(of: "_", with: " ") + (e.substatus.map { " · \($0.replacingOccurrences(of: "_", with: " "))" } ?? ""),
                     raw: [e.rawCode, e.rawText].compactMap { $0 }.joined(separator: " — "), location: e.location ?? "", source: e.source)
        }
        return try await req.view.render("shipment", ShipmentContext(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), title: "Shipment \(dto.number)", shipment: dto, events: events))
    }

    struct InboxContext: Encodable {
        struct Message: Encodable {
            var id: String
            var source: String
            var eventId: String
            var status: String
            var received: String
            var error: String
            var trackingNumber: String
            var attempts: Int
        }
        var shop: String
        var user: String
        var csrf: String
        var title = "Inbox"
        var status: String
        var messages: [Message]
        var notice: String
    }

    func inbox(req: Request) async throws -> View {
        let (user, shop) = try await ConsoleSettingsController.signedIn(req)
        let status = req.query[String.self, at: "status"].flatMap { InboxController.statuses.contains($0) ? $0 : nil } ?? "failed"
        let messages = try await Inbox(application: req.application).list(shopID: try shop.requireID(), status: status, limit: 200)
        return try await req.view.render("inbox", InboxContext(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), status: status,
            messages: messages.map { m in
                .init(id: m.id.uuidString, source: m.source, eventId: m.eventId, status: m.status,
                      received: ConsoleFormat.dateTime(m.receivedAt, timezone: shop.timezone), error: m.error ?? "",
                      trackingNumber: m.trackingNumber ?? "", attempts: m.attempts)
            },
            notice: req.query[String.self, at: "replayed"].map { "Replayed: now \($0)." } ?? ""))
    }

    func replay(req: Request) async throws -> Response {
        let (_, shop) = try await ConsoleSettingsController.signedIn(req)
        guard let id = UUID(uuidString: req.parameters.get("id") ?? "") else { throw APIError.notFound("inbox message") }
        let message = try await Inbox(application: req.application).replay(shopID: try shop.requireID(), id: id)
        return req.redirect(to: "/console/inbox?status=\(message.status == "processed" ? "processed" : message.status)&replayed=\(message.status)")
    }
}
