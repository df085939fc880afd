import Fluent
import SQLKit
import Vapor
import WaybillCore

/// `/api/v1/warehouses`, `/api/v1/locations` and `/api/v1/inventory/…`: where stock is, how much, and why.
struct InventoryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("warehouses", use: warehouses)
        routes.post("warehouses", use: createWarehouse)
        routes.put("warehouses", ":code", "schedule", use: saveSchedule)
        routes.get("locations", use: locations)
        let inventory = routes.grouped("inventory")
        inventory.get("levels", use: levels)
        inventory.get("levels.csv", use: levelsCSV)
        inventory.get("movements", use: movements)
        inventory.get("replenishment", use: replenishment)
        inventory.post("replenishment", "refresh", use: refreshReplenishment)
        inventory.get("replenishment", "settings", ":sku", use: replenishmentSettings)
        inventory.put("replenishment", "settings", ":sku", use: saveReplenishmentSettings)
        inventory.get("alerts", use: alerts)
        inventory.get("alerts", "history", use: alertHistory)
        let purchaseOrders = routes.grouped("purchase-orders")
        purchaseOrders.get(use: listPurchaseOrders)
        routes.get("purchase-orders.csv", use: purchaseOrdersCSV)
        purchaseOrders.post(use: createPurchaseOrder)
        purchaseOrders.get(":number", use: showPurchaseOrder)
        purchaseOrders.post(":number", "receipts", use: receivePurchaseOrder)
        for operation in StockOperation.allCases {
            inventory.on(.POST, PathComponent(stringLiteral: operation.rawValue), body: .collect(maxSize: "1mb")) { req in
                try await self.move(req, operation)
            }
        }
    }

    struct WarehouseDTO: Codable, Sendable {
        var id: UUID
        var code: String
        var name: String
        var country: String
        var region: String
        var timezone: String
        var locations: [String]
        var schedule: ShippingSchedule?
    }

    /// When a warehouse ships: the cut-off (local "HH:MM"), handling days, and weekdays with no carrier
    /// pick-up (0 = Sunday … 6 = Saturday; Saturday and Sunday have none unless a shop's carrier says so).
    struct ShippingSchedule: Codable, Sendable {
        var cutoff: String
        var handlingDays: Int
        var noPickupWeekdays: [Int]
    }

    struct CreateWarehouse: Decodable, Sendable {
        var code: String
        var name: String
        var country: String
        var region: String?
        var timezone: String?
    }

    func warehouses(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryRead)
        let rows = try await Warehouse.query(on: req.db).filter(\.$shop.$id == principal.shopID).sort(\.$code).all()
        var out: [WarehouseDTO] = []
        for w in rows {
            let codes = try await (req.db as! any SQLDatabase).raw("SELECT code FROM stock_locations WHERE warehouse_id = \(bind: try w.requireID()) ORDER BY code")
                .all().map { try $0.decode(column: "code", as: String.self) }
            out.append(WarehouseDTO(id: try w.requireID(), code: w.code, name: w.name, country: w.country, region: w.region,
                                    timezone: w.timezone, locations: codes,
                                    schedule: try await Self.schedule(warehouseID: try w.requireID(), sql: req.db as! any SQLDatabase)))
        }
        return try .json(["data": out])
    }

    func createWarehouse(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryWrite)
        let body = try req.decodeJSON(CreateWarehouse.self)
        var issues = IssueList()
        if body.code.range(of: "^[A-Z0-9][A-Z0-9-]{0,19}$", options: .regularExpression) == nil {
            issues.add("code", "invalid_format", "code must be 1–20 upper-case letters, digits or hyphens")
        }
        if body.name.trimmingCharacters(in: .whitespaces).isEmpty || body.name.count > 200 { issues.add("name", "invalid_length", "name must be 1–200 characters") }
        if !CountryCode.isValid(body.country) { issues.add("country", "invalid_country", "country must be an ISO 3166-1 alpha-2 code") }
        if let zone = body.timezone, TimeZone(identifier: zone) == nil { issues.add("timezone", "invalid_timezone", "timezone must be an IANA zone") }
        guard issues.isEmpty else { throw ValidationFailure(issues.issues) }
        let warehouse = try await req.write { db in
            try await Warehouses.create(code: body.code, name: body.name, country: body.country, region: body.region ?? "",
                                        timezone: body.timezone ?? "UTC", shopID: principal.shopID, application: req.application, on: db)
        }
        req.application.promiseModels.forget(principal.shopID)
        return try .json(WarehouseDTO(id: try warehouse.requireID(), code: warehouse.code, name: warehouse.name, country: warehouse.country,
                                      region: warehouse.region, timezone: warehouse.timezone, locations: [warehouse.code],
                                      schedule: try await Self.schedule(warehouseID: try warehouse.requireID(), sql: req.db as! any SQLDatabase)),
                         status: .created)
    }

    static func schedule(warehouseID: UUID, sql: any SQLDatabase) async throws -> ShippingSchedule? {
        guard let row = try await sql.raw("""
            SELECT cutoff_minutes, handling_days, no_pickup_weekdays FROM warehouses WHERE id = \(bind: warehouseID)
            """).first() else { return nil }
        let minutes = try row.decode(column: "cutoff_minutes", as: Int.self)
        return ShippingSchedule(
            cutoff: String(format: "%02d:%02d", minutes / 60, minutes % 60), handlingDays: try row.decode(column: "handling_days", as: Int.self),
            noPickupWeekdays: try row.decode(column: "no_pickup_weekdays", as: String.self).split(separator: ",").compactMap { Int($0) })
    }

    /// `PUT /api/v1/warehouses/{code}/schedule`: the warehouse's cut-off, handling days and days without pick-up,
    /// which every promise from it counts with.
    func saveSchedule(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryWrite)
        let body = try req.decodeJSON(ShippingSchedule.self)
        var issues = IssueList()
        let parts = body.cutoff.split(separator: ":")
        let minutes: Int? = parts.count == 2 && parts[0].count == 2 && parts[1].count == 2
            ? Int(parts[0]).flatMap { h in Int(parts[1]).map { h * 60 + $0 } } : nil
        if minutes == nil || !(0...(24 * 60)).contains(minutes!) || (parts.count == 2 && (Int(parts[1]) ?? 60) >= 60) {
            issues.add("cutoff", "invalid_time", "cutoff must be a local time as HH:MM, from 00:00 to 24:00")
        }
        if !(0...30).contains(body.handlingDays) { issues.add("handling_days", "out_of_range", "handling_days must be 0–30") }
        if body.noPickupWeekdays.contains(where: { !(0...6).contains($0) }) {
            issues.add("no_pickup_weekdays", "invalid_weekday", "weekdays are 0 (Sunday) to 6 (Saturday)")
        } else if Set(body.noPickupWeekdays).union([0, 6]).count == 7 {
            issues.add("no_pickup_weekdays", "no_pickup_day", "at least one weekday must have a carrier pick-up")
        }
        guard issues.isEmpty, let minutes else { throw ValidationFailure(issues.issues) }
        let code = req.parameters.get("code") ?? ""
        let days = Set(body.noPickupWeekdays).sorted().map(String.init).joined(separator: ",")
        let updated = try await req.application.write { db in
            try await (db as! any SQLDatabase).raw("""
                UPDATE warehouses SET cutoff_minutes = \(bind: minutes), handling_days = \(bind: body.handlingDays),
                no_pickup_weekdays = \(bind: days) WHERE shop_id = \(bind: principal.shopID) AND code = \(bind: code) RETURNING id
                """).all()
        }
        guard let id = try updated.first?.decode(column: "id", as: UUID.self) else { throw APIError.notFound("warehouse '\(code.prefix(20))'") }
        req.application.promiseModels.forget(principal.shopID)
        return try .json(try await Self.schedule(warehouseID: id, sql: req.db as! any SQLDatabase))
    }

    func locations(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryRead)
        struct LocationDTO: Codable { var code: String; var name: String; var warehouse: String }
        let rows = try await (req.db as! any SQLDatabase).raw("""
            SELECT l.code, l.name, w.code AS warehouse FROM stock_locations l JOIN warehouses w ON w.id = l.warehouse_id
            WHERE l.shop_id = \(bind: principal.shopID) ORDER BY l.code
            """).all(decoding: LocationDTO.self)
        return try .json(["data": rows])
    }

    /// Levels, a page at a time: `sku`, `location`, `warehouse`, `below_reorder_point=true`; `limit` (1–1000,
    /// default 200) and `after` (the `next_cursor` of the previous page).
    func levels(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryRead)
        var filter = try Self.levelFilter(req)
        let limit = req.query[Int.self, at: "limit"] ?? 200
        guard (1...1_000).contains(limit) else { throw APIError.invalid("limit", "out_of_range", "limit must be 1–1000") }
        if let cursor = req.query[String.self, at: "after"] { filter.after = try Self.cursor(cursor) }
        filter.limit = limit + 1
        var levels = try await InventoryService(application: req.application, db: req.db).levels(shopID: principal.shopID, filter)
        var next: String? = nil
        if levels.count > limit {
            levels.removeLast(levels.count - limit)
            next = Self.cursor(sku: levels[limit - 1].sku, location: levels[limit - 1].location)
        }
        struct Page: Encodable { var data: [InventoryService.LevelDTO]; var nextCursor: String? }
        return try .json(Page(data: levels, nextCursor: next))
    }

    static func levelFilter(_ req: Request) throws -> InventoryService.LevelFilter {
        let below = req.query[String.self, at: "below_reorder_point"]
        if let below, !["true", "false"].contains(below) {
            throw APIError.invalid("below_reorder_point", "invalid_value", "below_reorder_point must be true or false")
        }
        return InventoryService.LevelFilter(sku: req.query[String.self, at: "sku"], location: req.query[String.self, at: "location"],
                                            warehouse: req.query[String.self, at: "warehouse"], belowReorderPoint: below == "true")
    }

    func levelsCSV(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryRead)
        // Every matching level: an export is not paginated.
        let levels = try await InventoryService(application: req.application, db: req.db).levels(shopID: principal.shopID, try Self.levelFilter(req))
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: "stock.csv")
        return Response(status: .ok, headers: headers, body: .init(data: try StockCSV.export(levels)))
    }

    struct MovementDTO: Codable, Sendable {
        var sku: String
        var location: String
        var reason: String
        var quantity: Int64
        var onHandDelta: Int64
        var reservedDelta: Int64
        var damagedDelta: Int64
        var referenceKind: String
        var referenceId: String
        var actor: String
        var note: String?
        var occurredAt: Date
    }

    /// The ledger, newest first (at most `limit`, default 100).
    func movements(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryRead)
        let limit = try req.pageLimit()
        var query: SQLQueryString = """
            SELECT m.sku, l.code AS location, m.reason, m.quantity, m.on_hand_delta, m.reserved_delta, m.damaged_delta,
                   m.reference_kind, m.reference_id, m.actor, m.note, m.occurred_at
            FROM stock_movements m JOIN stock_locations l ON l.id = m.location_id
            WHERE m.shop_id = \(bind: principal.shopID)
            """
        if let sku = req.query[String.self, at: "sku"] { query += " AND m.sku = \(bind: sku)" }
        if let location = req.query[String.self, at: "location"] { query += " AND l.code = \(bind: location)" }
        query += " ORDER BY m.occurred_at DESC LIMIT \(bind: limit)"
        let rows = try await (req.db as! any SQLDatabase).raw(query).all(decoding: MovementDTO.self, keyDecodingStrategy: .convertFromSnakeCase)
        return try .json(["data": rows])
    }

    /// Every tracked SKU and location with its policy; `suggested_only=true` keeps those to order now.
    func replenishment(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryRead)
        let limit = req.query[Int.self, at: "limit"] ?? 500
        guard (1...5_000).contains(limit) else { throw APIError.invalid("limit", "out_of_range", "limit must be 1–5000") }
        let suggestedOnly = req.query[String.self, at: "suggested_only"]
        if let suggestedOnly, !["true", "false"].contains(suggestedOnly) {
            throw APIError.invalid("suggested_only", "invalid_value", "suggested_only must be true or false")
        }
        var page = Replenishment.Page(after: nil, limit: limit + 1, suggestedOnly: suggestedOnly == "true")
        if let cursor = req.query[String.self, at: "after"] {
            page.after = try Self.cursor(cursor)
        }
        var rows = try await Replenishment(application: req.application, now: req.now)
            .suggestions(shopID: principal.shopID, skus: req.query[String.self, at: "sku"].map { [$0] }, page: page)
        var next: String? = nil
        if rows.count > limit {
            rows.removeLast(rows.count - limit)
            next = Self.cursor(sku: rows[limit - 1].sku, location: rows[limit - 1].location)
        }
        struct Body: Encodable { var data: [Replenishment.Suggestion]; var nextCursor: String? }
        return try .json(Body(data: rows, nextCursor: next))
    }

    /// Page cursors: `sku@location`, each part percent-encoded.
    static func cursor(sku: String, location: String) -> String {
        (sku.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? sku) + "@"
            + (location.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? location)
    }

    static func cursor(_ text: String) throws -> (sku: String, location: String) {
        let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
        guard parts.count == 2, let sku = parts[0].removingPercentEncoding, let location = parts[1].removingPercentEncoding else {
            throw APIError.invalid("after", "invalid_cursor", "after must be a next_cursor from a previous page")
        }
        return (sku, location)
    }

    /// Alerts as the job last left them: `state` active (default), cleared or all; `kind` one kind.
    func alerts(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryRead)
        let state = req.query[String.self, at: "state"] ?? "active"
        guard ["active", "cleared", "all"].contains(state) else {
            throw APIError.invalid("state", "invalid_value", "state must be active, cleared or all")
        }
        let kind = req.query[String.self, at: "kind"]
        if let kind, StockAlert.Kind(rawValue: kind) == nil {
            throw APIError.invalid("kind", "invalid_value",
                                   "kind must be one of \(StockAlert.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return try .json(["data": try await StockAlerts(application: req.application, now: req.now)
            .list(shopID: principal.shopID, state: state, kind: kind)])
    }

    /// The raised and cleared facts, newest first.
    func alertHistory(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryRead)
        let limit = req.query[Int.self, at: "limit"] ?? 100
        guard (1...1_000).contains(limit) else { throw APIError.invalid("limit", "out_of_range", "limit must be 1–1000") }
        let facts = try await ShopFacts(sql: req.db as! any SQLDatabase)
            .list(shopID: principal.shopID, kinds: [.stockAlertRaised, .stockAlertCleared], limit: limit)
        return try .json(["data": facts])
    }

    /// Recomputes every plan of the shop now and re-evaluates its alerts (the nightly job, on demand).
    func refreshReplenishment(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryWrite)
        let report = try await ReplenishmentPlanner(application: req.application, now: req.now).run(shopID: principal.shopID)
        let outcome = try await StockAlerts(application: req.application, now: req.now).evaluate(shopID: principal.shopID, planned: report)
        struct Body: Encodable { var positions: Int; var seconds: Double; var alertsRaised: [String]; var alertsCleared: [String] }
        return try .json(Body(positions: report.positions, seconds: report.seconds, alertsRaised: outcome.raised, alertsCleared: outcome.cleared))
    }

    func replenishmentSettings(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryRead)
        let sku = try await knownSKU(req, shopID: principal.shopID)
        let all = try await ReplenishmentSettings.all(sql: req.db as! any SQLDatabase, shopID: principal.shopID)
        return try .json(all[sku] ?? .default)
    }

    /// Sets a SKU's service level, pack size, minimum order, costs and lot rule; its plans are recomputed.
    func saveReplenishmentSettings(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryWrite)
        let sku = try await knownSKU(req, shopID: principal.shopID)
        let settings = try req.decodeJSON(ReplenishmentSettings.self)
        do { try settings.validate() } catch let failure as ValidationFailure { throw APIError.validation(failure) }
        let id = req.newID(), now = req.now
        try await req.application.write { db in
            try await ReplenishmentSettings.save(settings, sku: sku, shopID: principal.shopID, id: id, at: now, sql: db as! any SQLDatabase)
        }
        let report = try await ReplenishmentPlanner(application: req.application, now: now).run(shopID: principal.shopID, skus: [sku])
        try await StockAlerts(application: req.application, now: now).evaluate(shopID: principal.shopID, skus: [sku], planned: report)
        return try .json(settings)
    }

    private func knownSKU(_ req: Request, shopID: UUID) async throws -> String {
        let sku = req.parameters.get("sku") ?? ""
        let found = try await (req.db as! any SQLDatabase).raw("""
            SELECT 1 AS found FROM variants v JOIN products p ON p.id = v.product_id
            WHERE p.shop_id = \(bind: shopID) AND v.sku = \(bind: sku)
            """).first()
        guard found != nil else { throw APIError.notFound("SKU '\(sku.prefix(64))'") }
        return sku
    }

    func listPurchaseOrders(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryRead)
        let status = req.query[String.self, at: "status"]
        if let status, !["open", "partially_received", "received"].contains(status) {
            throw APIError.invalid("status", "invalid_value", "status must be open, partially_received or received")
        }
        return try .json(["data": try await PurchaseOrders(application: req.application, db: req.db).list(shopID: principal.shopID, status: status)])
    }

    /// One row per line of every purchase order (optionally of one status).
    func purchaseOrdersCSV(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryRead)
        let status = req.query[String.self, at: "status"]
        if let status, !["open", "partially_received", "received"].contains(status) {
            throw APIError.invalid("status", "invalid_value", "status must be open, partially_received or received")
        }
        let orders = try await PurchaseOrders(application: req.application, db: req.db).list(shopID: principal.shopID, status: status)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: "purchase-orders.csv")
        return Response(status: .ok, headers: headers, body: .init(data: try PurchaseOrderCSV.export(orders)))
    }

    func createPurchaseOrder(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryWrite)
        let body = try req.decodeJSON(PurchaseOrders.CreateRequest.self)
        let pos = PurchaseOrders(application: req.application, db: req.db)
        if (try? await pos.find(shopID: principal.shopID, number: body.number)) != nil {
            throw APIError(.conflict, "number_taken", "purchase order \(body.number) already exists")
        }
        let created = try await pos.create(body, shopID: principal.shopID)
        await StockAlerts.afterMovement(req, shopID: principal.shopID, skus: body.lines.map(\.sku))
        return try .json(created, status: .created)
    }

    func showPurchaseOrder(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryRead)
        return try .json(try await PurchaseOrders(application: req.application, db: req.db)
            .find(shopID: principal.shopID, number: req.parameters.get("number") ?? ""))
    }

    func receivePurchaseOrder(req: Request) async throws -> Response {
        let principal = try req.principal(.inventoryWrite)
        let key = try req.idempotencyKey()
        let body = try req.decodeJSON(PurchaseOrders.ReceiveRequest.self)
        let (receipt, replayed) = try await PurchaseOrders(application: req.application, db: req.db)
            .receive(number: req.parameters.get("number") ?? "", body, shopID: principal.shopID, actor: .api(principal),
                     idempotency: key.map { ($0, Idempotency.hash(req.rawBody)) })
        if !replayed { await StockAlerts.afterMovement(req, shopID: principal.shopID, skus: body.lines.map(\.sku)) }
        let response = try Response.json(receipt, status: .created)
        if replayed { response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true") }
        return response
    }

    func move(_ req: Request, _ operation: StockOperation) async throws -> Response {
        let principal = try req.principal(.inventoryWrite)
        let key = try req.idempotencyKey()
        let request = try req.decodeJSON(StockMovementRequest.self)
        let (body, replayed) = try await InventoryService(application: req.application, db: req.db).apply(
            operation, request, shopID: principal.shopID, actor: .api(principal),
            idempotency: key.map { ($0, Idempotency.hash(req.rawBody)) })
        if !replayed { await StockAlerts.afterMovement(req, shopID: principal.shopID, skus: request.lines.map(\.sku)) }
        var headers = HTTPHeaders()
        headers.contentType = .json
        if replayed { headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true") }
        return Response(status: .created, headers: headers, body: .init(data: body))
    }
}

/// Creating a warehouse also creates its first stock location (named like the warehouse).
enum Warehouses {
    static func create(code: String, name: String, country: String, region: String, timezone: String, shopID: UUID,
                       application: Application, on db: any Database) async throws -> Warehouse {
        let ids = application.dependencies.ids
        let now = application.dependencies.clock.now()
        if try await Warehouse.query(on: db).filter(\.$shop.$id == shopID).filter(\.$code == code).count() > 0 {
            throw APIError(.conflict, "code_taken", "a warehouse with code \(code) already exists")
        }
        let warehouse = Warehouse(id: ids.next(), shopID: shopID, code: code, name: name, country: country, region: region,
                                  timezone: timezone, createdAt: now)
        try await warehouse.create(on: db)
        try await (db as! any SQLDatabase).insert(into: "stock_locations")
            .columns("id", "shop_id", "warehouse_id", "code", "name", "created_at")
            .values(SQLBind(ids.next()), SQLBind(shopID), SQLBind(try warehouse.requireID()), SQLBind(code), SQLBind(name), SQLBind(now))
            .run()
        return warehouse
    }
}
