import Crypto
import Fluent
import SQLKit
import Vapor
import WaybillCore

/// Order intake and every later change to an order. The only writer of orders, lines and holds.
struct OrderService {
    let application: Application
    let db: any Database
    /// Overrides the application's clock; the demo uses it to place orders in the past.
    var clock: WaybillClock? = nil

    var now: Date { (clock ?? application.dependencies.clock).now() }
    func newID() -> UUID { application.dependencies.ids.next() }
    var timeline: Timeline { Timeline(db: db, newID: application.dependencies.ids.next) }

    /// A response to an order-creating request: fresh, or the replay of the first one.
    struct Outcome: Sendable {
        var status: HTTPResponseStatus
        var body: Data
        var replayed: Bool
        /// The order's id, for the `Location` header; holds placed now (empty on replays), for metrics.
        var orderID: UUID?
        var newHolds: [HoldReason] = []
    }

    func create(
        _ input: CreateOrderRequest, rawBody: Data, shop: ShopRules, actor: Actor, idempotencyKey: String?
    ) async throws -> Outcome {
        let shopID = shop.id
        let requestHash = Idempotency.hash(rawBody)
        let source = input.source ?? actor.source
        if let replay = try await replay(shopID: shopID, key: idempotencyKey, requestHash: requestHash,
                                         source: source, externalID: input.externalId) {
            return replay
        }

        var issues = input.envelopeIssues()
        let draft = input.draft
        let locale = OrderValidator.normalizedLocale(draft.locale, country: draft.shippingAddress.country.uppercased())
        let catalog = try await CatalogService(db: db, now: now, newID: application.dependencies.ids.next)
            .entries(shopID: shopID, skus: draft.lines.prefix(OrderValidator.maxLines).map(\.sku), locale: locale)
        let valid: ValidOrder
        switch OrderValidator.validate(draft, catalog: catalog) {
        case .success(let order) where issues.isEmpty: valid = order
        case .success: throw ValidationFailure(issues)
        case .failure(let failure):
            issues.append(contentsOf: failure.issues)
            throw ValidationFailure(issues)
        }

        let placedAt = now
        let context = try await holdContext(shopID: shopID, order: valid, at: placedAt, window: shop.holdPolicy.duplicateWindowMinutes)
        let holds = HoldRules.evaluate(valid, policy: shop.holdPolicy, context: context)
        let intake = Intake(valid: valid, input: input, source: source, holds: holds, placedAt: placedAt,
                            orderID: newID(), recordID: newID(), lineIDs: valid.lines.map { _ in newID() },
                            requestHash: requestHash, idempotencyKey: idempotencyKey, actor: actor)
        // Stock is planned from a read, then taken by conditional updates; a buyer who loses the race for
        // the last units plans again and, when nothing is left, gets the shortage instead (F1).
        for _ in 0..<4 {
            do {
                let (plan, shortHolds) = try await planStock(valid, shop: shop)
                let promise = shortHolds.isEmpty ? await makePromise(
                    destination: valid.shippingAddress, shipping: input.shipping, locale: valid.locale,
                    locations: plan.map(\.allocation.locationID), shopID: shop.id, at: placedAt) : nil
                return try await write(intake, plan: plan, extraHolds: shortHolds, shop: shop, promise: promise)
            } catch is ReservationLost {
                continue
            } catch {
                guard let dbError = error as? any DatabaseError, dbError.isConstraintFailure else { throw error }
                // Lost a race with an identical request: answer with the winner's result.
                if let replay = try await replay(shopID: shopID, key: idempotencyKey, requestHash: requestHash,
                                                 source: source, externalID: input.externalId) {
                    return replay
                }
                throw error
            }
        }
        throw APIError(.serviceUnavailable, "stock_contended", "stock for this order is changing too fast; retry the request")
    }

    /// What one intake writes, fixed before any attempt so a retry after a lost race writes the same ids.
    struct Intake: Sendable {
        var valid: ValidOrder
        var input: CreateOrderRequest
        var source: String
        var holds: [Hold]
        var placedAt: Date
        var orderID: UUID
        var recordID: UUID
        var lineIDs: [UUID]
        var requestHash: String
        var idempotencyKey: String?
        var actor: Actor
    }

    /// Where tracked lines take their stock from, or the `out_of_stock` hold (or refusal) when they cannot.
    private func planStock(_ valid: ValidOrder, shop: ShopRules) async throws -> ([PlannedReservation], [Hold]) {
        let tracked = valid.lines.filter(\.tracked)
        guard !tracked.isEmpty else { return ([], []) }
        let store = InventoryStore(sql: db as! any SQLDatabase, now: now, newID: application.dependencies.ids.next)
        let stock = try await store.stock(shopID: shop.id, skus: tracked.map(\.sku))
        let demand = tracked.map { Demand(sku: $0.sku, quantity: $0.quantity) }
        switch AllocationPlanner.plan(demand, stock: stock, destination: valid.shippingAddress, policy: shop.inventoryPolicy) {
        case .allocated(let allocations):
            let variants = Dictionary(tracked.map { ($0.sku, $0.variantID) }, uniquingKeysWith: { a, _ in a })
            return (allocations.compactMap { a in variants[a.sku].map { PlannedReservation(allocation: a, variantID: $0) } }, [])
        case .short(let shortfalls):
            guard shop.inventoryPolicy.onShortage == .hold else {
                let position = Dictionary(valid.lines.enumerated().map { ($1.sku, $0) }, uniquingKeysWith: { a, _ in a })
                throw APIError(.conflict, "out_of_stock", "not enough stock for this order", fields: shortfalls.map {
                    FieldIssue(field: "line_items[\(position[$0.sku] ?? 0)].quantity", code: "out_of_stock",
                               message: "\($0.sku): \($0.requested) ordered, \(max($0.available, 0)) available")
                })
            }
            return ([], [Hold.outOfStock(shortfalls)])
        }
    }

    /// The delivery promise for an order that has its stock (F2). An order is never refused for want of a
    /// promise: a failure here is logged and the order goes on without one.
    func makePromise(destination: Address, shipping: CreateOrderRequest.ShippingChoice? = nil, locale: String,
                     locations: [UUID], shopID: UUID, at time: Date? = nil, in db: (any Database)? = nil) async -> MadePromise? {
        let time = time ?? now
        do {
            return try await PromiseService(application: application, now: time, db: db).promise(
                destination: destination, shipping: shipping, locations: locations, shopID: shopID, locale: locale, at: time)
        } catch {
            application.logger.error("no delivery promise for a new order: \(String(reflecting: error))")
            return nil
        }
    }

    /// Writes the order. On PostgreSQL: `nextval`, then one atomic statement that also takes the reservations
    /// unless the shop allows backorders (then one transaction holding the line-by-line updates and the
    /// inserts). On SQLite: one gated transaction.
    private func write(_ intake: Intake, plan: [PlannedReservation], extraHolds: [Hold], shop: ShopRules,
                       promise: MadePromise?) async throws -> Outcome {
        let holds = intake.holds + extraHolds
        let holdIDs = holds.map { _ in newID() }
        let ids = application.dependencies.ids.next
        let clock = now
        // On PostgreSQL, reservations without backorders are taken by the order's own insert statement (no
        // BEGIN, COMMIT or separate reserving round trip); elsewhere by conditional updates in a transaction.
        let inStatement = InventoryStore.reservesInOrderStatement(plan, allowBackorder: shop.inventoryPolicy.allowBackorder,
                                                                  on: db as! any SQLDatabase)
        let body: @Sendable (any Database) async throws -> Outcome = { db in
            let sql = db as! any SQLDatabase
            let valid = intake.valid
            let number = try await OrderNumbers.next(shopID: shop.id, on: db)
            let store = InventoryStore(sql: sql, now: clock, newID: ids)
            let reserving: SQLQueryString?
            let reservations: InventoryStore.ReservationRows
            if inStatement {
                (reserving, reservations) = store.reservingInOrderStatement(plan, shopID: shop.id, orderID: intake.orderID,
                                                                            actor: intake.actor.name)
            } else {
                // Conditional updates first: a lost race rolls back before anything else is written.
                reserving = nil
                reservations = try await store.reserveAll(plan, shopID: shop.id, orderID: intake.orderID, actor: intake.actor.name,
                                                          allowBackorder: shop.inventoryPolicy.allowBackorder)
            }
            var order = OrderDTO(
                id: intake.orderID, number: number, status: try OrderStateMachine.next(.placed, on: holds.isEmpty ? .accept : .hold),
                source: intake.source, externalId: intake.input.externalId, currency: valid.currency.rawValue, locale: valid.locale,
                customer: valid.customer, shippingAddress: valid.shippingAddress, billingAddress: valid.billingAddress,
                lineItems: valid.lines.map {
                    .init(sku: $0.sku, variantId: $0.variantID, name: $0.name, quantity: $0.quantity,
                          unitPrice: $0.unitPrice, discount: $0.discount, total: $0.total)
                },
                subtotal: valid.subtotal, discountTotal: valid.discountTotal, shippingTotal: valid.shippingTotal,
                taxTotal: valid.taxTotal, total: valid.total,
                holds: holds.map { .init(reason: $0.reason, detail: $0.detail, createdAt: intake.placedAt) },
                note: intake.input.note, placedAt: intake.placedAt, updatedAt: intake.placedAt
            )
            var facts: [(TimelineKind, any Encodable & Sendable)] = [(.orderPlaced, PlacedFact(
                number: number, source: intake.source, externalId: intake.input.externalId, currency: order.currency,
                total: order.total, lineCount: order.lineItems.count, customerEmail: order.customer.email
            ))]
            if !plan.isEmpty {
                facts.append((.stockReserved, StockFact(lines: plan.map {
                    StockFact.Line(sku: $0.allocation.sku, locationId: $0.allocation.locationID, quantity: $0.allocation.quantity)
                })))
            }
            facts += holds.map { (.orderHeld, HoldFact(reason: $0.reason, detail: $0.detail, note: nil)) }
            if holds.isEmpty { facts.append((.orderReady, StatusFact(status: .ready))) }
            if let promise {
                order.promise = promise.dto(madeAt: intake.placedAt)
                facts.append((.orderPromised, promise.dto(madeAt: intake.placedAt)))
            }
            let encoded = try JSONCoding.encoder.encode(order)
            try await OrderStore(sql).insertNew(
                order, shopID: shop.id, itemsSignature: valid.itemsSignature, lineIDs: intake.lineIDs, holdIDs: holdIDs,
                facts: try Timeline.rows(shopID: shop.id, orderID: intake.orderID, facts, actor: intake.actor, at: intake.placedAt,
                                         after: 0, newID: ids),
                answer: intake.idempotencyKey.map {
                    .init(id: intake.recordID, key: $0, requestHash: intake.requestHash,
                          status: Int(HTTPResponseStatus.created.code), body: String(decoding: encoded, as: UTF8.self))
                },
                reservations: reservations,
                promise: try promise.map { [try $0.row(orderID: intake.orderID, shopID: shop.id, madeAt: intake.placedAt)] } ?? [],
                dispatch: Outbox.dispatchRow(id: ids(), shopID: shop.id, orderID: intake.orderID, first: 1, last: facts.count,
                                             at: intake.placedAt),
                reserving: reserving
            )
            return Outcome(status: .created, body: encoded, replayed: false, orderID: intake.orderID, newHolds: holds.map(\.reason))
        }
        if plan.isEmpty || inStatement {
            do {
                return try await application.writeGate.singleStatement(on: db, body)
            } catch where InventoryStore.isReservationLost(error) {
                throw ReservationLost()
            }
        }
        return try await application.write(body)
    }

    func makeHold(id: UUID, orderID: UUID, shopID: UUID, hold: Hold, at time: Date) -> OrderHold {
        let row = OrderHold()
        row.id = id
        row.$order.id = orderID
        row.shopID = shopID
        row.reason = hold.reason
        row.detail = hold.detail
        row.createdAt = time
        return row
    }

    /// The stored answer for a retried request, if there is one. The idempotency key and the external id are
    /// looked up in one statement (intake's hot path; usually neither is found).
    private func replay(shopID: UUID, key: String?, requestHash: String, source: String, externalID: String?) async throws -> Outcome? {
        guard key != nil || externalID != nil else { return nil }
        let sql = db as! any SQLDatabase
        var parts: [SQLQueryString] = []
        if let key {
            parts.append("""
                SELECT 0 AS part, request_hash, status_code, response_body, NULL AS order_id FROM idempotency_keys
                WHERE shop_id = \(bind: shopID) AND key = \(bind: key)
                """)
        }
        if let externalID {
            parts.append("""
                SELECT 1 AS part, NULL AS request_hash, NULL AS status_code, NULL AS response_body, id AS order_id FROM orders
                WHERE shop_id = \(bind: shopID) AND source = \(bind: source) AND external_id = \(bind: externalID)
                """)
        }
        let rows = try await sql.raw(parts.joined(separator: " UNION ALL ")).all()
        if let row = try rows.first(where: { try $0.decode(column: "part", as: Int.self) == 0 }),
           let answer = try Idempotency.answer(row, requestHash: requestHash) {
            let orderID = try? JSONCoding.decoder.decode(OrderDTO.self, from: answer.body).id
            return Outcome(status: answer.status, body: answer.body, replayed: true, orderID: orderID)
        }
        if let row = try rows.first(where: { try $0.decode(column: "part", as: Int.self) == 1 }),
           let dto = try await OrderStore(sql).dto(shopID: shopID, id: try row.decode(column: "order_id", as: UUID.self)) {
            return Outcome(status: .ok, body: try JSONCoding.encoder.encode(dto), replayed: true, orderID: dto.id)
        }
        return nil
    }

    /// What the shop's history says about this order: its usual total and this customer's recent orders.
    private func holdContext(shopID: UUID, order: ValidOrder, at now: Date, window: Int) async throws -> HoldContext {
        // Both in one statement: the totals of the shop's latest 101 orders (part 0) and this customer's
        // orders within the duplicate window (part 1). The latest are looked for among the shop's last 500
        // order numbers, a range of the (shop_id, number) index: left to itself, PostgreSQL with statistics
        // from when the table was small sorted every order of the shop for each new one (2.5 ms at 5,000
        // orders, growing with the shop).
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT 0 AS part, total, NULL AS number, NULL AS placed_at, NULL AS items_signature FROM (
                SELECT total FROM orders WHERE shop_id = \(bind: shopID)
                AND number > (SELECT COALESCE(MAX(number), 0) FROM orders WHERE shop_id = \(bind: shopID)) - 500
                AND currency = \(bind: order.currency.rawValue)
                AND status <> \(bind: OrderStatus.cancelled.rawValue) ORDER BY number DESC LIMIT 101) latest
            UNION ALL
            SELECT 1 AS part, NULL AS total, number, placed_at, items_signature FROM orders
            WHERE shop_id = \(bind: shopID) AND customer_email = \(bind: order.customer.email)
            AND placed_at >= \(bind: now.addingTimeInterval(-Double(window) * 60))
            AND status <> \(bind: OrderStatus.cancelled.rawValue)
            """).all()
        var totals: [Int64] = []
        var recent: [HoldContext.RecentOrder] = []
        for row in rows {
            if try row.decode(column: "part", as: Int.self) == 0 {
                totals.append(try row.decode(column: "total", as: Int64.self))
            } else {
                recent.append(HoldContext.RecentOrder(number: try row.decode(column: "number", as: Int64.self),
                                                      placedAt: try row.decode(column: "placed_at", as: Date.self),
                                                      itemsSignature: try row.decode(column: "items_signature", as: String.self)))
            }
        }
        totals.sort()
        return HoldContext(usualTotal: totals.isEmpty ? nil : totals[totals.count / 2], historyCount: totals.count,
                           recentOrdersOfCustomer: recent, now: now)
    }
}

struct PlacedFact: Codable, Sendable {
    var number: Int64
    var source: String
    var externalId: String?
    var currency: String
    var total: Int64
    var lineCount: Int
    var customerEmail: String
}

struct HoldFact: Codable, Sendable {
    var reason: HoldReason
    var detail: String
    var note: String?
}

struct StockFact: Codable, Sendable {
    struct Line: Codable, Sendable {
        var sku: String
        var locationId: UUID
        var quantity: Int64
    }
    var lines: [Line]
}

struct StatusFact: Codable, Sendable {
    var status: OrderStatus
}
