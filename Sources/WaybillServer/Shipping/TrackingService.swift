import Crypto
import Foundation
import SQLKit
import Vapor
import WaybillCore

/// One carrier event from any source (a webhook, a poll, the API), normalised but not yet matched.
struct IncomingTrackingEvent: Sendable {
    var reading: TrackingReading
    var timestamp: CarrierTimestamp
    var location: String?
}

/// What a source says about one tracking number.
struct TrackingUpdate: Sendable {
    /// Nil when the source does not say (the number alone identifies the shipment).
    var carrier: CarrierCode?
    var trackingNumber: String
    var events: [IncomingTrackingEvent]
    /// `api`, `aftership`, `easypost`, `karrio`, `waybill`, `poll`, `sandbox`.
    var source: String
}

extension ShipmentService {
    struct ApplyOutcome: Sendable, Equatable {
        /// Shipments with this tracking number (none: the update is an orphan, kept for a later match).
        var shipments: [String] = []
        var newEvents = 0
    }

    /// Stores the new events of every matching shipment and moves its status, the order and the facts on,
    /// in one transaction (the batch path with one update). A repeat of an event already held changes nothing.
    func apply(_ update: TrackingUpdate, shopID: UUID, actor: Actor) async throws -> ApplyOutcome {
        let time = now
        let applied = try await application.write { db in
            try await ShipmentService(application: application, db: db, clock: clock)
                .applyInTransaction(batch: [BatchUpdate(shopID: shopID, actor: actor, update: update)], at: time)[0]
        }
        await settle([(shopID, update.source, applied)], at: time)
        return applied.outcome
    }

    /// What one update did inside its transaction, for `settle` once it has committed.
    struct Applied: Sendable {
        var outcome: ApplyOutcome
        /// The statuses of the events newly stored.
        var stored: [String]
    }

    /// After the transaction: metrics, and the promises of the orders whose parcels moved re-predicted now
    /// rather than at the next pass. A failure here is logged; the next pass catches up.
    func settle(_ applied: [(shopID: UUID, source: String, applied: Applied)], at time: Date) async {
        var moved: [UUID: Set<String>] = [:]
        for item in applied {
            application.waybillMetrics.recordTrackingEvents(source: item.source, statuses: item.applied.stored)
            if item.applied.outcome.newEvents > 0 { moved[item.shopID, default: []].formUnion(item.applied.outcome.shipments) }
        }
        guard !moved.isEmpty else { return }
        do {
            var orders: [UUID] = []
            for (shopID, numbers) in moved {
                orders += try await sql.raw("""
                    SELECT DISTINCT order_id FROM shipments WHERE shop_id = \(bind: shopID) AND number IN (\(binds: numbers.sorted()))
                    """).all().map { try $0.decode(column: "order_id", as: UUID.self) }
            }
            _ = try await PromiseWatch(application: application, now: time).pass(orders: orders)
        } catch {
            application.logger.error("re-prediction after tracking failed: \(String(reflecting: error))")
        }
    }

    /// Applies an update to one shipment (the caller holds the order's lock). Returns the statuses of the
    /// events newly stored.
    func apply(_ update: TrackingUpdate, to row: Row, shopID: UUID, actor: Actor, at time: Date) async throws -> [String] {
        let planned = try await plan(update, on: TrackingTimeline(events: try await trackingEvents(shipmentID: row.id)), of: row, shopID: shopID, at: time)
        if !planned.rows.isEmpty { try await insertEvents(planned.rows) }
        let current = planned.timeline.current
        let status = current?.status ?? .pending
        let delivered = status == .delivered ? current?.occurredAt : nil
        try await sql.raw("""
            UPDATE shipments SET tracking_status = \(bind: status.rawValue), tracking_substatus = \(bind: current?.substatus?.rawValue),
            last_scan_at = \(bind: planned.timeline.lastScanAt), last_checked_at = \(bind: time), delivered_at = \(bind: delivered), updated_at = \(bind: time)
            WHERE id = \(bind: row.id)
            """).run()
        // Compared with what the shipment showed (which may be `stalled`, a status no carrier sent).
        guard planned.movesStatus(of: row), let current else { return planned.added }
        var facts: [(TimelineKind, any Encodable & Sendable)] = [
            (.trackingUpdated, StatusFact(number: row.number, from: row.trackingStatus,
                                          to: status.rawValue, substatus: current.substatus?.rawValue, rawCode: current.rawCode,
                                          rawText: current.rawText, location: current.location, occurredAt: current.occurredAt)),
        ]
        // The carrier scanning the parcel is proof it was handed over: no one has to click.
        if row.state == "packed", ![.pending, .infoReceived, .unknown].contains(status) {
            try await handOver(row, shopID: shopID, actor: actor, at: time)
        } else {
            facts += try await advanceOrder(row.orderID, at: time)
        }
        try await Timeline(db: db, newID: application.dependencies.ids.next).append(shopID: shopID, orderID: row.orderID, facts, actor: actor, at: time)
        return planned.added
    }

    /// An update's events placed in a shipment's timeline, not yet written.
    struct PlannedScans {
        var timeline: TrackingTimeline
        /// What the timeline showed before.
        var before: TrackingEvent?
        /// `tracking_events` rows for the events new to the timeline.
        var rows: [[any Encodable & Sendable]] = []
        /// Their statuses.
        var added: [String] = []

        /// The status or sub-status differs from what the shipment shows: facts, maybe a hand-over or an order change.
        func movesStatus(of row: Row) -> Bool {
            (timeline.current?.status ?? .pending).rawValue != row.trackingStatus || timeline.current?.substatus != before?.substatus
        }

        /// Nothing but new scans and the last scan's time: the status, sub-status and delivery time stay
        /// as they are, so the write can wait for the rest of a batch.
        func onlyAddsScans(to row: Row) -> Bool {
            !movesStatus(of: row) && timeline.current?.status != .delivered
        }
    }

    /// Places the update's events in `timeline` (each new scan after the shipment's last arrival; a repeat
    /// of a scan already held is dropped), mapping codes an operator has given a meaning.
    func plan(_ update: TrackingUpdate, on timeline: TrackingTimeline, of row: Row, shopID: UUID, at time: Date) async throws -> PlannedScans {
        var planned = PlannedScans(timeline: timeline, before: timeline.current)
        var sequence = timeline.events.map(\.arrivalSequence).max() ?? 0
        let ids = application.dependencies.ids
        // Codes no mapper knows may have been given a meaning by an operator.
        let maps = update.events.contains { $0.reading.status == .unknown }
            ? try await CarrierCodeMaps.load(shopID: shopID, carrier: row.carrier, sql: sql) : [:]
        for incoming in update.events {
            sequence += 1
            let event = TrackingEvent(reading: CarrierCodeMaps.apply(maps, to: incoming.reading), at: incoming.timestamp,
                                      location: incoming.location, arrivalSequence: sequence)
            guard planned.timeline.insert(event) else { continue }
            planned.rows.append([ids.next(), shopID, row.id, event.status.rawValue, event.substatus?.rawValue, event.rawCode.map { String($0.prefix(100)) },
                                 event.rawText.map { String($0.prefix(2_000)) }, event.location.map { String($0.prefix(300)) }, event.occurredAt,
                                 event.utcOffsetSeconds, Int64(sequence), update.source, Self.dedupeKey(event), time])
            planned.added.append(event.status.rawValue)
        }
        return planned
    }

    /// Stores tracking events (`PlannedScans.rows`), 400 to a statement; a scan already held is skipped.
    func insertEvents(_ rows: [[any Encodable & Sendable]]) async throws {
        for start in stride(from: 0, to: rows.count, by: 400) {
            try await sql.raw(SQLRows.insert(into: "tracking_events", [
                "id", "shop_id", "shipment_id", "status", "substatus", "raw_code", "raw_text", "location", "occurred_at",
                "utc_offset_seconds", "arrival_seq", "source", "dedupe_key", "received_at",
            ], Array(rows[start..<min(start + 400, rows.count)])) + " ON CONFLICT (shipment_id, dedupe_key) DO NOTHING").run()
        }
    }

    func trackingEvents(shipmentID: UUID) async throws -> [TrackingEvent] {
        try await trackingEvents(shipmentIDs: [shipmentID])[shipmentID] ?? []
    }

    /// The events of each shipment (a shipment without any is absent).
    func trackingEvents(shipmentIDs: [UUID]) async throws -> [UUID: [TrackingEvent]] {
        guard !shipmentIDs.isEmpty else { return [:] }
        var events: [UUID: [TrackingEvent]] = [:]
        for row in try await sql.raw("""
            SELECT shipment_id, status, substatus, raw_code, raw_text, location, occurred_at, utc_offset_seconds, arrival_seq
            FROM tracking_events WHERE shipment_id IN (\(binds: shipmentIDs))
            """).all() {
            let reading = TrackingReading(TrackingStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .unknown,
                                          try row.decode(column: "substatus", as: String?.self).flatMap(TrackingSubstatus.init(rawValue:)),
                                          rawCode: try row.decode(column: "raw_code", as: String?.self),
                                          rawText: try row.decode(column: "raw_text", as: String?.self))
            events[try row.decode(column: "shipment_id", as: UUID.self), default: []].append(
                TrackingEvent(reading: reading, at: CarrierTimestamp(date: try row.decode(column: "occurred_at", as: Date.self),
                                                                     utcOffsetSeconds: try row.decode(column: "utc_offset_seconds", as: Int?.self)),
                              location: try row.decode(column: "location", as: String?.self),
                              arrivalSequence: Int(try row.decode(column: "arrival_seq", as: Int64.self))))
        }
        return events
    }

    /// Same scan, same key: what the carrier said, not when it reached us.
    static func dedupeKey(_ e: TrackingEvent) -> String {
        let text = [String(e.occurredAt.timeIntervalSince1970), e.status.rawValue, e.substatus?.rawValue ?? "", e.rawCode ?? "",
                    e.rawText ?? "", e.location ?? ""].joined(separator: "\u{1F}")
        return SHA256.hash(data: Data(text.utf8)).prefix(16).hexString
    }

    struct StatusFact: Codable, Sendable {
        var number: String
        var from: String
        var to: String
        var substatus: String?
        var rawCode: String?
        var rawText: String?
        var location: String?
        var occurredAt: Date
    }
}
