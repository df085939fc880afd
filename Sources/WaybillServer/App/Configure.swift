import Fluent
import Leaf
import LeafKit
import Vapor

/// Builds the whole application: database, middleware, sessions, views and routes. The executable and
/// the tests call this; nothing else configures an app.
public func configure(_ app: Application, settings: Settings, dependencies: AppDependencies = AppDependencies()) async throws {
    app.settings = settings
    app.dependencies = dependencies
    app.promiseModels = PromiseModels()
    app.logger.logLevel = settings.logLevel
    app.http.server.configuration.hostname = settings.hostname
    app.http.server.configuration.port = settings.port
    app.routes.defaultMaxBodySize = "64kb"

    var outbox = settings.outbox
    if !settings.publicURLGiven { outbox.publicURL = "http://\(settings.hostname):\(settings.port)" }
    app.outboxConfiguration = outbox
    if let smtp = outbox.smtp {
        let client = try SMTPClient(configuration: smtp, eventLoopGroup: app.eventLoopGroup)
        app.smtpClient = client
        app.lifecycle.use(SMTPClientShutdown(client: client))
    }

    try app.useDatabase(settings)
    app.useModelMiddleware(ShopRulesInvalidation(cache: app.shopRules))
    app.migrations.add(Migrations.all)
    app.sessions.use(.fluent)
    app.sessions.configuration.cookieName = "waybill_session"
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(string: id.string, maxAge: 8 * 3600, path: "/console", isSecure: settings.secureCookies,
                          isHTTPOnly: true, sameSite: .lax)
    }

    let resources = WaybillResources.directory
    app.directory.viewsDirectory = resources.appendingPathComponent("Views").path + "/"
    app.directory.publicDirectory = resources.appendingPathComponent("Public").path + "/"
    app.views.use(.leaf)
    // The resource bundle lives under `.build/…` in development, so hidden directories must be allowed;
    // access stays confined to the views directory and to `.leaf` files.
    app.leaf.sources = .singleSource(NIOLeafFiles(
        fileio: app.fileio, limits: [.toSandbox, .onlyLeafExtensions],
        sandboxDirectory: app.directory.viewsDirectory, viewDirectory: app.directory.viewsDirectory
    ))
    app.leaf.cache.isEnabled = app.environment.isRelease

    // Metrics outermost so they see every answer, errors included; then errors, so every later
    // middleware's failures are rendered in the API's shape.
    app.middleware = .init()
    app.middleware.use(RequestMetricsMiddleware(metrics: app.waybillMetrics))
    app.middleware.use(WaybillErrorMiddleware())
    app.middleware.use(PublicFiles(publicDirectory: app.directory.publicDirectory))

    app.lifecycle.use(PageFactWriter())
    try routes(app)
}

func routes(_ app: Application) throws {
    app.get("health", use: HealthController.health)
    app.get("metrics") { req in
        Response(status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                 body: .init(string: req.application.waybillMetrics.exposition()))
    }
    app.get("openapi.json", use: OpenAPIDocument.serve)
    app.get { req in req.redirect(to: "/console") }

    let api = app.grouped("api", "v1").grouped(APIKeyAuthenticator(cache: APIKeyCache()))
    try api.register(collection: OrderController(maxBody: ByteCount(value: app.settings.maxBodyBytes)))
    try api.register(collection: CatalogController())
    try api.register(collection: ShopController())
    try api.register(collection: InventoryController())
    try api.register(collection: ShipmentController())
    try api.register(collection: PromiseController())
    try api.register(collection: PromiseSettingsController())
    try api.register(collection: InboxController())
    try api.register(collection: OutboxController())
    try api.register(collection: TrackingPageAPIController())
    try app.register(collection: WebhookController())
    try app.register(collection: UnsubscribeController())
    try app.register(collection: TrackingPageController())
    try app.register(collection: TrackingLookupController())

    try app.register(collection: ConsoleController(sessions: app.sessions.middleware))
}

/// Every migration, in order. A shipped migration is never edited: add a new one.
enum Migrations {
    static let all: [any Migration] = [
        M001CreateShops(), M002CreateUsers(), M003CreateAPIKeys(), M004CreateProducts(), M005CreateVariants(),
        M006CreateOrders(), M007CreateOrderLines(), M008CreateOrderHolds(), M009CreateIdempotencyKeys(),
        M010CreateTimelineFacts(), M011CreateWarehouses(), SessionRecord.migration,
        M012CreateStockLocations(), M013CreateStockLevels(), M014CreateStockMovements(), M015CreateOrderAllocations(),
        M016AddInventorySettings(), M017CreatePurchaseOrders(), M018CreateStockPlansAndAlerts(), M019CreateShipments(), M020CreateInbox(), M021CreateShopCarriers(), M022CreatePromises(), M023CreateCarrierCodeMaps(), M024CreateOutbox(), M025CreateTrackingPageSettings(),
        M026CreateReservationGuard(), M027IndexIdempotencyKeysByAge(),
    ]
}
