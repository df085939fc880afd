import Fluent
import Foundation
import SQLKit
import Vapor
import WaybillCore

/// What an operator says a carrier's unknown code means (F5: "a code we do not know maps to `unknown`
/// with the raw text kept, and is counted so an operator can map it"). Keyed by the carrier's raw code, or
/// its raw text when it sends none. Applied to events as they arrive, and — when saved — to the events
/// already stored as `unknown`, whose shipments then move on as if the carrier had been understood.
struct M023CreateCarrierCodeMaps: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("carrier_code_maps")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("carrier", .string, .required)
            .field("raw_key", .string, .required)
            .field("status", .string, .required)
            .field("substatus", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "shop_id", "carrier", "raw_key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("carrier_code_maps").delete()
    }
}

enum CarrierCodeMaps {
    /// The key an unknown reading is mapped by.
    static func key(_ reading: TrackingReading) -> String? {
        let key = (reading.rawCode ?? reading.rawText)?.trimmingCharacters(in: .whitespacesAndNewlines)
        return key.flatMap { $0.isEmpty ? nil : String($0.prefix(100)) }
    }

    static func load(shopID: UUID, carrier: String, sql: any SQLDatabase) async throws -> [String: TrackingReading] {
        var maps: [String: TrackingReading] = [:]
        for row in try await sql.raw("""
            SELECT raw_key, status, substatus FROM carrier_code_maps WHERE shop_id = \(bind: shopID) AND carrier = \(bind: carrier)
            """).all() {
            guard let status = TrackingStatus(rawValue: try row.decode(column: "status", as: String.self)) else { continue }
            maps[try row.decode(column: "raw_key", as: String.self)] = TrackingReading(
                status, try row.decode(column: "substatus", as: String?.self).flatMap(TrackingSubstatus.init(rawValue:)))
        }
        return maps
    }

    /// `reading` with the operator's meaning when it was unknown and a mapping exists; the raw code and text stay.
    static func apply(_ maps: [String: TrackingReading], to reading: TrackingReading) -> TrackingReading {
        guard reading.status == .unknown, let key = key(reading), let mapped = maps[key] else { return reading }
        return TrackingReading(mapped.status, mapped.substatus, rawCode: reading.rawCode, rawText: reading.rawText)
    }

    struct Unmapped: Codable, Sendable {
        var carrier: String
        var rawCode: String?
        var rawText: String?
        var events: Int
        var shipments: Int
        var lastSeen: Date
    }

    /// The carrier codes still unknown, most frequent first.
    static func unmapped(shopID: UUID, sql: any SQLDatabase) async throws -> [Unmapped] {
        try await sql.raw("""
            SELECT s.carrier, e.raw_code, MIN(e.raw_text) AS raw_text, COUNT(*) AS events, COUNT(DISTINCT e.shipment_id) AS shipments,
                   MAX(e.received_at) AS last_seen
            FROM tracking_events e JOIN shipments s ON s.id = e.shipment_id
            WHERE e.shop_id = \(bind: shopID) AND e.status = 'unknown'
            GROUP BY s.carrier, e.raw_code, CASE WHEN e.raw_code IS NULL THEN e.raw_text END
            ORDER BY events DESC, s.carrier LIMIT 500
            """).all().map {
            Unmapped(carrier: try $0.decode(column: "carrier", as: String.self), rawCode: try $0.decode(column: "raw_code", as: String?.self),
                     rawText: try $0.decode(column: "raw_text", as: String?.self), events: try $0.decode(column: "events", as: Int.self),
                     shipments: try $0.decode(column: "shipments", as: Int.self), lastSeen: try $0.decode(column: "last_seen", as: Date.self))
        }
    }

    struct SaveRequest: Decodable, Sendable {
        var rawCode: String?
        var rawText: String?
        var status: String
        var substatus: String?
    }

    struct Saved: Encodable, Sendable {
        var carrier: String
        var rawKey: String
        var status: String
        var substatus: String?
        var remappedEvents: Int
        var shipments: [String]
    }

    /// Saves a mapping and re-reads the stored unknown events it covers; each affected shipment's status,
    /// its order and the facts then follow as for a new event.
    static func save(_ body: SaveRequest, carrier: String, shopID: UUID, application: Application, actor: Actor) async throws -> Saved {
        var issues = IssueList()
        let key = (body.rawCode ?? body.rawText)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if key.isEmpty || key.count > 100 { issues.add("raw_code", "required", "give the carrier's raw_code (or raw_text when it sends no code), at most 100 characters") }
        let status = TrackingStatus(rawValue: body.status)
        if status == nil || status == .unknown || status == .stalled {
            issues.add("status", "invalid_status", "status must be one of pending, info_received, in_transit, out_for_delivery, failed_attempt, delivered, available_for_pickup, exception")
        }
        let substatus = body.substatus.map { TrackingSubstatus(rawValue: $0) }
        if case .some(.none) = substatus { issues.add("substatus", "invalid_substatus", "substatus is not one Waybill knows") }
        guard issues.isEmpty, let status else { throw ValidationFailure(issues.issues) }
        let mapped = TrackingReading(status, substatus ?? nil)
        let now = application.dependencies.clock.now()
        let ids = application.dependencies.ids
        // The mapping and the stored events it covers, in one transaction; dedupe keys follow the new status,
        // so the same scan sent again is still recognised.
        let touched = try await application.write { db -> (Int, [(String, String)]) in
            let sql = db as! any SQLDatabase
            try await sql.raw("DELETE FROM carrier_code_maps WHERE shop_id = \(bind: shopID) AND carrier = \(bind: carrier) AND raw_key = \(bind: key)").run()
            try await sql.raw("""
                INSERT INTO carrier_code_maps (id, shop_id, carrier, raw_key, status, substatus, created_at)
                VALUES (\(bind: ids.next()), \(bind: shopID), \(bind: carrier), \(bind: key), \(bind: status.rawValue), \(bind: mapped.substatus?.rawValue), \(bind: now))
                """).run()
            let rows = try await sql.raw("""
                SELECT e.id, e.occurred_at, e.utc_offset_seconds, e.raw_code, e.raw_text, e.location, e.arrival_seq, s.number, s.tracking_number
                FROM tracking_events e JOIN shipments s ON s.id = e.shipment_id
                WHERE e.shop_id = \(bind: shopID) AND s.carrier = \(bind: carrier) AND e.status = 'unknown'
                AND (e.raw_code = \(bind: key) OR (e.raw_code IS NULL AND e.raw_text = \(bind: key)))
                """).all()
            var shipments: [(String, String)] = []
            for row in rows {
                let reading = TrackingReading(status, mapped.substatus, rawCode: try row.decode(column: "raw_code", as: String?.self),
                                              rawText: try row.decode(column: "raw_text", as: String?.self))
                let event = TrackingEvent(
                    reading: reading,
                    at: CarrierTimestamp(date: try row.decode(column: "occurred_at", as: Date.self),
                                         utcOffsetSeconds: try row.decode(column: "utc_offset_seconds", as: Int?.self)),
                    location: try row.decode(column: "location", as: String?.self),
                    arrivalSequence: Int(try row.decode(column: "arrival_seq", as: Int64.self)))
                try await sql.raw("""
                    UPDATE tracking_events SET status = \(bind: status.rawValue), substatus = \(bind: mapped.substatus?.rawValue),
                    dedupe_key = \(bind: ShipmentService.dedupeKey(event)) WHERE id = \(bind: try row.decode(column: "id", as: UUID.self))
                    """).run()
                if let number = try row.decode(column: "tracking_number", as: String?.self) {
                    shipments.append((try row.decode(column: "number", as: String.self), number))
                }
            }
            return (rows.count, shipments)
        }
        // Each shipment re-reads its events: status, hand-over, the order and the facts move on.
        var numbers: [String] = []
        for tracking in Set(touched.1.map(\.1)).sorted() {
            let outcome = try await ShipmentService(application: application, db: application.db)
                .apply(TrackingUpdate(carrier: CarrierCode(carrier), trackingNumber: tracking, events: [], source: "mapping"), shopID: shopID, actor: actor)
            numbers += outcome.shipments
        }
        return Saved(carrier: carrier, rawKey: key, status: status.rawValue, substatus: mapped.substatus?.rawValue,
                     remappedEvents: touched.0, shipments: numbers.sorted())
    }
}
