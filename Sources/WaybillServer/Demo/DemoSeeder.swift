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
        for (location, share) in [("ICN", 1.0), ("PUS", 0.4)] {
            let lines = skus.enumerated().map { index, sku in
                let scarce = index % 9 == 4
                let base = scarce ? Int64(1 + rng.next(upTo: 3)) : Int64(30 + rng.next(upTo: 150))
                return StockMovementRequest.Line(sku: sku, quantity: max(1, Int64(Double(base) * share)))
            }
            _ = try await service.apply(.receipt, StockMovementRequest(location: location, lines: lines, note: "opening stock",
                                                                      reference: "OPENING-\(location)"),
                                        shopID: try shop.requireID(), actor: .demo, idempotency: nil)
        }
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
            for product in DemoCatalog.drafts { try await catalog.upsert(product, shop: shop) }
            for (code, name, region) in [("ICN", "Icheon fulfilment centre", "경기"), ("PUS", "Busan port warehouse", "부산")] {
                _ = try await Warehouses.create(code: code, name: name, country: "KR", region: region, timezone: "Asia/Seoul",
                                                shopID: try shop.requireID(), application: app, on: db)
            }
            return shop
        }
        try await stock(shop)
        try await DemoOrders(application: app, shop: shop).place()
        return shop
    }
}
