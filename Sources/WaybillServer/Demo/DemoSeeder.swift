import Fluent
import Vapor
import WaybillCore

/// Loads the demo shop on first start: catalog, warehouses, a console user and a few hundred past orders
/// placed through the real intake (so their holds and timelines are genuine). Every start issues a fresh
/// demo API key, since keys are stored hashed and cannot be shown again.
struct DemoSeeder {
    let application: Application
    static let slug = "demo"
    static let email = "demo@waybill.local"
    static let password = "waybill-demo"

    struct Credentials {
        var email: String
        var password: String
        var apiKey: String
        var createdNow: Bool
        var orders: Int

        func banner(baseURL: String) -> String {
            """

            ─── Waybill demo ───────────────────────────────────────────────
            \(createdNow ? "Created the demo shop with \(orders) past orders." : "Demo shop already present (\(orders) orders).")
            Console:  \(baseURL)/console   e-mail \(email)   password \(password)
            API key:  \(apiKey)
                      curl -H 'Authorization: Bearer \(apiKey)' \(baseURL)/api/v1/orders?limit=5
            Tracking: \(baseURL)/track/\(DemoSeeder.slug)   (order number + e-mail or postal code)
            ────────────────────────────────────────────────────────────────

            """
        }
    }

    func seed() async throws -> Credentials {
        let app = application
        var created = false
        var shop = try await Shop.query(on: app.db).filter(\.$slug == Self.slug).first()
        if shop == nil {
            shop = try await createShop()
            created = true
        }
        guard let shop else { throw APIError.notFound("demo shop") }
        let shopID = try shop.requireID()
        let key = try await app.write { db in
            try await APIKey.query(on: db).filter(\.$shop.$id == shopID).filter(\.$name == "demo").filter(\.$revokedAt == nil)
                .set(\.$revokedAt, to: app.dependencies.clock.now()).update()
            return try await AccountService(db: db, application: app).createKey(shop: shop, name: "demo", scopes: APIKey.Scope.allCases).1
        }
        let count = try await Order.query(on: app.db).filter(\.$shop.$id == shopID).count()
        return Credentials(email: Self.email, password: Self.password, apiKey: key, createdNow: created, orders: count)
    }

    /// Opening stock: most SKUs in Icheon, a share in Busan, a few kept scarce so the demo shows shortages.
    private func stock(_ shop: Shop) async throws {
        var rng = SplitMix64(seed: 7)
        let skus = DemoCatalog.drafts.flatMap { $0.variants.map(\.sku) }
        let opened = application.dependencies.clock.now().addingTimeInterval(-43 * 86_400)
        let service = InventoryService(application: application, db: application.db, clock: WaybillClock { opened })
        // Sized to the demo's demand (a few units a week per SKU): Icheon holds weeks of cover, Busan (which
        // serves only the south-east) a few units of every third SKU, and a few SKUs are kept scarce.
        for (location, share) in [("ICN", 1.0), ("PUS", 0.15)] {
            let lines = skus.enumerated().compactMap { index, sku -> StockMovementRequest.Line? in
                if location == "PUS" && index % 3 != 0 { return nil }
                let scarce = index % 9 == 4
                let base = scarce ? Int64(1 + rng.next(upTo: 3)) : Int64(30 + rng.next(upTo: 40))
                return StockMovementRequest.Line(sku: sku, quantity: max(1, Int64(Double(base) * share)))
            }
            _ = try await service.apply(.receipt, StockMovementRequest(location: location, lines: lines, note: "opening stock",
                                                                      reference: "OPENING-\(location)"),
                                        shopID: try shop.requireID(), actor: .demo, idempotency: nil)
        }
    }

    /// Supplier history and stock that shows every alert kind: three past deliveries from one supplier
    /// (lead times 6, 9 and 7 days, so replenishment has a spread to learn), a bulk buy far beyond demand
    /// (overstock), a discontinued lot untouched for 130 days (dead stock) and an order still on its way.
    /// The six weeks of orders before it leave the scarce SKUs low or about to run out.
    private func purchaseHistory(_ shop: Shop) async throws {
        let shopID = try shop.requireID()
        let now = application.dependencies.clock.now()
        let day = 86_400.0
        let supplier = "이천 도예 Icheon Ceramics"
        for (n, (orderedDaysAgo, leadDays, sku, quantity)) in [(40.0, 6.0, "HL-005", 60), (30, 9, "HL-006-M", 48), (20, 7, "HL-005", 36)].enumerated() {
            let ordered = now.addingTimeInterval(-orderedDaysAgo * day)
            let received = ordered.addingTimeInterval(leadDays * day)
            let number = "PO-DEMO-\(n + 1)"
            _ = try await PurchaseOrders(application: application, db: application.db, clock: WaybillClock { ordered }).create(
                .init(number: number, supplier: supplier, location: "ICN", expectedAt: ordered.addingTimeInterval(7 * day), orderedAt: ordered,
                      lines: [.init(sku: sku, quantity: Int64(quantity))]), shopID: shopID)
            _ = try await PurchaseOrders(application: application, db: application.db, clock: WaybillClock { received }).receive(
                number: number, .init(lines: [.init(sku: sku, quantity: Int64(quantity))], allowOverReceipt: nil, note: "demo delivery"),
                shopID: shopID, actor: .demo)
        }
        // A whole container of sea salt: years of cover.
        let bulk = now.addingTimeInterval(-10 * day)
        _ = try await InventoryService(application: application, db: application.db, clock: WaybillClock { bulk }).apply(
            .receipt, StockMovementRequest(location: "PUS", lines: [.init(sku: "HL-023", quantity: 2_400)], note: "bulk buy", reference: "BULK-SALT"),
            shopID: shopID, actor: .demo, idempotency: nil)
        let lastSeason = now.addingTimeInterval(-130 * day)
        _ = try await InventoryService(application: application, db: application.db, clock: WaybillClock { lastSeason }).apply(
            .receipt, StockMovementRequest(location: "PUS", lines: [.init(sku: "HL-900", quantity: 80)], note: "autumn collection", reference: "AUTUMN"),
            shopID: shopID, actor: .demo, idempotency: nil)
        _ = try await PurchaseOrders(application: application, db: application.db).create(
            .init(number: "PO-DEMO-4", supplier: supplier, location: "ICN", expectedAt: now.addingTimeInterval(5 * day), orderedAt: now.addingTimeInterval(-2 * day),
                  lines: [.init(sku: "HL-006-S", quantity: 24)]), shopID: shopID)
        try await ReplenishmentPlanner(application: application, now: now).run(shopID: shopID)
        try await StockAlerts(application: application, now: now).evaluate(shopID: shopID)
    }

    private func createShop() async throws -> Shop {
        let app = application
        let shop = try await app.write { db in
            let accounts = AccountService(db: db, application: app)
            let shop = try await accounts.createShop(slug: Self.slug, name: "한강 리빙 Hangang Living", currency: "KRW",
                                                     timezone: "Asia/Seoul", locale: "ko")
            shop.holdPolicy = HoldPolicy(shipsTo: ["KR", "US", "JP", "CA", "GB", "AU", "DE", "FR"], refusePOBoxes: true,
                                         highValueMultiple: 8, highValueMinimumHistory: 20, highValueAbsolute: 3_000_000,
                                         crossBorderBillingThreshold: 100_000, duplicateWindowMinutes: 30)
            try await shop.save(on: db)
            _ = try await accounts.createUser(shop: shop, email: Self.email, name: "Demo operator", password: Self.password)
            let catalog = CatalogService(db: db, now: app.dependencies.clock.now(), newID: app.dependencies.ids.next)
            for product in DemoCatalog.drafts + [DemoCatalog.discontinued] { try await catalog.upsert(product, shop: shop) }
            for (code, name, region) in [("ICN", "Icheon fulfilment centre", "경기"), ("PUS", "Busan port warehouse", "부산")] {
                _ = try await Warehouses.create(code: code, name: name, country: "KR", region: region, timezone: "Asia/Seoul",
                                                shopID: try shop.requireID(), application: app, on: db)
            }
            return shop
        }
        try await stock(shop)
        try await DemoOrders(application: app, shop: shop).place()
        try await purchaseHistory(shop)
        try await DemoShipments(application: app, shop: shop).create()
        // Promises: learn the sandbox parcels' lanes, then settle and re-predict every promise made at intake
        // (delivered on time or late, the orders left waiting at risk) for the console's Promises page.
        try await PromiseService(application: app).fit(shopID: try shop.requireID())
        _ = try await PromiseWatch(application: app).pass()
        return shop
    }
}
