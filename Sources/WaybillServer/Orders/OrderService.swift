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
        let requestHash = SHA256.hash(data: rawBody).map { String(format: "%02x", $0) }.joined()
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
        let orderID = newID(), recordID = newID()
        let lineIDs = valid.lines.map { _ in newID() }, holdIDs = holds.map { _ in newID() }
        let factIDs = application.dependencies.ids.next

        do {
            // PostgreSQL: `nextval` (no lock, not transactional) then one atomic statement; SQLite: one transaction.
            return try await application.writeGate.singleStatement(on: db) { db in
                let sql = db as! any SQLDatabase
                let number = try await OrderNumbers.next(shopID: shopID, on: db)
                let order = OrderDTO(
                    id: orderID, number: number, status: try OrderStateMachine.next(.placed, on: holds.isEmpty ? .accept : .hold),
                    source: source, externalId: input.externalId, currency: valid.currency.rawValue, locale: valid.locale,
                    customer: valid.customer, shippingAddress: valid.shippingAddress, billingAddress: valid.billingAddress,
                    lineItems: valid.lines.map {
                        .init(sku: $0.sku, variantId: $0.variantID, name: $0.name, quantity: $0.quantity,
                              unitPrice: $0.unitPrice, discount: $0.discount, total: $0.total)
                    },
                    subtotal: valid.subtotal, discountTotal: valid.discountTotal, shippingTotal: valid.shippingTotal,
                    taxTotal: valid.taxTotal, total: valid.total,
                    holds: holds.map { .init(reason: $0.reason, detail: $0.detail, createdAt: placedAt) },
                    note: input.note, placedAt: placedAt, updatedAt: placedAt
                )
                var facts: [(TimelineKind, any Encodable & Sendable)] = [(.orderPlaced, PlacedFact(
                    number: number, source: source, externalId: input.externalId, currency: order.currency,
                    total: order.total, lineCount: order.lineItems.count, customerEmail: order.customer.email
                ))]
                facts += holds.map { (.orderHeld, HoldFact(reason: $0.reason, detail: $0.detail, note: nil)) }
                if holds.isEmpty { facts.append((.orderReady, StatusFact(status: .ready))) }
                let body = try JSONCoding.encoder.encode(order)
                try await OrderStore(sql).insertNew(
                    order, shopID: shopID, itemsSignature: valid.itemsSignature, lineIDs: lineIDs, holdIDs: holdIDs,
                    facts: try Timeline.rows(shopID: shopID, orderID: orderID, facts, actor: actor, at: placedAt, after: 0, newID: factIDs),
                    answer: idempotencyKey.map {
                        .init(id: recordID, key: $0, requestHash: requestHash, status: Int(HTTPResponseStatus.created.code),
                              body: String(decoding: body, as: UTF8.self))
                    }
                )
                return Outcome(status: .created, body: body, replayed: false, orderID: orderID, newHolds: holds.map(\.reason))
            }
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

    /// The stored answer for a retried request, if there is one.
    private func replay(shopID: UUID, key: String?, requestHash: String, source: String, externalID: String?) async throws -> Outcome? {
        let sql = db as! any SQLDatabase
        if let key, let row = try await sql.raw("""
            SELECT request_hash, status_code, response_body FROM idempotency_keys
            WHERE shop_id = \(bind: shopID) AND key = \(bind: key)
            """).first() {
            guard try row.decode(column: "request_hash", as: String.self) == requestHash else {
                throw APIError(.unprocessableEntity, "idempotency_key_reused",
                               "this Idempotency-Key was already used with a different request body")
            }
            if let status = try row.decode(column: "status_code", as: Int?.self),
               let body = try row.decode(column: "response_body", as: String?.self) {
                let orderID = try? JSONCoding.decoder.decode(OrderDTO.self, from: Data(body.utf8)).id
                return Outcome(status: HTTPResponseStatus(statusCode: status), body: Data(body.utf8), replayed: true, orderID: orderID)
            }
        }
        let store = OrderStore(sql)
        if let externalID, let id = try await store.orderID(shopID: shopID, source: source, externalID: externalID),
           let dto = try await store.dto(shopID: shopID, id: id) {
            return Outcome(status: .ok, body: try JSONCoding.encoder.encode(dto), replayed: true, orderID: dto.id)
        }
        return nil
    }

    /// What the shop's history says about this order: its usual total and this customer's recent orders.
    private func holdContext(shopID: UUID, order: ValidOrder, at now: Date, window: Int) async throws -> HoldContext {
        let sql = db as! any SQLDatabase
        let totals = try await sql.raw("""
            SELECT total FROM orders WHERE shop_id = \(bind: shopID) AND currency = \(bind: order.currency.rawValue)
            AND status <> \(bind: OrderStatus.cancelled.rawValue) ORDER BY number DESC LIMIT 101
            """).all().map { try $0.decode(column: "total", as: Int64.self) }.sorted()
        let recent = try await sql.raw("""
            SELECT number, placed_at, items_signature FROM orders
            WHERE shop_id = \(bind: shopID) AND customer_email = \(bind: order.customer.email)
            AND placed_at >= \(bind: now.addingTimeInterval(-Double(window) * 60))
            AND status <> \(bind: OrderStatus.cancelled.rawValue)
            """).all().map {
                HoldContext.RecentOrder(number: try $0.decode(column: "number", as: Int64.self),
                                        placedAt: try $0.decode(column: "placed_at", as: Date.self),
                                        itemsSignature: try $0.decode(column: "items_signature", as: String.self))
            }
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

struct StatusFact: Codable, Sendable {
    var status: OrderStatus
}
