import Foundation
import SQLKit
import Vapor
import WaybillCore

/// The tracking page in the API: the shop's page settings, and an order's signed link for the shop's own
/// messages and site.
struct TrackingPageAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("tracking-page", "settings", use: showSettings)
        routes.put("tracking-page", "settings", use: saveSettings)
        routes.get("orders", ":order", "tracking-link", use: trackingLink)
    }

    struct LinkDTO: Content {
        var url: String
        var expiresAt: Date
    }

    func trackingLink(req: Request) async throws -> Response {
        let principal = try req.principal(.ordersRead)
        let order = try await OrderQueries(db: req.db).find(shopID: principal.shopID, reference: req.parameters.get("order") ?? "")
        let id = try order.requireID()
        let link = TrackingLink(orderID: id, issuedAt: req.now)
        return try .json(LinkDTO(url: try await req.application.trackingURL(orderID: id, at: req.now), expiresAt: link.expires))
    }

    func showSettings(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsRead)
        return try .json(try await TrackingPageSettings.load(shopID: principal.shopID, sql: req.db as! any SQLDatabase))
    }

    func saveSettings(req: Request) async throws -> Response {
        let principal = try req.principal(.settingsWrite)
        let settings = try req.decodeJSON(TrackingPageSettings.self)
        try settings.validate()
        try await TrackingPageSettings.table.save(settings, shopID: principal.shopID, at: req.now, application: req.application)
        req.application.trackingPage.forget(shop: principal.shopID)
        return try .json(settings)
    }
}
