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
        let row: OrderRow?
        if let id {
            row = try await sql.raw("SELECT \(unsafeRaw: Self.orderColumns) FROM orders WHERE shop_id = \(bind: shopID) AND id = \(bind: id)")
                .first(decoding: OrderRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        } else if let number {
            row = try await sql.raw("SELECT \(unsafeRaw: Self.orderColumns) FROM orders WHERE shop_id = \(bind: shopID) AND number = \(bind: number)")
                .first(decoding: OrderRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        } else {
            row = nil
        }
        guard let row else { return nil }
        let lines = try await sql.raw("""
            SELECT sku, variant_id, name, quantity, unit_price, discount, total FROM order_lines
            WHERE order_id = \(bind: row.id) ORDER BY position
            """).all(decoding: LineRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        let holds = try await sql.raw("""
            SELECT reason, detail, created_at FROM order_holds
            WHERE order_id = \(bind: row.id) AND released_at IS NULL ORDER BY created_at
            """).all(decoding: HoldRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return OrderDTO(row, lines: lines, holds: holds)
    }

    /// Parses `1042`, `#1042` or a UUID, then reads the order.
    func dto(shopID: UUID, reference: String) async throws -> OrderDTO? {
        if let id = UUID(uuidString: reference) { return try await dto(shopID: shopID, id: id) }
        let digits = reference.hasPrefix("#") ? String(reference.dropFirst()) : reference
        guard let number = Int64(digits) else { return nil }
        return try await dto(shopID: shopID, number: number)
    }

    /// The id of the order a shop already holds under `(source, external_id)`.
    func orderID(shopID: UUID, source: String, externalID: String) async throws -> UUID? {
        try await sql.raw("""
            SELECT id FROM orders WHERE shop_id = \(bind: shopID) AND source = \(bind: source) AND external_id = \(bind: externalID)
            """).first()?.decode(column: "id", as: UUID.self)
    }

    /// Inserts an order with its lines and holds; the caller appends the timeline in the same transaction.
    func insert(_ dto: OrderDTO, shopID: UUID, itemsSignature: String, lineIDs: [UUID], holdIDs: [UUID]) async throws {
        try await sql.insert(into: "orders")
            .columns("id", "shop_id", "number", "source", "external_id", "status", "currency", "locale", "customer_name",
                     "customer_email", "customer_phone", "shipping_address", "billing_address", "ship_country", "subtotal",
                     "discount_total", "shipping_total", "tax_total", "total", "note", "items_signature", "placed_at", "updated_at")
            .values(
                SQLBind(dto.id), SQLBind(shopID), SQLBind(dto.number), SQLBind(dto.source), SQLBind(dto.externalId),
                SQLBind(dto.status.rawValue), SQLBind(dto.currency), SQLBind(dto.locale), SQLBind(dto.customer.name),
                SQLBind(dto.customer.email), SQLBind(dto.customer.phone), SQLBind(dto.shippingAddress),
                SQLBind(dto.billingAddress), SQLBind(dto.shippingAddress.country), SQLBind(dto.subtotal),
                SQLBind(dto.discountTotal), SQLBind(dto.shippingTotal), SQLBind(dto.taxTotal), SQLBind(dto.total),
                SQLBind(dto.note), SQLBind(itemsSignature), SQLBind(dto.placedAt), SQLBind(dto.updatedAt)
            )
            .run()
        let lines = sql.insert(into: "order_lines")
            .columns("id", "order_id", "position", "variant_id", "sku", "name", "quantity", "unit_price", "discount", "total")
        for (position, line) in dto.lineItems.enumerated() {
            lines.values(
                SQLBind(lineIDs[position]), SQLBind(dto.id), SQLBind(position), SQLBind(line.variantId), SQLBind(line.sku),
                SQLBind(line.name), SQLBind(line.quantity), SQLBind(line.unitPrice), SQLBind(line.discount), SQLBind(line.total)
            )
        }
        try await lines.run()
        guard !dto.holds.isEmpty else { return }
        let holds = sql.insert(into: "order_holds").columns("id", "order_id", "shop_id", "reason", "detail", "created_at")
        for (index, hold) in dto.holds.enumerated() {
            holds.values(SQLBind(holdIDs[index]), SQLBind(dto.id), SQLBind(shopID), SQLBind(hold.reason.rawValue),
                         SQLBind(hold.detail), SQLBind(hold.createdAt))
        }
        try await holds.run()
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
