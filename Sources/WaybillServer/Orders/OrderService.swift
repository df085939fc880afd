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
    }

    func create(
        _ input: CreateOrderRequest, rawBody: Data, shop: Shop, actor: Actor, idempotencyKey: String?
    ) async throws -> Outcome {
        let shopID = try shop.requireID()
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
        let ids = (order: newID(), record: newID(), lines: valid.lines.map { _ in newID() }, holds: holds.map { _ in newID() })

        do {
            return try await application.write { db in
                if let idempotencyKey {
                    let record = IdempotencyRecord()
                    record.id = ids.record
                    record.shopID = shopID
                    record.key = idempotencyKey
                    record.requestHash = requestHash
                    record.createdAt = placedAt
                    // Inserted first: a concurrent twin blocks on the unique key until this commits, then replays it.
                    try await record.create(on: db)
                }
                let number = try await OrderNumbers.next(shopID: shopID, on: db)
                let stored = try await self.insert(valid, ids: ids, number: number, holds: holds, shopID: shopID,
                                                   source: source, input: input, at: placedAt, actor: actor, on: db)
                let body = try JSONCoding.encoder.encode(stored)
                if let idempotencyKey {
                    try await IdempotencyRecord.query(on: db)
                        .filter(\.$shopID == shopID).filter(\.$key == idempotencyKey)
                        .set(\.$statusCode, to: Int(HTTPResponseStatus.created.code))
                        .set(\.$responseBody, to: String(decoding: body, as: UTF8.self))
                        .update()
                }
                return Outcome(status: .created, body: body, replayed: false)
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

    private func insert(
        _ valid: ValidOrder, ids: (order: UUID, record: UUID, lines: [UUID], holds: [UUID]), number: Int64,
        holds: [Hold], shopID: UUID, source: String, input: CreateOrderRequest, at placedAt: Date, actor: Actor,
        on db: any Database
    ) async throws -> OrderDTO {
        let order = Order()
        order.id = ids.order
        order.$shop.id = shopID
        order.number = number
        order.source = source
        order.externalID = input.externalId
        order.status = try OrderStateMachine.next(.placed, on: holds.isEmpty ? .accept : .hold)
        order.currency = valid.currency.rawValue
        order.locale = valid.locale
        order.customerName = valid.customer.name
        order.customerEmail = valid.customer.email
        order.customerPhone = valid.customer.phone
        order.shippingAddress = valid.shippingAddress
        order.billingAddress = valid.billingAddress
        order.shipCountry = valid.shippingAddress.country
        order.subtotal = valid.subtotal
        order.discountTotal = valid.discountTotal
        order.shippingTotal = valid.shippingTotal
        order.taxTotal = valid.taxTotal
        order.total = valid.total
        order.note = input.note
        order.itemsSignature = valid.itemsSignature
        order.placedAt = placedAt
        order.updatedAt = placedAt
        try await order.create(on: db)

        let lines = valid.lines.enumerated().map { index, line in
            let row = OrderLine()
            row.id = ids.lines[index]
            row.$order.id = ids.order
            row.position = index
            row.variantID = line.variantID
            row.sku = line.sku
            row.name = line.name
            row.quantity = line.quantity
            row.unitPrice = line.unitPrice
            row.discount = line.discount
            row.total = line.total
            return row
        }
        try await lines.create(on: db)
        let holdRows = holds.enumerated().map { index, hold in
            makeHold(id: ids.holds[index], orderID: ids.order, shopID: shopID, hold: hold, at: placedAt)
        }
        if !holdRows.isEmpty { try await holdRows.create(on: db) }

        var facts: [(TimelineKind, any Encodable & Sendable)] = [(.orderPlaced, PlacedFact(
            number: number, source: source, externalId: input.externalId, currency: valid.currency.rawValue,
            total: valid.total, lineCount: valid.lines.count, customerEmail: valid.customer.email
        ))]
        facts += holds.map { (.orderHeld, HoldFact(reason: $0.reason, detail: $0.detail, note: nil)) }
        if holds.isEmpty { facts.append((.orderReady, StatusFact(status: .ready))) }
        try await Timeline(db: db, newID: application.dependencies.ids.next)
            .append(shopID: shopID, orderID: ids.order, facts, actor: actor, at: placedAt, startingAfter: 0)
        return try OrderDTO(order, lines: lines, openHolds: holdRows)
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
        if let key, let record = try await IdempotencyRecord.query(on: db)
            .filter(\.$shopID == shopID).filter(\.$key == key).first() {
            guard record.requestHash == requestHash else {
                throw APIError(.unprocessableEntity, "idempotency_key_reused",
                               "this Idempotency-Key was already used with a different request body")
            }
            if let status = record.statusCode, let body = record.responseBody {
                return Outcome(status: HTTPResponseStatus(statusCode: status), body: Data(body.utf8), replayed: true)
            }
        }
        if let externalID, let order = try await Order.query(on: db)
            .filter(\.$shop.$id == shopID).filter(\.$source == source).filter(\.$externalID == externalID)
            .with(\.$lines).with(\.$holds).first() {
            let dto = try OrderDTO(order, lines: order.lines, openHolds: order.holds)
            return Outcome(status: .ok, body: try JSONCoding.encoder.encode(dto), replayed: true)
        }
        return nil
    }

    /// What the shop's history says about this order: its usual total and this customer's recent orders.
    private func holdContext(shopID: UUID, order: ValidOrder, at now: Date, window: Int) async throws -> HoldContext {
        let sql = db as! any SQLDatabase
        let totals = try await sql.select().column("total").from(Order.schema)
            .where("shop_id", .equal, shopID).where("currency", .equal, order.currency.rawValue)
            .where("status", .notEqual, OrderStatus.cancelled.rawValue)
            .orderBy("number", .descending).limit(101)
            .all().map { try $0.decode(column: "total", as: Int64.self) }.sorted()
        let recent = try await Order.query(on: db)
            .filter(\.$shop.$id == shopID).filter(\.$customerEmail == order.customer.email)
            .filter(\.$placedAt >= now.addingTimeInterval(-Double(window) * 60))
            .filter(\.$status != .cancelled)
            .all()
        return HoldContext(
            usualTotal: totals.isEmpty ? nil : totals[totals.count / 2],
            historyCount: totals.count,
            recentOrdersOfCustomer: recent.map {
                HoldContext.RecentOrder(number: $0.number, placedAt: $0.placedAt, itemsSignature: $0.itemsSignature)
            },
            now: now
        )
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
