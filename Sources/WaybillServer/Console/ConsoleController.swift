import Fluent
import SQLKit
import Vapor
import WaybillCore

/// The shop team's console: sign-in, orders, the on-hold queue and the actions on an order.
struct ConsoleController: RouteCollection {
    let sessions: SessionsMiddleware

    func boot(routes: any RoutesBuilder) throws {
        let console = routes.grouped("console")
            .grouped(sessions)
            .grouped(User.sessionAuthenticator())
            .grouped(CSRFMiddleware())
        console.get("login", use: loginPage)
        console.post("login", use: login)
        let signedIn = console.grouped(ConsoleLoginRequired())
        signedIn.get { req in req.redirect(to: "/console/orders") }
        signedIn.post("logout", use: logout)
        signedIn.get("orders", use: orders)
        signedIn.get("holds", use: holds)
        signedIn.get("orders", ":order", use: order)
        signedIn.post("orders", ":order", "release", use: release)
        signedIn.post("orders", ":order", "hold", use: hold)
        signedIn.post("orders", ":order", "cancel", use: cancel)
        signedIn.post("orders", ":order", "correct", use: correct)
        let settings = ConsoleSettingsController()
        signedIn.get("settings", use: settings.show)
        signedIn.post("settings", use: settings.save)
        let stock = ConsoleStockController()
        signedIn.get("stock", use: stock.list)
        signedIn.get("stock", ":sku", use: stock.sku)
        signedIn.post("stock", "purchase-orders", use: stock.createPurchaseOrder)
        let receiving = ConsoleReceivingController()
        signedIn.get("alerts", use: receiving.alerts)
        signedIn.get("purchase-orders", use: receiving.list)
        signedIn.get("purchase-orders", ":number", use: receiving.show)
        signedIn.post("purchase-orders", ":number", "receive", use: receiving.receive)
        let shipments = ConsoleShipmentsController()
        signedIn.get("shipments", use: shipments.list)
        signedIn.get("shipments", ":number", use: shipments.show)
        signedIn.get("inbox", use: shipments.inbox)
        signedIn.get("promises", use: ConsolePromisesController().page)
        signedIn.post("inbox", ":id", "replay", use: shipments.replay)
        signedIn.post("carriers", "mappings", use: shipments.map)
        let messages = ConsoleMessagesController()
        signedIn.get("messages", use: messages.list)
        signedIn.get("messages", ":id", use: messages.show)
        signedIn.post("messages", ":id", "replay", use: messages.replay)
        let notifications = ConsoleNotificationsController()
        signedIn.get("notifications", use: notifications.show)
        signedIn.post("notifications", use: notifications.save)
        signedIn.get("notifications", "templates", ":trigger", ":channel", ":locale", use: notifications.edit)
        signedIn.post("notifications", "templates", ":trigger", ":channel", ":locale", use: notifications.update)
        let trackingPage = ConsoleTrackingPageController()
        signedIn.get("tracking-page", use: trackingPage.show)
        signedIn.post("tracking-page", use: trackingPage.save)
    }

    struct LoginForm: Content { var email: String; var password: String }

    func loginPage(req: Request) async throws -> View {
        try await req.view.render("login", ["csrf": CSRFMiddleware.token(for: req), "error": ""])
    }

    func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let user = try await User.query(on: req.db).filter(\.$email == form.email.lowercased()).first()
        let ok: Bool
        if let user {
            ok = (try? await req.password.async.verify(form.password, created: user.passwordHash)) ?? false
        } else {
            // Spend the same work as a real check, so timing does not reveal which e-mails have accounts.
            _ = try? await req.password.async.hash(form.password)
            ok = false
        }
        guard let user, ok else {
            return try await req.view.render("login", ["csrf": CSRFMiddleware.token(for: req),
                                                       "error": "E-mail or password is wrong."]).encodeResponse(status: .unauthorized, for: req)
        }
        // A new session id at sign-in, so a session planted before it (fixation) never becomes authenticated.
        if let old = req.session.id {
            try await req.application.sessions.driver.deleteSession(old, for: req).get()
            req.session.id = nil
        }
        req.auth.login(user)
        return req.redirect(to: "/console/orders")
    }

    func logout(req: Request) async throws -> Response {
        req.auth.logout(User.self)
        req.session.destroy()
        return req.redirect(to: "/console/login")
    }

    struct ListContext: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title: String
        var orders: [OrderRowView]
        var next: String?
        var q: String
        var status: String
        var holdReason: String
        var customer: String
        var placedFrom: String
        var placedTo: String
        var statuses: [String]
        var holdReasons: [String]
        var holdQueue: Bool
    }

    func orders(req: Request) async throws -> View {
        try await list(req, title: "Orders", holdQueue: false)
    }

    func holds(req: Request) async throws -> View {
        try await list(req, title: "On hold", holdQueue: true)
    }

    private func list(_ req: Request, title: String, holdQueue: Bool) async throws -> View {
        let (user, shop) = try await signedIn(req)
        var filter = try OrderFilter.from(req.query)
        if holdQueue { filter.status = .onHold }
        let (orders, next) = try await OrderQueries(db: req.db)
            .page(shopID: try shop.requireID(), filter: filter, limit: 50, cursor: req.query[String.self, at: "cursor"])
        let q = { (key: String) in req.query[String.self, at: key] ?? "" }
        return try await req.view.render("orders", ListContext(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req), title: title,
            orders: try orders.map { try OrderRowView($0, shop: shop) }, next: next, q: q("q"),
            status: holdQueue ? "on_hold" : q("status"), holdReason: q("hold_reason"), customer: q("customer"),
            placedFrom: q("placed_from"), placedTo: q("placed_to"),
            statuses: OrderStatus.allCases.map(\.rawValue), holdReasons: HoldReason.allCases.map(\.rawValue),
            holdQueue: holdQueue
        ))
    }

    struct DetailContext: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var order: OrderDetailView
        var holdReasons: [String]
        var promise: PromiseView?
        /// The customer's tracking page, as their messages link to it.
        var trackingURL: String
    }

    func order(req: Request) async throws -> View {
        let (user, shop) = try await signedIn(req)
        let order = try await OrderQueries(db: req.db).find(shopID: try shop.requireID(), reference: req.parameters.get("order") ?? "")
        let facts = try await Timeline(db: req.db, newID: req.application.dependencies.ids.next).facts(orderID: try order.requireID())
        return try await req.view.render("order", DetailContext(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req),
            order: try OrderDetailView(order, shop: shop, facts: facts), holdReasons: HoldReason.allCases.map(\.rawValue),
            promise: try await (req.db as! any SQLDatabase).raw(
                "SELECT " + PromiseService.columns + " FROM order_promises WHERE order_id = \(bind: try order.requireID())"
            ).first().map { PromiseView(try PromiseService.dto($0), timezone: shop.timezone) },
            trackingURL: try await req.application.trackingURL(orderID: try order.requireID(), at: req.now)
        ))
    }

    struct ReleaseForm: Content { var reason: String?; var note: String? }
    struct NoteForm: Content { var note: String? }
    struct CorrectForm: Content {
        var name: String; var line1: String; var line2: String?; var city: String; var region: String?
        var postalCode: String?; var country: String; var phone: String?; var email: String?
        enum CodingKeys: String, CodingKey { case name, line1, line2, city, region, country, phone, email; case postalCode = "postal_code" }
    }

    func release(req: Request) async throws -> Response {
        let (user, shop, id) = try await target(req)
        let form = try req.content.decode(ReleaseForm.self)
        let reasons = try form.reason.flatMap { $0.isEmpty ? nil : $0 }.map { raw -> [HoldReason] in
            guard let r = HoldReason(rawValue: raw) else { throw APIError.invalid("reason", "invalid_value", "unknown hold reason") }
            return [r]
        }
        _ = try await service(req).release(orderID: id, shopID: try shop.requireID(), reasons: reasons,
                                           note: form.note.flatMap { $0.isEmpty ? nil : String($0.prefix(500)) }, actor: .user(user.email))
        return req.redirect(to: "/console/orders/\(id)")
    }

    func hold(req: Request) async throws -> Response {
        let (user, shop, id) = try await target(req)
        let form = try req.content.decode(NoteForm.self)
        _ = try await service(req).hold(orderID: id, shopID: try shop.requireID(),
                                        note: form.note.map { String($0.prefix(500)) }, actor: .user(user.email))
        return req.redirect(to: "/console/orders/\(id)")
    }

    func cancel(req: Request) async throws -> Response {
        let (user, shop, id) = try await target(req)
        let form = try req.content.decode(NoteForm.self)
        _ = try await service(req).cancel(orderID: id, shopID: try shop.requireID(),
                                          reason: form.note.flatMap { $0.isEmpty ? nil : String($0.prefix(500)) }, actor: .user(user.email))
        return req.redirect(to: "/console/orders/\(id)")
    }

    func correct(req: Request) async throws -> Response {
        let (user, shop, id) = try await target(req)
        let f = try req.content.decode(CorrectForm.self)
        let patch = CorrectOrderRequest(
            shippingAddress: Address(name: f.name, line1: f.line1, line2: f.line2, city: f.city, region: f.region,
                                     postalCode: f.postalCode, country: f.country, phone: f.phone),
            billingAddress: nil, customerEmail: f.email.flatMap { $0.isEmpty ? nil : $0 }, customerPhone: nil, note: nil
        )
        _ = try await service(req).correct(orderID: id, shop: shop, patch: patch, actor: .user(user.email))
        return req.redirect(to: "/console/orders/\(id)")
    }

    private func service(_ req: Request) -> OrderService { OrderService(application: req.application, db: req.db) }

    private func signedIn(_ req: Request) async throws -> (User, Shop) {
        try await ConsoleSettingsController.signedIn(req)
    }

    private func target(_ req: Request) async throws -> (User, Shop, UUID) {
        let (user, shop) = try await signedIn(req)
        let order = try await OrderQueries(db: req.db).find(shopID: try shop.requireID(), reference: req.parameters.get("order") ?? "")
        return (user, shop, try order.requireID())
    }
}
