import Foundation
import SQLKit
import WaybillCore

/// An order lost a race for its last units between planning and reserving; intake plans again.
struct ReservationLost: Error {}

/// One planned reservation with the variant it is for.
struct PlannedReservation: Sendable {
    var allocation: Allocation
    var variantID: UUID
}

extension InventoryStore {
    /// Rows that record an order's reservations: its ledger entries and its allocations, to be inserted by the
    /// caller in the same transaction (intake folds them into its one insert statement).
    struct ReservationRows: Sendable {
        var ledger: [[any Encodable & Sendable]]
        var allocations: [[any Encodable & Sendable]]
        static let allocationColumns = ["id", "shop_id", "order_id", "location_id", "variant_id", "sku", "quantity", "state"]
    }

    /// Reserves every planned line or none: any line that lost its race throws `ReservationLost`, and the
    /// caller's transaction rolls the others back. Returns the ledger and allocation rows to insert.
    func reserveAll(_ plan: [PlannedReservation], shopID: UUID, orderID: UUID, actor: String, allowBackorder: Bool) async throws -> ReservationRows {
        guard !plan.isEmpty else { return ReservationRows(ledger: [], allocations: []) }
        // A fixed order of row locks, so two orders reserving the same SKUs cannot deadlock.
        let ordered = plan.sorted { ($0.allocation.locationID.uuidString, $0.variantID.uuidString) < ($1.allocation.locationID.uuidString, $1.variantID.uuidString) }
        var entries: [Entry] = []
        for item in ordered {
            let a = item.allocation
            if allowBackorder {
                _ = try await lockLevel(shopID: shopID, locationID: a.locationID, variantID: item.variantID, sku: a.sku)
            }
            guard let after = try await reserve(locationID: a.locationID, variantID: item.variantID, quantity: a.quantity,
                                                allowBackorder: allowBackorder) else {
                throw ReservationLost()
            }
            var before = after.level
            before.reserved -= a.quantity
            entries.append(Entry(shopID: shopID, locationID: a.locationID, variantID: item.variantID, sku: a.sku,
                                 reason: .reservation, quantity: a.quantity, before: before, after: after.level,
                                 reference: .init(.order, orderID.uuidString), actor: actor, note: nil))
        }
        return ReservationRows(ledger: entries.map(ledgerRow), allocations: ordered.map {
            [newID(), shopID, orderID, $0.allocation.locationID, $0.variantID, $0.allocation.sku, $0.allocation.quantity, "reserved"]
        })
    }

    /// Releases `quantity` units of one allocation (the whole allocation when it is all of it): the level, the
    /// allocation row, and the ledger entry to write.
    func release(allocationID: UUID, allocated: Int64, quantity: Int64, locationID: UUID, variantID: UUID, sku: String,
                 shopID: UUID, orderID: UUID, actor: String, note: String?) async throws -> Entry {
        let level = try await lockLevel(shopID: shopID, locationID: locationID, variantID: variantID, sku: sku)
        let movement = StockMovement(sku: sku, locationID: locationID, reason: .release, quantity: quantity,
                                     reference: .init(.order, orderID.uuidString), actor: actor, occurredAt: now)
        let after = try level.level.applying(movement, allowBackorder: true)
        try await store(after, id: level.id)
        if quantity >= allocated {
            try await sql.raw("UPDATE order_allocations SET state = 'released' WHERE id = \(bind: allocationID)").run()
        } else {
            try await sql.raw("UPDATE order_allocations SET quantity = quantity - \(bind: quantity) WHERE id = \(bind: allocationID)").run()
        }
        return Entry(shopID: shopID, locationID: locationID, variantID: variantID, sku: sku, reason: .release, quantity: quantity,
                     before: level.level, after: after, reference: movement.reference, actor: actor, note: note)
    }

    /// Gives back what an order still holds reserved (on cancellation). Returns the units released per SKU.
    @discardableResult
    func releaseAll(orderID: UUID, shopID: UUID, actor: String) async throws -> [String: Int64] {
        let held = try await sql.raw("""
            SELECT id, location_id, variant_id, sku, quantity FROM order_allocations
            WHERE order_id = \(bind: orderID) AND state = 'reserved'
            """).all()
        var entries: [Entry] = []
        var released: [String: Int64] = [:]
        for row in held {
            let sku = try row.decode(column: "sku", as: String.self)
            let quantity = try row.decode(column: "quantity", as: Int64.self)
            entries.append(try await release(
                allocationID: try row.decode(column: "id", as: UUID.self), allocated: quantity, quantity: quantity,
                locationID: try row.decode(column: "location_id", as: UUID.self), variantID: try row.decode(column: "variant_id", as: UUID.self),
                sku: sku, shopID: shopID, orderID: orderID, actor: actor, note: nil))
            released[sku, default: 0] += quantity
        }
        try await writeLedger(entries)
        return released
    }
}
