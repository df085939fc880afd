import Vapor
import SQLKit

extension Application {
    /// Registers Waybill's command-line verbs next to Vapor's own (`routes`, `migrate`).
    public func registerCommands() {
        asyncCommands.use(WaybillServeCommand(), as: "serve", isDefault: true)
        asyncCommands.use(PrepareCommand(), as: "prepare")
        var shop = AsyncCommands(enableAutocomplete: false)
        shop.use(ShopCreateCommand(), as: "create")
        asyncCommands.use(shop.group(help: "Manage shops"), as: "shop")
        var user = AsyncCommands(enableAutocomplete: false)
        user.use(UserCreateCommand(), as: "create")
        asyncCommands.use(user.group(help: "Manage console users"), as: "user")
        var key = AsyncCommands(enableAutocomplete: false)
        key.use(KeyCreateCommand(), as: "create")
        asyncCommands.use(key.group(help: "Manage API keys"), as: "key")
        var inventory = AsyncCommands(enableAutocomplete: false)
        inventory.use(InventoryVerifyCommand(), as: "verify")
        inventory.use(InventoryPlanCommand(), as: "plan")
        inventory.use(InventoryBacktestCommand(), as: "backtest")
        asyncCommands.use(inventory.group(help: "Stock: verify the ledger, plan replenishment, backtest the policy"), as: "inventory")
        var promise = AsyncCommands(enableAutocomplete: false)
        promise.use(PromiseFitCommand(), as: "fit")
        promise.use(PromiseEvaluateCommand(), as: "evaluate")
        promise.use(PromiseBenchCommand(), as: "bench")
        promise.use(PromiseHolidaysCommand(), as: "holidays")
        asyncCommands.use(promise.group(help: "Delivery promises: fit the transit model, evaluate it on history, benchmark it"), as: "promise")
        var tracking = AsyncCommands(enableAutocomplete: false)
        tracking.use(TrackingDetectCommand(), as: "detect")
        asyncCommands.use(tracking.group(help: "Tracking: detect a number's carrier, or time detection"), as: "tracking")
        asyncCommands.use(ImportProductsCommand(), as: "import")
        asyncCommands.use(ExportOrdersCommand(), as: "export")
    }
}

extension Application {
    /// Every shop (id, slug) by slug, or the one named by `--shop`.
    func shops(slug: String?) async throws -> [(UUID, String)] {
        var shops = try await (db as! any SQLDatabase).raw("SELECT id, slug FROM shops ORDER BY slug").all()
            .map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "slug", as: String.self)) }
        if let slug {
            shops = shops.filter { $0.1 == slug }
            guard !shops.isEmpty else { throw CommandError("no shop '\(slug)'") }
        }
        return shops
    }
}
