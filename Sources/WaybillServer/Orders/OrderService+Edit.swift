import Fluent
import SQLKit
import Vapor
import WaybillCore

/// `PATCH /api/v1/orders/{order}/lines`: new quantities for lines already on the order.
struct EditLinesRequest: Decodable, Sendable {
    var lines: [StockMovementRequest.Line]
    var note: String?
}

extension OrderService {
    /// Changes line quantities before fulfilment. Totals are recomputed; stock moves by the difference only:
    /// more units are reserved (where the line's stock already is, else wherever allocation finds them) and
    /// fewer units are released, in the same transaction. A shortage refuses the edit with 409 and changes nothing.
    func editLines(orderID: UUID, shopID: UUID, request: EditLinesRequest, actor: Actor) async throws -> OrderDTO {
        try await withLockedOrder(orderID, shopID: shopID) { order, db in
            guard [.placed, .onHold, .ready].contains(order.status) else {
                throw APIError(.conflict, "not_editable", "an order that is \(order.status.rawValue) can no longer be edited")
            }
            var issues = IssueList()
            if request.lines.isEmpty { issues.add("lines", "required", "give at least one line") }
            var changes: [(OrderLine, Int64)] = []
            var seen: Set<String> = []
            for (i, edit) in request.lines.enumerated() {
                guard let line = order.lines.first(where: { $0.sku == edit.sku }) else {
                    issues.add("lines[\(i)].sku", "not_on_order", "\(edit.sku.prefix(64)) is not on this order"); continue
                }
                if !seen.insert(edit.sku).inserted { issues.add("lines[\(i)].sku", "duplicate_sku", "\(edit.sku) appears twice") }
                if edit.quantity <= 0 || edit.quantity > OrderValidator.maxQuantity {
                    issues.add("lines[\(i)].quantity", "out_of_range", "quantity must be 1–\(OrderValidator.maxQuantity); cancel the order to drop everything")
                    continue
                }
                let (gross, overflow) = line.unitPrice.multipliedReportingOverflow(by: edit.quantity)
                if overflow || line.discount > gross {
                    issues.add("lines[\(i)].quantity", "exceeds_amount", "the line's discount \(line.discount) would exceed its amount")
                    continue
                }
                if edit.quantity != line.quantity { changes.append((line, edit.quantity)) }
            }
            if let note = request.note, note.count > 500 { issues.add("note", "too_long", "note must be at most 500 characters") }
            guard issues.isEmpty else { throw ValidationFailure(issues.issues) }
            guard !changes.isEmpty else { return }

            let time = self.now
            let sql = db as! any SQLDatabase
            let stock = try await self.moveStock(for: changes, order: order, shopID: shopID, actor: actor, on: sql, at: time)
            var edited: [EditFact.Line] = []
            for (line, quantity) in changes {
                edited.append(.init(sku: line.sku, from: line.quantity, to: quantity))
                line.quantity = quantity
                line.total = line.unitPrice * quantity - line.discount
                try await line.save(on: db)
            }
            order.subtotal = order.lines.reduce(0) { $0 + $1.total }
            guard order.discountTotal <= order.subtotal else {
                throw APIError.invalid("lines", "exceeds_amount", "the order discount \(order.discountTotal) would exceed the new subtotal")
            }
            order.total = order.subtotal - order.discountTotal + order.shippingTotal + order.taxTotal
            order.itemsSignature = order.lines.map { "\($0.sku)x\($0.quantity)" }.sorted().joined(separator: ",")
            order.updatedAt = time
            try await order.save(on: db)
            var facts: [(TimelineKind, any Encodable & Sendable)] = [(.orderEdited, EditFact(lines: edited, note: request.note, total: order.total))]
            if !stock.reserved.isEmpty { facts.append((.stockReserved, StockFact(lines: stock.reserved))) }
            if !stock.released.isEmpty { facts.append((.stockReleased, ReleaseFact(lines: stock.released))) }
            try await Timeline(db: db, newID: self.application.dependencies.ids.next)
                .append(shopID: shopID, orderID: orderID, facts, actor: actor, at: time)
        }
    }

    /// Reserves or releases the difference for tracked lines that hold reservations.
    private func moveStock(for changes: [(OrderLine, Int64)], order: Order, shopID: UUID, actor: Actor,
                           on sql: any SQLDatabase, at time: Date) async throws -> (reserved: [StockFact.Line], released: [ReleaseFact.Line]) {
        let orderID = try order.requireID()
        let store = InventoryStore(sql: sql, now: time, newID: application.dependencies.ids.next)
        var reservedFacts: [StockFact.Line] = []
        var releasedFacts: [ReleaseFact.Line] = []
        for (line, quantity) in changes {
            let held = try await sql.raw("""
                SELECT id, location_id, quantity FROM order_allocations
                WHERE order_id = \(bind: orderID) AND variant_id = \(bind: line.variantID) AND state = 'reserved' ORDER BY quantity DESC
                """).all().map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "location_id", as: UUID.self),
                                  try $0.decode(column: "quantity", as: Int64.self)) }
            guard !held.isEmpty else { continue }   // not tracked, or held for missing stock: nothing reserved to adjust
            let delta = quantity - line.quantity
            var entries: [InventoryStore.Entry] = []
            if delta > 0 {
                let (allocationID, locationID, _) = held[0]
                guard let after = try await store.reserve(locationID: locationID, variantID: line.variantID, quantity: delta, allowBackorder: false) else {
                    throw APIError(.conflict, "out_of_stock", "\(line.sku): \(delta) more wanted but not available where its stock is reserved",
                                   fields: [FieldIssue(field: "lines", code: "out_of_stock", message: "\(line.sku) lacks \(delta)")])
                }
                var before = after.level
                before.reserved -= delta
                entries.append(.init(shopID: shopID, locationID: locationID, variantID: line.variantID, sku: line.sku, reason: .reservation,
                                     quantity: delta, before: before, after: after.level, reference: .init(.order, orderID.uuidString),
                                     actor: actor.name, note: "order edited"))
                try await sql.raw("UPDATE order_allocations SET quantity = quantity + \(bind: delta) WHERE id = \(bind: allocationID)").run()
                reservedFacts.append(.init(sku: line.sku, locationId: locationID, quantity: delta))
            } else {
                var toRelease = -delta
                for (allocationID, locationID, allocated) in held.reversed() where toRelease > 0 {
                    let take = min(allocated, toRelease)
                    entries.append(try await store.release(
                        allocationID: allocationID, allocated: allocated, quantity: take, locationID: locationID,
                        variantID: line.variantID, sku: line.sku, shopID: shopID, orderID: orderID, actor: actor.name, note: "order edited"))
                    toRelease -= take
                }
                releasedFacts.append(.init(sku: line.sku, quantity: -delta))
            }
            try await store.writeLedger(entries)
        }
        return (reservedFacts, releasedFacts)
    }
}

struct EditFact: Codable, Sendable {
    struct Line: Codable, Sendable {
        var sku: String
        var from: Int64
        var to: Int64
    }
    var lines: [Line]
    var note: String?
    var total: Int64
}
