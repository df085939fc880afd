import Fluent
import Foundation
import SQLKit
import Vapor
import WaybillCore

/// Purchase orders: what the shop expects from suppliers, received in one or several deliveries.
/// Each receipt posts `receipt` movements through `InventoryService` (the ledger's only door) and records
/// the supplier's observed lead time.
struct PurchaseOrders {
    let application: Application
    let db: any Database
    /// Overrides the application's clock; the demo books its supplier history in the past.
    var clock: WaybillClock? = nil

    var sql: any SQLDatabase { db as! any SQLDatabase }
    var now: Date { (clock ?? application.dependencies.clock).now() }

    struct CreateRequest: Decodable, Sendable {
        typealias Line = StockMovementRequest.Line
        var number: String
        var supplier: String
        var location: String
        var expectedAt: Date
        var orderedAt: Date?
        var lines: [Line]
    }

    struct ReceiveRequest: Decodable, Sendable {
        var lines: [StockMovementRequest.Line]
        /// Accept more than was ordered (the extra is still received and booked).
        var allowOverReceipt: Bool?
        var note: String?
    }

    struct DTO: Codable, Sendable {
        struct Line: Codable, Sendable {
            var sku: String
            var ordered: Int64
            var received: Int64
            var outstanding: Int64
        }
        var number: String
        var supplier: String
        var location: String
        var status: String
        var orderedAt: Date
        var expectedAt: Date
        var lines: [Line]
    }

    func create(_ r: CreateRequest, shopID: UUID) async throws -> DTO {
        var issues = IssueList()
        if r.number.isEmpty || r.number.count > 50 { issues.add("number", "invalid_length", "number must be 1–50 characters") }
        if r.supplier.trimmingCharacters(in: .whitespaces).isEmpty || r.supplier.count > 200 {
            issues.add("supplier", "invalid_length", "supplier must be 1–200 characters")
        }
        let service = InventoryService(application: application, db: db)
        let location = try await service.location(shopID: shopID, code: r.location, field: "location", issues: &issues)
        let orderedAt = r.orderedAt ?? now
        if r.expectedAt < orderedAt { issues.add("expected_at", "before_ordered_at", "expected_at must not be before ordered_at") }
        if r.lines.isEmpty { issues.add("lines", "required", "give at least one line") }
        if r.lines.count > 500 { issues.add("lines", "too_many", "at most 500 lines") }
        let variants = try await service.variantIDs(shopID: shopID, skus: r.lines.prefix(500).map(\.sku))
        var seen: Set<String> = []
        for (i, line) in r.lines.prefix(500).enumerated() {
            if variants[line.sku] == nil { issues.add("lines[\(i)].sku", "unknown_sku", "SKU '\(line.sku.prefix(64))' is not in the catalog") }
            if !seen.insert(line.sku).inserted { issues.add("lines[\(i)].sku", "duplicate_sku", "SKU \(line.sku) appears twice") }
            if line.quantity <= 0 { issues.add("lines[\(i)].quantity", "must_be_positive", "quantity must be a positive whole number") }
        }
        guard issues.isEmpty, let location else { throw ValidationFailure(issues.issues) }
        let ids = application.dependencies.ids.next
        let time = now
        let poID = ids()
        try await application.write { db in
            let sql = db as! any SQLDatabase
            try await sql.insert(into: "purchase_orders")
                .columns("id", "shop_id", "number", "supplier", "location_id", "status", "ordered_at", "expected_at", "created_at")
                .values(SQLBind(poID), SQLBind(shopID), SQLBind(r.number), SQLBind(r.supplier), SQLBind(location.id), SQLBind("open"),
                        SQLBind(orderedAt), SQLBind(r.expectedAt), SQLBind(time))
                .run()
            try await sql.raw(SQLRows.insert(into: "purchase_order_lines", ["id", "purchase_order_id", "variant_id", "sku", "ordered", "received"],
                                             r.lines.map { [ids(), poID, variants[$0.sku]!, $0.sku, $0.quantity, Int64(0)] })).run()
        }
        return try await find(shopID: shopID, number: r.number)
    }

    /// Books a delivery against the order: receipt movements into its location, received quantities, status,
    /// and the supplier's lead time as observed now. With an idempotency key, a repeated delivery of the same
    /// request answers the first receipt again and books nothing.
    func receive(number: String, _ r: ReceiveRequest, shopID: UUID, actor: Actor,
                 idempotency: (key: String, hash: String)? = nil) async throws -> (DTO, replayed: Bool) {
        if let idempotency, let answer = try await Idempotency(sql: sql).answer(shopID: shopID, key: idempotency.key, requestHash: idempotency.hash) {
            return (try JSONCoding.decoder.decode(DTO.self, from: answer.body), true)
        }
        let po = try await find(shopID: shopID, number: number)
        try Self.check(r, against: po)
        let time = now
        let ids = application.dependencies.ids.next
        let prepared = try await InventoryService(application: application, db: db).prepare(
            .receipt, StockMovementRequest(location: po.location, lines: r.lines, note: r.note, reference: number),
            shopID: shopID, referenceKind: .purchaseOrder)
        do {
            // The stock movement and the purchase-order bookkeeping land together or not at all. The order row
            // is locked and re-checked inside, so two people receiving the same delivery cannot both book it.
            try await application.write { db in
                let sql = db as! any SQLDatabase
                guard let row = try await sql.select().columns("id", "ordered_at").from("purchase_orders")
                    .where("shop_id", .equal, SQLBind(shopID)).where("number", .equal, SQLBind(number))
                    .for(.update).first() else { throw APIError.notFound("purchase order") }
                let locked = PurchaseOrders(application: application, db: db, clock: clock)
                try Self.check(r, against: try await locked.find(shopID: shopID, number: number))
                _ = try await InventoryService(application: application, db: db, clock: clock).perform(prepared, actor: actor, at: time)
                let poID = try row.decode(column: "id", as: UUID.self)
                for line in r.lines {
                    try await sql.raw("""
                        UPDATE purchase_order_lines SET received = received + \(bind: line.quantity)
                        WHERE purchase_order_id = \(bind: poID) AND sku = \(bind: line.sku)
                        """).run()
                }
                let open = try await sql.raw("SELECT COUNT(*) AS n FROM purchase_order_lines WHERE purchase_order_id = \(bind: poID) AND received < ordered")
                    .first()?.decode(column: "n", as: Int64.self) ?? 0
                try await sql.raw("UPDATE purchase_orders SET status = \(bind: open == 0 ? "received" : "partially_received") WHERE id = \(bind: poID)").run()
                let orderedAt = try row.decode(column: "ordered_at", as: Date.self)
                try await sql.insert(into: "purchase_order_receipts")
                    .columns("id", "shop_id", "purchase_order_id", "supplier", "received_at", "lead_time_days", "units")
                    .values(SQLBind(ids()), SQLBind(shopID), SQLBind(poID), SQLBind(po.supplier), SQLBind(time),
                            SQLBind(time.timeIntervalSince(orderedAt) / 86_400), SQLBind(r.lines.reduce(0) { $0 + $1.quantity }))
                    .run()
                if let idempotency {
                    let body = try JSONCoding.encoder.encode(try await locked.find(shopID: shopID, number: number))
                    try await Idempotency(sql: sql).record(id: ids(), shopID: shopID, key: idempotency.key, requestHash: idempotency.hash,
                                                           status: .created, body: body, at: time)
                }
            }
        } catch {
            guard let idempotency else { throw error }
            let answer = try await Idempotency(sql: sql).answer(after: error, shopID: shopID, key: idempotency.key, requestHash: idempotency.hash)
            return (try JSONCoding.decoder.decode(DTO.self, from: answer.body), true)
        }
        return (try await find(shopID: shopID, number: number), false)
    }

    /// A delivery must fit what is still outstanding (unless over-receipt is allowed) on an open order.
    static func check(_ r: ReceiveRequest, against po: DTO) throws {
        guard po.status != "received" && po.status != "cancelled" else {
            throw APIError(.conflict, "purchase_order_closed", "purchase order \(po.number) is \(po.status)")
        }
        var issues = IssueList()
        if r.lines.isEmpty { issues.add("lines", "required", "give at least one line") }
        let outstanding = Dictionary(po.lines.map { ($0.sku, $0.outstanding) }, uniquingKeysWith: { a, _ in a })
        for (i, line) in r.lines.enumerated() {
            guard let left = outstanding[line.sku] else {
                issues.add("lines[\(i)].sku", "not_on_order", "\(line.sku.prefix(64)) is not on purchase order \(po.number)"); continue
            }
            if line.quantity > left && r.allowOverReceipt != true {
                issues.add("lines[\(i)].quantity", "exceeds_ordered",
                           "\(line.quantity) received but only \(left) outstanding; send allow_over_receipt to accept it")
            }
        }
        guard issues.isEmpty else { throw ValidationFailure(issues.issues) }
    }

    func find(shopID: UUID, number: String) async throws -> DTO {
        guard let row = try await sql.raw("""
            SELECT p.id, p.number, p.supplier, l.code AS location, p.status, p.ordered_at, p.expected_at
            FROM purchase_orders p JOIN stock_locations l ON l.id = p.location_id
            WHERE p.shop_id = \(bind: shopID) AND p.number = \(bind: number)
            """).first() else { throw APIError.notFound("purchase order '\(number.prefix(50))'") }
        return try await dto(row)
    }

    func list(shopID: UUID, status: String?) async throws -> [DTO] {
        var query: SQLQueryString = """
            SELECT p.id, p.number, p.supplier, l.code AS location, p.status, p.ordered_at, p.expected_at
            FROM purchase_orders p JOIN stock_locations l ON l.id = p.location_id WHERE p.shop_id = \(bind: shopID)
            """
        if let status { query += " AND p.status = \(bind: status)" }
        query += " ORDER BY p.expected_at LIMIT 500"
        var out: [DTO] = []
        for row in try await sql.raw(query).all() { out.append(try await dto(row)) }
        return out
    }

    private func dto(_ row: any SQLRow) async throws -> DTO {
        let id = try row.decode(column: "id", as: UUID.self)
        let lines = try await sql.raw("SELECT sku, ordered, received FROM purchase_order_lines WHERE purchase_order_id = \(bind: id) ORDER BY sku")
            .all().map { line -> DTO.Line in
                let ordered = try line.decode(column: "ordered", as: Int64.self), received = try line.decode(column: "received", as: Int64.self)
                return DTO.Line(sku: try line.decode(column: "sku", as: String.self), ordered: ordered, received: received,
                                outstanding: max(ordered - received, 0))
            }
        return DTO(number: try row.decode(column: "number", as: String.self), supplier: try row.decode(column: "supplier", as: String.self),
                   location: try row.decode(column: "location", as: String.self), status: try row.decode(column: "status", as: String.self),
                   orderedAt: try row.decode(column: "ordered_at", as: Date.self), expectedAt: try row.decode(column: "expected_at", as: Date.self),
                   lines: lines)
    }
}
