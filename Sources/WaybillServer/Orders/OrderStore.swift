import Foundation
import SQLKit
import WaybillCore

/// The order hot paths in SQL with bound parameters: intake's inserts and the single-order read.
///
/// Fluent hydrates models through reflection on every row, which the benchmark showed costing several
/// times the query itself; these paths run on every checkout and every status look-up, so they decode
/// rows straight into the API's DTOs instead. Lists and operator actions stay on Fluent.
/// Values are bound through the database's own encoder, so rows read the same through either path.
struct OrderStore {
    let sql: any SQLDatabase

    init(_ db: any SQLDatabase) { sql = db }

    /// Row shapes, decoded with snake_case column names.
    struct OrderRow: Decodable {
        var id: UUID
        var number: Int64
        var source: String
        var externalId: String?
        var status: OrderStatus
        var currency: String
        var locale: String
        var customerName: String
        var customerEmail: String
        var customerPhone: String?
        var shippingAddress: Address
        var billingAddress: Address?
        var subtotal: Int64
        var discountTotal: Int64
        var shippingTotal: Int64
        var taxTotal: Int64
        var total: Int64
        var note: String?
        var placedAt: Date
        var updatedAt: Date
    }

    struct LineRow: Decodable {
        var sku: String
        var variantId: UUID
        var name: String
        var quantity: Int64
        var unitPrice: Int64
        var discount: Int64
        var total: Int64
    }

    struct HoldRow: Decodable {
        var reason: HoldReason
        var detail: String
        var createdAt: Date
    }

    static let orderColumns = """
        id, number, source, external_id, status, currency, locale, customer_name, customer_email, customer_phone,
        shipping_address, billing_address, subtotal, discount_total, shipping_total, tax_total, total, note,
        placed_at, updated_at
        """

    /// One order as the API shows it, by id or number; nil when the shop has no such order.
    func dto(shopID: UUID, id: UUID? = nil, number: Int64? = nil) async throws -> OrderDTO? {
        // The order and its promise in one statement (the promise's columns are prefixed `promise_`).
        let found: (any SQLRow)?
        let joined: SQLQueryString = "SELECT o.*, " + PromiseService.columns(prefix: "p.", as: "promise_")
            + " FROM (SELECT \(unsafeRaw: Self.orderColumns) FROM orders WHERE shop_id = \(bind: shopID) AND "
        if let id {
            found = try await sql.raw(joined + "id = \(bind: id)) o LEFT JOIN order_promises p ON p.order_id = o.id").first()
        } else if let number {
            found = try await sql.raw(joined + "number = \(bind: number)) o LEFT JOIN order_promises p ON p.order_id = o.id").first()
        } else {
            found = nil
        }
        guard let found else { return nil }
        let row = try found.decode(model: OrderRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        let lines = try await sql.raw("""
            SELECT sku, variant_id, name, quantity, unit_price, discount, total FROM order_lines
            WHERE order_id = \(bind: row.id) ORDER BY position
            """).all(decoding: LineRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        let holds = try await sql.raw("""
            SELECT reason, detail, created_at FROM order_holds
            WHERE order_id = \(bind: row.id) AND released_at IS NULL ORDER BY created_at
            """).all(decoding: HoldRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        var dto = OrderDTO(row, lines: lines, holds: holds)
        if try found.decode(column: "promise_carrier", as: String?.self) != nil {
            dto.promise = try PromiseService.dto(found, prefix: "promise_")
        }
        return dto
    }

    /// Parses `1042`, `#1042` or a UUID, then reads the order.
    func dto(shopID: UUID, reference: String) async throws -> OrderDTO? {
        if let id = UUID(uuidString: reference) { return try await dto(shopID: shopID, id: id) }
        let digits = reference.hasPrefix("#") ? String(reference.dropFirst()) : reference
        guard let number = Int64(digits) else { return nil }
        return try await dto(shopID: shopID, number: number)
    }

    /// A stored first answer to a request sent with an `Idempotency-Key`.
    struct IdempotentAnswer {
        var id: UUID
        var key: String
        var requestHash: String
        var status: Int
        var body: String
    }

    /// Writes a new order: its row, lines, holds, timeline facts and idempotency record, all or nothing.
    ///
    /// On PostgreSQL this is one statement (data-modifying CTEs), atomic by itself and one round trip;
    /// a unique violation on the idempotency key or `(source, external_id)` fails the whole statement, and so
    /// does a reservation's guard when `reserving` is given.
    /// On SQLite, where the write gate serialises writers, the inserts run in the caller's transaction.
    func insertNew(
        _ dto: OrderDTO, shopID: UUID, itemsSignature: String, lineIDs: [UUID], holdIDs: [UUID],
        facts: [[any Encodable & Sendable]], answer: IdempotentAnswer?,
        reservations: InventoryStore.ReservationRows = .init(ledger: [], allocations: []),
        promise: [[any Encodable & Sendable]] = [],
        dispatch: [any Encodable & Sendable]? = nil,
        reserving: SQLQueryString? = nil
    ) async throws {
        var tables: [(String, [String], [[any Encodable & Sendable]])] = [
            ("orders", ["id", "shop_id", "number", "source", "external_id", "status", "currency", "locale", "customer_name",
                        "customer_email", "customer_phone", "shipping_address", "billing_address", "ship_country", "subtotal",
                        "discount_total", "shipping_total", "tax_total", "total", "note", "items_signature", "placed_at", "updated_at"],
             [[dto.id, shopID, dto.number, dto.source, dto.externalId, dto.status.rawValue, dto.currency, dto.locale,
               dto.customer.name, dto.customer.email, dto.customer.phone, dto.shippingAddress, dto.billingAddress,
               dto.shippingAddress.country, dto.subtotal, dto.discountTotal, dto.shippingTotal, dto.taxTotal, dto.total,
               dto.note, itemsSignature, dto.placedAt, dto.updatedAt]]),
            ("order_lines", ["id", "order_id", "position", "variant_id", "sku", "name", "quantity", "unit_price", "discount", "total"],
             dto.lineItems.enumerated().map { position, line in
                 [lineIDs[position], dto.id, position, line.variantId, line.sku, line.name, line.quantity, line.unitPrice,
                  line.discount, line.total]
             }),
            ("order_holds", ["id", "order_id", "shop_id", "reason", "detail", "created_at"],
             dto.holds.enumerated().map { index, hold in
                 [holdIDs[index], dto.id, shopID, hold.reason.rawValue, hold.detail, hold.createdAt]
             }),
            (TimelineFact.schema, Timeline.columns, facts),
            ("order_allocations", InventoryStore.ReservationRows.allocationColumns, reservations.allocations),
            ("stock_movements", InventoryStore.ledgerColumns, reservations.ledger),
            ("order_promises", MadePromise.columns, promise),
            ("outbox", Outbox.dispatchColumns, dispatch.map { [$0] } ?? []),
        ]
        if let answer {
            tables.append((IdempotencyRecord.schema, ["id", "shop_id", "key", "request_hash", "status_code", "response_body", "created_at"],
                           [[answer.id, shopID, answer.key, answer.requestHash, answer.status, answer.body, dto.placedAt]]))
        }
        tables.removeAll { $0.2.isEmpty }
        if sql.dialect.name == "postgresql" {
            let parts = tables.enumerated().map { index, table -> SQLQueryString in
                "w\(unsafeRaw: String(index)) AS (" + SQLRows.insert(into: table.0, table.1, table.2) + ")"
            }
            // With `reserving` (InventoryStore.reservingInOrderStatement) the statement also takes the lines'
            // stock, and selecting its guard makes it give up whole when a line's stock is gone.
            let head: SQLQueryString = reserving.map { "WITH " + $0 + ", " } ?? "WITH "
            try await sql.raw(head + parts.joined(separator: ", ") + (reserving == nil ? " SELECT 1" : " SELECT lost FROM guard")).run()
        } else {
            for table in tables { try await sql.raw(SQLRows.insert(into: table.0, table.1, table.2)).run() }
        }
    }
}

extension OrderDTO {
    init(_ o: OrderStore.OrderRow, lines: [OrderStore.LineRow], holds: [OrderStore.HoldRow]) {
        id = o.id
        number = o.number
        status = o.status
        source = o.source
        externalId = o.externalId
        currency = o.currency
        locale = o.locale
        customer = Customer(name: o.customerName, email: o.customerEmail, phone: o.customerPhone)
        shippingAddress = o.shippingAddress
        billingAddress = o.billingAddress
        lineItems = lines.map {
            Line(sku: $0.sku, variantId: $0.variantId, name: $0.name, quantity: $0.quantity, unitPrice: $0.unitPrice,
                 discount: $0.discount, total: $0.total)
        }
        subtotal = o.subtotal
        discountTotal = o.discountTotal
        shippingTotal = o.shippingTotal
        taxTotal = o.taxTotal
        total = o.total
        self.holds = holds.map { HoldDTO(reason: $0.reason, detail: $0.detail, createdAt: $0.createdAt) }
        note = o.note
        placedAt = o.placedAt
        updatedAt = o.updatedAt
    }
}
