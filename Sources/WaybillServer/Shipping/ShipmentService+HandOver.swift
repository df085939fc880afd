import Fluent
import Foundation
import SQLKit
import Vapor
import WaybillCore

extension ShipmentService {
    /// `POST /api/v1/shipments/{number}/hand-over`: the carrier has the parcel.
    func handOver(number: String, shopID: UUID, actor: Actor) async throws -> ShipmentDTO {
        let time = now
        try await application.write { db in
            let service = ShipmentService(application: application, db: db, clock: clock)
            let row = try await service.lockedRow(shopID: shopID, number: number)
            guard row.state == "packed" else {
                throw APIError(.conflict, "already_handed_over", "shipment \(number) was handed over already")
            }
            try await service.handOver(row, shopID: shopID, actor: actor, at: time)
        }
        return try await find(shopID: shopID, number: number, events: false)
    }

    /// The shipment, with its order's row locked for this transaction (every shipment change can move the order).
    func lockedRow(shopID: UUID, number: String) async throws -> Row {
        guard let row = try await lockedRows(where: "shop_id = \(bind: shopID) AND number = \(bind: number)").first else {
            throw APIError.notFound("shipment '\(number.prefix(40))'")
        }
        return row
    }

    func row(shopID: UUID, number: String) async throws -> Row {
        guard let row = try await rows(where: "shop_id = \(bind: shopID) AND number = \(bind: number)").first else {
            throw APIError.notFound("shipment '\(number.prefix(40))'")
        }
        return row
    }

    /// The shipments `condition` selects, by number.
    func rows(where condition: SQLQueryString) async throws -> [Row] {
        try await sql.raw("SELECT id, order_id, number, location_id, carrier, state, tracking_status, tracking_number, shop_id FROM shipments WHERE "
                          + condition + " ORDER BY number")
            .all().map { r in
                Row(id: try r.decode(column: "id", as: UUID.self), orderID: try r.decode(column: "order_id", as: UUID.self),
                    number: try r.decode(column: "number", as: String.self), locationID: try r.decode(column: "location_id", as: UUID.self),
                    carrier: try r.decode(column: "carrier", as: String.self), state: try r.decode(column: "state", as: String.self),
                    trackingStatus: try r.decode(column: "tracking_status", as: String.self),
                    trackingNumber: try r.decode(column: "tracking_number", as: String?.self), shopID: try r.decode(column: "shop_id", as: UUID.self))
            }
    }

    /// The shipments `condition` selects, with their orders' rows locked for this transaction first (in id
    /// order, so two transactions locking the same orders queue instead of deadlocking): two statements for
    /// any number of shipments.
    func lockedRows(where condition: SQLQueryString) async throws -> [Row] {
        _ = try await sql.select().column("id").from(Order.schema)
            .where(SQLIdentifier("id"), .in, SQLGroupExpression(SQLQueryString("SELECT order_id FROM shipments WHERE ") + condition))
            .orderBy("id").for(.update).all()
        return try await rows(where: condition)
    }

    /// Consumes the reservation of every tracked line at the shipment's location (a `shipment` movement per
    /// line), marks the shipment handed over and moves the order on. The caller holds the order's lock.
    func handOver(_ shipment: Row, shopID: UUID, actor: Actor, at time: Date) async throws {
        let ids = application.dependencies.ids
        let store = InventoryStore(sql: sql, now: time, newID: ids.next)
        let lines = try await sql.raw("""
            SELECT sl.variant_id, sl.sku, sl.quantity, v.track_inventory FROM shipment_lines sl JOIN variants v ON v.id = sl.variant_id
            WHERE sl.shipment_id = \(bind: shipment.id) ORDER BY sl.sku
            """).all()
        var entries: [InventoryStore.Entry] = []
        for line in lines where try line.decode(column: "track_inventory", as: Bool.self) {
            let variantID = try line.decode(column: "variant_id", as: UUID.self), sku = try line.decode(column: "sku", as: String.self)
            var left = try line.decode(column: "quantity", as: Int64.self)
            let allocations = try await sql.raw("""
                SELECT id, quantity FROM order_allocations WHERE order_id = \(bind: shipment.orderID) AND variant_id = \(bind: variantID)
                AND location_id = \(bind: shipment.locationID) AND state = 'reserved' ORDER BY quantity DESC
                """).all()
            for allocation in allocations where left > 0 {
                let id = try allocation.decode(column: "id", as: UUID.self), held = try allocation.decode(column: "quantity", as: Int64.self)
                let take = min(held, left)
                let level = try await store.lockLevel(shopID: shopID, locationID: shipment.locationID, variantID: variantID, sku: sku)
                let movement = StockMovement(sku: sku, locationID: shipment.locationID, reason: .shipment, quantity: take,
                                             reference: .init(.shipment, shipment.number), actor: actor.name, occurredAt: time)
                let after: StockLevel
                do { after = try level.level.applying(movement, allowBackorder: false) } catch {
                    throw APIError(.conflict, "stock_rule", "\(sku): \(error.message)")
                }
                try await store.store(after, id: level.id)
                if take == held {
                    try await sql.raw("UPDATE order_allocations SET state = 'shipped' WHERE id = \(bind: id)").run()
                } else {
                    try await sql.raw("UPDATE order_allocations SET quantity = quantity - \(bind: take) WHERE id = \(bind: id)").run()
                    try await sql.raw(SQLRows.insert(into: "order_allocations", InventoryStore.ReservationRows.allocationColumns, [[
                        ids.next(), shopID, shipment.orderID, shipment.locationID, variantID, sku, take, "shipped",
                    ]])).run()
                }
                entries.append(.init(shopID: shopID, locationID: shipment.locationID, variantID: variantID, sku: sku, reason: .shipment,
                                     quantity: take, before: level.level, after: after, reference: movement.reference, actor: actor.name,
                                     note: nil))
                left -= take
            }
            guard left == 0 else {
                throw APIError(.conflict, "not_reserved_here",
                               "\(left) of \(sku) in shipment \(shipment.number) are not reserved at its location: move the reservation or ship from where the stock is")
            }
        }
        try await store.writeLedger(entries)
        try await sql.raw("""
            UPDATE shipments SET state = 'handed_over', handed_over_at = \(bind: time), updated_at = \(bind: time)
            WHERE id = \(bind: shipment.id)
            """).run()
        let orderFacts = try await advanceOrder(shipment.orderID, at: time)
        try await Timeline(db: db, newID: ids.next).append(shopID: shopID, orderID: shipment.orderID, [
            (.shipmentHandedOver, HandOverFact(number: shipment.number, carrier: shipment.carrier, lines: try lines.map {
                .init(sku: try $0.decode(column: "sku", as: String.self), quantity: try $0.decode(column: "quantity", as: Int64.self))
            })),
        ] + orderFacts, actor: actor, at: time)
    }

    /// Moves the order to partially fulfilled, fulfilled or delivered from its shipments. Returns the facts
    /// to append (an `order_delivered` when the last shipment of a fully shipped order arrived).
    func advanceOrder(_ orderID: UUID, at time: Date) async throws -> [(TimelineKind, any Encodable & Sendable)] {
        guard let order = try await Order.query(on: db).filter(\.$id == orderID).with(\.$lines).first() else { throw APIError.notFound("order") }
        var left: [String: Int64] = [:]
        for line in order.lines { left[line.sku, default: 0] += line.quantity }
        var allDelivered = true
        var any = false
        for row in try await sql.raw("""
            SELECT sl.sku, sl.quantity, s.state, s.tracking_status FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id
            WHERE s.order_id = \(bind: orderID)
            """).all() {
            guard try row.decode(column: "state", as: String.self) == "handed_over" else { allDelivered = false; continue }
            any = true
            left[try row.decode(column: "sku", as: String.self), default: 0] -= try row.decode(column: "quantity", as: Int64.self)
            if try row.decode(column: "tracking_status", as: String.self) != TrackingStatus.delivered.rawValue { allDelivered = false }
        }
        let complete = left.values.allSatisfy { $0 <= 0 }
        var status = order.status
        var facts: [(TimelineKind, any Encodable & Sendable)] = []
        if any, status == .ready || status == .partiallyFulfilled {
            status = try OrderStateMachine.next(status, on: complete ? .fulfil : .fulfilPartially)
        }
        if status == .fulfilled, allDelivered {
            status = try OrderStateMachine.next(status, on: .deliver)
            facts.append((.orderDelivered, DeliveredFact(deliveredAt: time)))
        }
        if status != order.status {
            order.status = status
            order.updatedAt = time
            try await order.save(on: db)
        }
        return facts
    }

    struct HandOverFact: Codable, Sendable {
        var number: String
        var carrier: String
        var lines: [ShipmentFact.Line]
    }

    struct DeliveredFact: Codable, Sendable {
        var deliveredAt: Date
    }
}

extension ShipmentService {
    /// Sets the carrier and tracking number of a shipment (validated like a new one), then re-applies any
    /// orphaned inbound events that carried the number before the shipment knew it.
    func setTracking(number: String, carrier: String?, trackingNumber: String, shopID: UUID, actor: Actor) async throws -> ShipmentDTO {
        var issues = IssueList()
        let (code, normalized) = resolveCarrier(CreateShipmentRequest(carrier: carrier, trackingNumber: trackingNumber),
                                                registry: try await registry(shopID: shopID), issues: &issues)
        guard issues.isEmpty, let code, let normalized else { throw ValidationFailure(issues.issues) }
        let time = now
        try await application.write { db in
            let service = ShipmentService(application: application, db: db, clock: clock)
            let row = try await service.lockedRow(shopID: shopID, number: number)
            try await (db as! any SQLDatabase).raw("""
                UPDATE shipments SET carrier = \(bind: code.rawValue), tracking_number = \(bind: normalized), updated_at = \(bind: time),
                next_check_at = \(bind: time) WHERE id = \(bind: row.id)
                """).run()
        }
        try await Inbox(application: application).rematch(shopID: shopID, trackingNumber: normalized)
        return try await find(shopID: shopID, number: number, events: true)
    }
}
