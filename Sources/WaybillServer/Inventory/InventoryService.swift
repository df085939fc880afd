import Fluent
import SQLKit
import Vapor
import WaybillCore

/// The inventory capability's public face: operator movements, levels and the ledger. Orders reserve and
/// release through `InventoryStore` inside their own transactions.
struct InventoryService {
    let application: Application
    let db: any Database
    /// Overrides the application's clock; the demo books its opening stock in the past.
    var clock: WaybillClock? = nil

    var now: Date { (clock ?? application.dependencies.clock).now() }
    var sql: any SQLDatabase { db as! any SQLDatabase }

    /// A level as the API shows it.
    struct LevelDTO: Codable, Sendable {
        var sku: String
        var location: String
        var warehouse: String
        var onHand: Int64
        var reserved: Int64
        var available: Int64
        var damaged: Int64
        var safetyBuffer: Int64
        /// Still to arrive on open purchase orders for this location.
        var incoming: Int64 = 0
        var updatedAt: Date
    }

    struct Location: Sendable {
        var id: UUID
        var code: String
    }

    /// A validated movement, ready to be performed in a transaction.
    struct Prepared: Sendable {
        var operation: StockOperation
        var request: StockMovementRequest
        var shopID: UUID
        var from: Location
        var to: Location?
        var variants: [String: UUID]
        var reference: StockMovement.Reference
    }

    /// Applies an operator movement: every line or none, each judged by the stock rules; 422 names the line.
    func apply(_ operation: StockOperation, _ request: StockMovementRequest, shopID: UUID, actor: Actor,
               idempotency: (key: String, hash: String)?) async throws -> (Data, replayed: Bool) {
        if let idempotency, let answer = try await Idempotency(sql: sql).answer(shopID: shopID, key: idempotency.key, requestHash: idempotency.hash) {
            return (answer.body, true)
        }
        let prepared = try await prepare(operation, request, shopID: shopID)
        let time = now
        let recordID = application.dependencies.ids.next()
        do {
            let body = try await application.write { db in
                let result = try await InventoryService(application: self.application, db: db, clock: self.clock)
                    .perform(prepared, actor: actor, at: time)
                let body = try JSONCoding.encoder.encode(result)
                if let idempotency {
                    try await Idempotency(sql: db as! any SQLDatabase).record(
                        id: recordID, shopID: shopID, key: idempotency.key, requestHash: idempotency.hash,
                        status: .created, body: body, at: time)
                }
                return body
            }
            return (body, false)
        } catch {
            guard let idempotency else { throw error }
            return (try await Idempotency(sql: sql).answer(after: error, shopID: shopID, key: idempotency.key, requestHash: idempotency.hash).body, true)
        }
    }

    /// Checks a movement against the catalog and the locations; every problem is reported at once.
    func prepare(_ operation: StockOperation, _ request: StockMovementRequest, shopID: UUID,
                 referenceKind: StockMovement.Reference.Kind? = nil) async throws -> Prepared {
        var issues = IssueList()
        let from = try await location(shopID: shopID, code: request.location, field: "location", issues: &issues)
        var destination: Location?
        if operation == .transfer {
            if let code = request.toLocation {
                destination = try await location(shopID: shopID, code: code, field: "to_location", issues: &issues)
                if let to = destination, to.id == from?.id { issues.add("to_location", "same_location", "a transfer needs two different locations") }
            } else {
                issues.add("to_location", "required", "a transfer needs to_location")
            }
        }
        if request.lines.isEmpty { issues.add("lines", "required", "give at least one line") }
        if request.lines.count > 500 { issues.add("lines", "too_many", "at most 500 lines per movement") }
        if let note = request.note, note.count > 500 { issues.add("note", "too_long", "note must be at most 500 characters") }
        if let reference = request.reference, reference.isEmpty || reference.count > 100 {
            issues.add("reference", "invalid_length", "reference must be 1–100 characters")
        }
        let variants = try await variantIDs(shopID: shopID, skus: request.lines.prefix(500).map(\.sku))
        var seen: Set<String> = []
        for (i, line) in request.lines.prefix(500).enumerated() {
            if variants[line.sku] == nil { issues.add("lines[\(i)].sku", "unknown_sku", "SKU '\(line.sku.prefix(64))' is not in the catalog") }
            if !seen.insert(line.sku).inserted { issues.add("lines[\(i)].sku", "duplicate_sku", "SKU \(line.sku) appears twice") }
        }
        if operation == .count, let from {
            // A count confirms stock that is kept there; counting a SKU never stocked at the location is a mistake.
            let stocked = try await sql.raw("SELECT variant_id FROM stock_levels WHERE location_id = \(bind: from.id)").all()
                .map { try $0.decode(column: "variant_id", as: UUID.self) }
            for (i, line) in request.lines.prefix(500).enumerated() {
                if let variant = variants[line.sku], !stocked.contains(variant) {
                    issues.add("lines[\(i)].sku", "not_stocked_here", "\(line.sku) is not stocked at \(from.code); receive it first")
                }
            }
        }
        guard issues.isEmpty, let from else { throw ValidationFailure(issues.issues) }
        let reference = StockMovement.Reference(referenceKind ?? operation.referenceKind,
                                                request.reference ?? application.dependencies.ids.next().uuidString)
        return Prepared(operation: operation, request: request, shopID: shopID, from: from, to: destination,
                        variants: variants, reference: reference)
    }

    /// Performs a prepared movement on `db`, which must be inside a write transaction.
    func perform(_ p: Prepared, actor: Actor, at time: Date) async throws -> MovementResult {
        let store = InventoryStore(sql: sql, now: time, newID: application.dependencies.ids.next)
        var entries: [InventoryStore.Entry] = []
        var touched: [InventoryStore.LevelRow] = []
        for (i, line) in p.request.lines.enumerated() {
            guard let variantID = p.variants[line.sku] else { continue }
            var steps: [(Location, StockMovement.Reason)] = [(p.from, p.operation.reason)]
            if let to = p.to { steps.append((to, .transferIn)) }
            for (location, reason) in steps {
                let row = try await store.lockLevel(shopID: p.shopID, locationID: location.id, variantID: variantID, sku: line.sku)
                let movement = StockMovement(sku: line.sku, locationID: location.id, reason: reason, quantity: line.quantity,
                                             reference: p.reference, actor: actor.name, occurredAt: time)
                let after: StockLevel
                do {
                    after = try row.level.applying(movement, allowBackorder: false)
                } catch {
                    let violation: StockRuleViolation = error
                    let field = violation.field == "location_id" ? "sku" : violation.field
                    throw ValidationFailure([FieldIssue(field: "lines[\(i)].\(field)", code: violation.code.rawValue,
                                                        message: "\(line.sku) at \(location.code): \(violation.message)")])
                }
                try await store.store(after, id: row.id)
                entries.append(.init(shopID: p.shopID, locationID: location.id, variantID: variantID, sku: line.sku,
                                     reason: reason, quantity: line.quantity, before: row.level, after: after,
                                     reference: p.reference, actor: actor.name, note: p.request.note))
                var updated = row
                (updated.onHand, updated.reserved, updated.damaged) = (after.onHand, after.reserved, after.damaged)
                touched.append(updated)
            }
        }
        try await store.writeLedger(entries)
        let codes = [p.from.id: p.from.code].merging(p.to.map { [$0.id: $0.code] } ?? [:]) { a, _ in a }
        return MovementResult(reference: p.reference.id, levels: try await levelDTOs(touched, codes: codes, on: sql, at: time))
    }

    struct MovementResult: Codable, Sendable {
        var reference: String
        var levels: [LevelDTO]
    }

    private func levelDTOs(_ rows: [InventoryStore.LevelRow], codes: [UUID: String], on sql: any SQLDatabase, at time: Date) async throws -> [LevelDTO] {
        let warehouses = try await sql.raw("""
            SELECT l.id, w.code FROM stock_locations l JOIN warehouses w ON w.id = l.warehouse_id
            WHERE l.id IN (\(binds: Array(codes.keys)))
            """).all()
        var warehouseOf: [UUID: String] = [:]
        for row in warehouses { warehouseOf[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "code", as: String.self) }
        return rows.map {
            LevelDTO(sku: $0.sku, location: codes[$0.locationId] ?? "", warehouse: warehouseOf[$0.locationId] ?? "",
                     onHand: $0.onHand, reserved: $0.reserved, available: $0.onHand - $0.reserved - $0.safetyBuffer,
                     damaged: $0.damaged, safetyBuffer: $0.safetyBuffer, updatedAt: time)
        }
    }

    func location(shopID: UUID, code: String, field: String, issues: inout IssueList) async throws -> Location? {
        guard let row = try await sql.raw("SELECT id FROM stock_locations WHERE shop_id = \(bind: shopID) AND code = \(bind: code)").first() else {
            issues.add(field, "unknown_location", "location '\(code.prefix(40))' does not exist")
            return nil
        }
        return Location(id: try row.decode(column: "id", as: UUID.self), code: code)
    }

    func variantIDs(shopID: UUID, skus: [String]) async throws -> [String: UUID] {
        let valid = Array(Set(skus.filter(CatalogRules.isValidSKU)))
        guard !valid.isEmpty else { return [:] }
        var out: [String: UUID] = [:]
        for row in try await sql.raw("SELECT id, sku FROM variants WHERE shop_id = \(bind: shopID) AND sku IN (\(binds: valid))").all() {
            out[try row.decode(column: "sku", as: String.self)] = try row.decode(column: "id", as: UUID.self)
        }
        return out
    }

    /// Levels for the shop, optionally one SKU or one location, ordered by SKU then location.
    /// Which levels to list.
    struct LevelFilter: Sendable {
        var sku: String?
        var location: String?
        var warehouse: String?
        /// Only positions whose available + incoming is below their stored reorder point.
        var belowReorderPoint = false
        /// Keyset pagination: levels after this `sku` and location code.
        var after: (sku: String, location: String)?
        /// Nil: every level (exports).
        var limit: Int?
    }

    func levels(shopID: UUID, sku: String?, location: String?) async throws -> [LevelDTO] {
        try await levels(shopID: shopID, LevelFilter(sku: sku, location: location))
    }

    func levels(shopID: UUID, _ filter: LevelFilter) async throws -> [LevelDTO] {
        var query: SQLQueryString = """
            SELECT s.sku, l.code AS location, w.code AS warehouse, s.on_hand, s.reserved, s.damaged, s.safety_buffer, s.updated_at,
            COALESCE(i.incoming, 0) AS incoming
            FROM stock_levels s JOIN stock_locations l ON l.id = s.location_id JOIN warehouses w ON w.id = l.warehouse_id
            LEFT JOIN
            """ + " " + InventoryStore.incomingByPosition(shopID: shopID) + " i ON i.sku = s.sku AND i.location_id = s.location_id"
        if filter.belowReorderPoint {
            query += " JOIN stock_plans p ON p.location_id = s.location_id AND p.sku = s.sku"
        }
        query += " WHERE s.shop_id = \(bind: shopID)"
        if let sku = filter.sku { query += " AND s.sku = \(bind: sku)" }
        if let location = filter.location { query += " AND l.code = \(bind: location)" }
        if let warehouse = filter.warehouse { query += " AND w.code = \(bind: warehouse)" }
        if filter.belowReorderPoint {
            query += " AND s.on_hand - s.reserved - s.safety_buffer + COALESCE(i.incoming, 0) < p.reorder_point"
        }
        if let after = filter.after {
            query += " AND (s.sku > \(bind: after.sku) OR (s.sku = \(bind: after.sku) AND l.code > \(bind: after.location)))"
        }
        query += " ORDER BY s.sku, l.code"
        if let limit = filter.limit { query += " LIMIT \(literal: limit)" }
        return try await sql.raw(query).all().map { row in
            let onHand = try row.decode(column: "on_hand", as: Int64.self)
            let reserved = try row.decode(column: "reserved", as: Int64.self)
            let buffer = try row.decode(column: "safety_buffer", as: Int64.self)
            return LevelDTO(sku: try row.decode(column: "sku", as: String.self), location: try row.decode(column: "location", as: String.self),
                            warehouse: try row.decode(column: "warehouse", as: String.self), onHand: onHand, reserved: reserved,
                            available: onHand - reserved - buffer, damaged: try row.decode(column: "damaged", as: Int64.self),
                            safetyBuffer: buffer,
                            incoming: try row.decode(column: "incoming", as: Int64.self),
                            updatedAt: try row.decode(column: "updated_at", as: Date.self))
        }
    }
}
