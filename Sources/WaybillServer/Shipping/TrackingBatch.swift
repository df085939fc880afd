import Foundation
import SQLKit
import Vapor
import WaybillCore

extension ShipmentService {
    /// One update of a batch, with whom it is about and who sent it.
    struct BatchUpdate: Sendable {
        var shopID: UUID
        var actor: Actor
        var update: TrackingUpdate
    }

    /// Applies updates inside the caller's write transaction — each as if applied one after another — in a
    /// handful of statements for the common case: every matching shipment's order locked and its row read in two statements, every timeline read
    /// in one; an update that only adds scans (the status stays as it is) has its events and its shipment's
    /// last-scan time written with the rest of the batch at the end. An update that moves a status writes
    /// what is pending first and then goes the single path (facts, hand-over, the order), after which that
    /// shipment is read again. Returns one result per update, in order.
    func applyInTransaction(batch updates: [BatchUpdate], at time: Date) async throws -> [Applied] {
        let numbers = updates.map { TrackingNumberNormalizer.normalize($0.update.trackingNumber) }
        var results = updates.map { _ in Applied(outcome: ApplyOutcome(), stored: []) }
        let wanted = Set(numbers.compactMap { $0 })
        guard !wanted.isEmpty else { return results }
        let shops = Set(updates.map(\.shopID))
        // A superset when several shops are in the batch (another shop's parcel with the same number): locked
        // and read, never touched.
        var rows = try await lockedRows(where: "shop_id IN (\(binds: shops.sorted())) AND tracking_number IN (\(binds: wanted.sorted()))")
        var matching: [String: [Int]] = [:]
        for (index, row) in rows.enumerated() {
            guard let shopID = row.shopID, let number = row.trackingNumber else { continue }
            matching[shopID.uuidString + number, default: []].append(index)
        }
        var timelines = try await trackingEvents(shipmentIDs: rows.map(\.id)).mapValues { TrackingTimeline(events: $0) }
        var pending = PendingScans()
        for (u, item) in updates.enumerated() {
            guard let number = numbers[u] else { continue }
            for index in matching[item.shopID.uuidString + number] ?? [] {
                let row = rows[index]
                guard item.update.carrier.map({ $0.rawValue == row.carrier }) ?? true else { continue }
                results[u].outcome.shipments.append(row.number)
                let timeline: TrackingTimeline
                if let held = timelines[row.id] { timeline = held } else { timeline = TrackingTimeline(events: try await trackingEvents(shipmentID: row.id)) }
                let planned = try await plan(item.update, on: timeline, of: row, shopID: item.shopID, at: time)
                let added: [String]
                if planned.onlyAddsScans(to: row) {
                    pending.add(planned, shipment: row.id)
                    timelines[row.id] = planned.timeline
                    added = planned.added
                } else {
                    try await write(&pending, at: time)
                    added = try await apply(item.update, to: row, shopID: item.shopID, actor: item.actor, at: time)
                    rows[index] = try await self.row(shopID: item.shopID, number: row.number)
                    timelines[row.id] = nil
                }
                results[u].outcome.newEvents += added.count
                results[u].stored += added
            }
        }
        try await write(&pending, at: time)
        return results
    }

    /// Scans waiting for the end of a batch, and the last scan time of each shipment they belong to.
    struct PendingScans {
        var rows: [[any Encodable & Sendable]] = []
        var lastScan: [UUID: Date] = [:]
        var checked: Set<UUID> = []

        mutating func add(_ planned: PlannedScans, shipment: UUID) {
            rows += planned.rows
            checked.insert(shipment)
            if let last = planned.timeline.lastScanAt { lastScan[shipment] = last }
        }
    }

    private func write(_ pending: inout PendingScans, at time: Date) async throws {
        guard !pending.checked.isEmpty else { return }
        try await insertEvents(pending.rows)
        try await sql.raw("""
            UPDATE shipments SET last_checked_at = \(bind: time), updated_at = \(bind: time) WHERE id IN (\(binds: pending.checked.sorted()))
            """).run()
        let scans = pending.lastScan.sorted { $0.key < $1.key }
        for start in stride(from: 0, to: scans.count, by: 250) {
            let values = scans[start..<min(start + 250, scans.count)].map { "(\(bind: $0.key), \(bind: $0.value))" as SQLQueryString }
            try await sql.raw("""
                UPDATE shipments SET last_scan_at = v.column2 FROM (VALUES \(values.joined(separator: ", "))) AS v WHERE shipments.id = v.column1
                """).run()
        }
        pending = PendingScans()
    }
}
