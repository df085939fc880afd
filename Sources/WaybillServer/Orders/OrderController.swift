import Fluent
import SQLKit
import Vapor
import WaybillCore

/// `/api/v1/orders`: intake, reads, and operator actions on orders.
struct OrderController: RouteCollection {
    let maxBody: ByteCount

    func boot(routes: any RoutesBuilder) throws {
        let orders = routes.grouped("orders")
        orders.on(.POST, body: .collect(maxSize: maxBody), use: create)
        orders.get(use: list)
        orders.get("export.csv", use: export)
        orders.get(":order", use: show)
        orders.on(.PATCH, ":order", body: .collect(maxSize: maxBody), use: correct)
        orders.get(":order", "timeline", use: timeline)
        orders.post(":order", "cancel", use: cancel)
        orders.post(":order", "holds", use: hold)
        orders.post(":order", "holds", "release", use: release)
        orders.on(.PATCH, ":order", "lines", body: .collect(maxSize: maxBody), use: editLines)
    }

    func create(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersWrite)
        let key = try req.idempotencyKey()
        let input = try req.decodeJSON(CreateOrderRequest.self)
        guard let shop = try await ShopRules.cached(principal.shopID, application: req.application) else {
            throw APIError(.unauthorized, "unauthorized", "the API key's shop no longer exists")
        }
        let outcome = try await OrderService(application: req.application, db: req.db)
            .create(input, rawBody: req.rawBody, shop: shop, actor: .api(principal), idempotencyKey: key)
        if !outcome.replayed { req.application.waybillMetrics.recordIntake(holds: outcome.newHolds) }
        var headers = HTTPHeaders()
        headers.contentType = .json
        if let id = outcome.orderID { headers.replaceOrAdd(name: .location, value: "/api/v1/orders/\(id)") }
        if outcome.replayed { headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true") }
        return Response(status: outcome.status, headers: headers, body: .init(data: outcome.body))
    }

    func list(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersRead)
        let filter = try OrderFilter.from(req.query)
        let (orders, next) = try await OrderQueries(db: req.db)
            .page(shopID: principal.shopID, filter: filter, limit: try req.pageLimit(), cursor: req.query[String.self, at: "cursor"])
        return try .json(OrderPage(data: try orders.map { try OrderDTO($0, lines: $0.lines, openHolds: $0.holds) }, nextCursor: next))
    }

    func show(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersRead)
        let reference = req.parameters.get("order") ?? ""
        guard let order = try await OrderStore(req.db as! any SQLDatabase).dto(shopID: principal.shopID, reference: reference) else {
            throw APIError.notFound("order '\(reference.prefix(40))'")
        }
        return try .json(order)
    }

    func timeline(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersRead)
        let order = try await OrderQueries(db: req.db).find(shopID: principal.shopID, reference: req.parameters.get("order") ?? "")
        let facts = try await Timeline(db: req.db, newID: req.application.dependencies.ids.next).facts(orderID: try order.requireID())
        return try .json(TimelineDTO(orderId: try order.requireID(), facts: facts.map(TimelineFactDTO.init)))
    }

    func cancel(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersWrite)
        let body = try optionalBody(req, CancelRequest.self) ?? CancelRequest()
        if let reason = body.reason, reason.count > 500 { throw APIError.invalid("reason", "too_long", "reason must be at most 500 characters") }
        let id = try await orderID(req, principal)
        return try .json(try await service(req).cancel(orderID: id, shopID: principal.shopID, reason: body.reason, actor: .api(principal)))
    }

    func hold(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersWrite)
        let body = try optionalBody(req, HoldRequest.self) ?? HoldRequest()
        if let note = body.note, note.count > 500 { throw APIError.invalid("note", "too_long", "note must be at most 500 characters") }
        let id = try await orderID(req, principal)
        return try .json(try await service(req).hold(orderID: id, shopID: principal.shopID, note: body.note, actor: .api(principal)))
    }

    func release(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersWrite)
        let body = try optionalBody(req, ReleaseRequest.self) ?? ReleaseRequest()
        if let note = body.note, note.count > 500 { throw APIError.invalid("note", "too_long", "note must be at most 500 characters") }
        let id = try await orderID(req, principal)
        return try .json(try await service(req).release(orderID: id, shopID: principal.shopID, reasons: body.reasons,
                                                         note: body.note, actor: .api(principal)))
    }

    func correct(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersWrite)
        let patch = try req.decodeJSON(CorrectOrderRequest.self)
        let shop = try await req.shop(principal)
        let id = try await orderID(req, principal)
        return try .json(try await service(req).correct(orderID: id, shop: shop, patch: patch, actor: .api(principal)))
    }

    func editLines(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersWrite)
        let body = try req.decodeJSON(EditLinesRequest.self)
        let id = try await orderID(req, principal)
        return try .json(try await service(req).editLines(orderID: id, shopID: principal.shopID, request: body, actor: .api(principal)))
    }

    func export(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersRead)
        let filter = try OrderFilter.from(req.query)
        let csv = try await OrderExport(db: req.db).csv(shopID: principal.shopID, filter: filter)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: "orders.csv")
        return Response(status: .ok, headers: headers, body: .init(data: csv))
    }

    private func service(_ req: Request) -> OrderService {
        OrderService(application: req.application, db: req.db)
    }

    private func orderID(_ req: Request, _ principal: APIPrincipal) async throws -> UUID {
        try await OrderQueries(db: req.db).find(shopID: principal.shopID, reference: req.parameters.get("order") ?? "").requireID()
    }

    private func optionalBody<T: Decodable>(_ req: Request, _ type: T.Type) throws -> T? {
        guard let body = req.body.data, body.readableBytes > 0 else { return nil }
        return try req.decodeJSON(type)
    }
}
