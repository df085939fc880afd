import Fluent
import SQLKit
import Vapor
import WaybillCore

/// Operator and customer changes to an existing order: cancel, hold, release, correct.
/// Each runs in one write transaction holding the order's row lock, and appends its facts.
extension OrderService {
    func cancel(orderID: UUID, shopID: UUID, reason: String?, actor: Actor) async throws -> OrderDTO {
        try await withLockedOrder(orderID, shopID: shopID) { order, db in
            let previous = order.status
            order.status = try OrderStateMachine.next(order.status, on: .cancel)
            let time = self.now
            let released = try await InventoryStore(sql: db as! any SQLDatabase, now: time, newID: self.application.dependencies.ids.next)
                .releaseAll(orderID: orderID, shopID: shopID, actor: actor.name)
            for hold in order.holds where hold.releasedAt == nil {
                hold.releasedAt = time
                hold.releasedBy = "cancellation"
                try await hold.save(on: db)
            }
            // A parcel packed but not handed over is not going anywhere now: void it so nobody hands it over.
            let voided = try await (db as! any SQLDatabase).raw("""
                UPDATE shipments SET state = 'voided', next_check_at = NULL, updated_at = \(bind: time)
                WHERE order_id = \(bind: orderID) AND state = 'packed' RETURNING number
                """).all().map { try $0.decode(column: "number", as: String.self) }
            try await self.touch(order, at: time, on: db)
            var facts: [(TimelineKind, any Encodable & Sendable)] = [
                (.orderCancelled, CancelFact(reason: reason, previousStatus: previous, voidedShipments: voided.isEmpty ? nil : voided.sorted())),
            ]
            if !released.isEmpty {
                facts.append((.stockReleased, ReleaseFact(lines: released.sorted { $0.key < $1.key }.map { .init(sku: $0.key, quantity: $0.value) })))
            }
            try await self.timeline(db).append(shopID: shopID, orderID: orderID, facts, actor: actor, at: time)
        }
    }

    func hold(orderID: UUID, shopID: UUID, note: String?, actor: Actor) async throws -> OrderDTO {
        try await withLockedOrder(orderID, shopID: shopID) { order, db in
            order.status = try OrderStateMachine.next(order.status, on: .hold)
            let time = self.now
            let detail = note.flatMap { $0.isEmpty ? nil : $0 } ?? "held by \(actor.name)"
            let hold = self.makeHold(id: self.newID(), orderID: orderID, shopID: shopID, hold: Hold(.manual, detail), at: time)
            try await hold.create(on: db)
            order.$holds.value?.append(hold)
            try await self.touch(order, at: time, on: db)
            try await self.timeline(db).append(shopID: shopID, orderID: orderID, [
                (.orderHeld, HoldFact(reason: .manual, detail: detail, note: note)),
            ], actor: actor, at: time)
        }
    }

    func release(orderID: UUID, shopID: UUID, reasons: [HoldReason]?, note: String?, actor: Actor) async throws -> OrderDTO {
        try await withLockedOrder(orderID, shopID: shopID) { order, db in
            let open = order.holds.filter { $0.releasedAt == nil }
            guard order.status == .onHold, !open.isEmpty else {
                throw IllegalTransition(from: order.status, event: .release)
            }
            let wanted = reasons.map(Set.init) ?? Set(open.map(\.reason))
            let missing = wanted.subtracting(open.map(\.reason))
            if let first = missing.sorted(by: { $0.rawValue < $1.rawValue }).first {
                throw APIError.invalid("reasons", "not_held", "the order is not held for \(first.rawValue)")
            }
            if wanted.contains(.outOfStock) {
                // Releasing a shortage means the stock is there now: take it, or refuse.
                try await self.reserveHeldOrder(order, shopID: shopID, actor: actor, on: db)
            }
            try await self.releaseHolds(open.filter { wanted.contains($0.reason) }, of: order, because: note,
                                        actor: actor, on: db)
        }
    }

    /// An operator's correction of contact details or addresses. Re-checks them like a new order and
    /// clears address holds that no longer apply (or adds ones that now do).
    /// `beforePacking`: refused once any parcel is packed (a customer's change; its label shows the old address).
    func correct(orderID: UUID, shop: Shop, patch: CorrectOrderRequest, actor: Actor, beforePacking: Bool = false) async throws -> OrderDTO {
        let shopID = try shop.requireID()
        return try await withLockedOrder(orderID, shopID: shopID) { order, db in
            guard [.placed, .onHold, .ready].contains(order.status) else {
                throw APIError(.conflict, "not_editable", "an order that is \(order.status.rawValue) can no longer be corrected")
            }
            if beforePacking, try await (db as! any SQLDatabase).raw("""
                SELECT 1 AS packed FROM shipments WHERE order_id = \(bind: orderID) AND state <> 'voided' LIMIT 1
                """).first() != nil {
                throw APIError(.conflict, "already_packed", "the order is packed; its address can no longer be changed")
            }
            var issues = IssueList()
            var changed: [String] = []
            if let address = patch.shippingAddress {
                let valid = AddressValidator.validate(address, field: "shipping_address", issues: &issues)
                if valid != order.shippingAddress { order.shippingAddress = valid; order.shipCountry = valid.country; changed.append("shipping_address") }
            }
            if let address = patch.billingAddress {
                let valid = AddressValidator.validate(address, field: "billing_address", issues: &issues)
                if valid != order.billingAddress { order.billingAddress = valid; changed.append("billing_address") }
            }
            if let email = patch.customerEmail {
                if let valid = EmailRule.normalize(email) {
                    if valid != order.customerEmail { order.customerEmail = valid; changed.append("customer_email") }
                } else {
                    issues.add("customer_email", "invalid_email", "e-mail address is not valid")
                }
            }
            if let phone = patch.customerPhone {
                if let valid = PhoneRule.normalizeE164(phone, defaultCountry: order.shipCountry) {
                    if valid != order.customerPhone { order.customerPhone = valid; changed.append("customer_phone") }
                } else {
                    issues.add("customer_phone", "invalid_phone", "phone must be a valid E.164 number, e.g. +821012345678")
                }
            }
            if let note = patch.note {
                if note.count > 2_000 { issues.add("note", "too_long", "note must be at most 2,000 characters") }
                else if note != order.note { order.note = note; changed.append("note") }
            }
            guard issues.isEmpty else { throw ValidationFailure(issues.issues) }
            guard !changed.isEmpty else { return }

            let time = self.now
            try await self.touch(order, at: time, on: db)
            try await self.timeline(db).append(shopID: shopID, orderID: orderID, [
                (.orderCorrected, CorrectionFact(fields: changed)),
            ], actor: actor, at: time)

            let due = HoldRules.addressHolds(order.shippingAddress, billing: order.billingAddress, total: order.total,
                                             policy: shop.holdPolicy)
            let open = order.holds.filter { $0.releasedAt == nil }
            let added = due.filter { hold in !open.contains { $0.reason == hold.reason } }
            for hold in added {
                let row = self.makeHold(id: self.newID(), orderID: orderID, shopID: shopID, hold: hold, at: time)
                try await row.create(on: db)
                order.$holds.value?.append(row)
                order.status = try OrderStateMachine.next(order.status, on: .hold)
                try await self.timeline(db).append(shopID: shopID, orderID: orderID, [
                    (.orderHeld, HoldFact(reason: hold.reason, detail: hold.detail, note: nil)),
                ], actor: actor, at: time)
            }
            try await self.touch(order, at: time, on: db)
            let dueReasons = Set(due.map(\.reason))
            let stale = open.filter { $0.reason.isAddressRelated && !dueReasons.contains($0.reason) }
            if !stale.isEmpty {
                try await self.releaseHolds(stale, of: order, because: "corrected", actor: actor, on: db)
            }
        }
    }

    /// Reserves an order that was held for missing stock, in the caller's transaction; 409 when still short.
    private func reserveHeldOrder(_ order: Order, shopID: UUID, actor: Actor, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let orderID = try order.requireID()
        let reserved = try await sql.raw("SELECT COUNT(*) AS n FROM order_allocations WHERE order_id = \(bind: orderID) AND state = 'reserved'")
            .first()?.decode(column: "n", as: Int64.self) ?? 0
        guard reserved == 0 else { return }
        let tracked = try await sql.raw("""
            SELECT id FROM variants WHERE shop_id = \(bind: shopID) AND track_inventory = \(bind: true)
            AND id IN (\(binds: order.lines.map(\.variantID)))
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
        let lines = order.lines.filter { tracked.contains($0.variantID) }
        guard !lines.isEmpty else { return }
        guard let shop = try await ShopRules.load(shopID, on: sql) else { throw APIError.notFound("shop") }
        let store = InventoryStore(sql: sql, now: now, newID: application.dependencies.ids.next)
        let stock = try await store.stock(shopID: shopID, skus: lines.map(\.sku))
        switch AllocationPlanner.plan(lines.map { Demand(sku: $0.sku, quantity: $0.quantity) }, stock: stock,
                                      destination: order.shippingAddress, policy: shop.inventoryPolicy) {
        case .short(let shortfalls):
            throw APIError(.conflict, "out_of_stock", "still short: " + Hold.outOfStock(shortfalls).detail)
        case .allocated(let allocations):
            let variants = Dictionary(lines.map { ($0.sku, $0.variantID) }, uniquingKeysWith: { a, _ in a })
            let plan = allocations.compactMap { a in variants[a.sku].map { PlannedReservation(allocation: a, variantID: $0) } }
            let rows: InventoryStore.ReservationRows
            do {
                rows = try await store.reserveAll(plan, shopID: shopID, orderID: orderID, actor: actor.name,
                                                  allowBackorder: shop.inventoryPolicy.allowBackorder)
            } catch is ReservationLost {
                throw APIError(.conflict, "stock_contended", "the stock was taken meanwhile; try again")
            }
            try await sql.raw(SQLRows.insert(into: "order_allocations", InventoryStore.ReservationRows.allocationColumns, rows.allocations)).run()
            try await sql.raw(SQLRows.insert(into: "stock_movements", InventoryStore.ledgerColumns, rows.ledger)).run()
            var facts: [(TimelineKind, any Encodable & Sendable)] = [(.stockReserved, StockFact(lines: plan.map {
                StockFact.Line(sku: $0.allocation.sku, locationId: $0.allocation.locationID, quantity: $0.allocation.quantity)
            }))]
            // An order held for stock was not promised a date; now that it has its stock, it is (F2).
            let promised = try await sql.raw("SELECT 1 AS found FROM order_promises WHERE order_id = \(bind: orderID)").first() != nil
            if !promised, let promise = await makePromise(destination: order.shippingAddress, locale: order.locale,
                                                          locations: allocations.map(\.locationID), shopID: shopID, in: db) {
                try await sql.raw(SQLRows.insert(into: "order_promises", MadePromise.columns,
                                                 [try promise.row(orderID: orderID, shopID: shopID, madeAt: now)])).run()
                facts.append((.orderPromised, promise.dto(madeAt: now)))
            }
            try await timeline(db).append(shopID: shopID, orderID: orderID, facts, actor: actor, at: now)
        }
    }

    private func releaseHolds(_ holds: [OrderHold], of order: Order, because note: String?, actor: Actor,
                              on db: any Database) async throws {
        let time = now
        let orderID = try order.requireID()
        var facts: [(TimelineKind, any Encodable & Sendable)] = []
        for hold in holds {
            hold.releasedAt = time
            hold.releasedBy = actor.name
            try await hold.save(on: db)
            facts.append((.holdReleased, HoldFact(reason: hold.reason, detail: hold.detail, note: note)))
        }
        if order.holds.allSatisfy({ $0.releasedAt != nil }) && order.status == .onHold {
            order.status = try OrderStateMachine.next(order.status, on: .release)
            facts.append((.orderReady, StatusFact(status: .ready)))
        }
        try await touch(order, at: time, on: db)
        try await timeline(db).append(shopID: order.$shop.id, orderID: orderID, facts, actor: actor, at: time)
    }

    private func touch(_ order: Order, at time: Date, on db: any Database) async throws {
        order.updatedAt = time
        try await order.save(on: db)
    }

    private func timeline(_ db: any Database) -> Timeline {
        Timeline(db: db, newID: application.dependencies.ids.next)
    }

    /// Takes the order's row lock for the rest of the transaction (PostgreSQL `FOR UPDATE`; on SQLite the
    /// write gate already serialises writers). Every change to an order or its shipments holds it.
    static func lock(_ orderID: UUID, on sql: any SQLDatabase) async throws {
        _ = try await sql.select().column("id").from(Order.schema).where("id", .equal, orderID).for(.update).all()
    }

    /// Loads the order under a row lock (PostgreSQL `FOR UPDATE`; on SQLite the write gate already
    /// serialises writers), runs `change`, and returns the order as it now is.
    func withLockedOrder(
        _ orderID: UUID, shopID: UUID, _ change: @escaping @Sendable (Order, any Database) async throws -> Void
    ) async throws -> OrderDTO {
        try await application.write { db in
            try await OrderService.lock(orderID, on: db as! any SQLDatabase)
            guard let order = try await Order.query(on: db).filter(\.$id == orderID).filter(\.$shop.$id == shopID)
                .with(\.$lines).with(\.$holds).first() else {
                throw APIError.notFound("order")
            }
            try await change(order, db)
            return try OrderDTO(order, lines: order.lines, openHolds: order.holds)
        }
    }
}

struct CancelFact: Codable, Sendable {
    var reason: String?
    var previousStatus: OrderStatus
    /// Shipments packed for the order that will not leave now.
    var voidedShipments: [String]? = nil
}

struct ReleaseFact: Codable, Sendable {
    struct Line: Codable, Sendable {
        var sku: String
        var quantity: Int64
    }
    var lines: [Line]
}

struct CorrectionFact: Codable, Sendable {
    var fields: [String]
}
