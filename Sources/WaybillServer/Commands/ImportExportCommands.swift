import ConsoleKit
import Foundation
import Vapor
import WaybillCore

/// `waybill import products FILE.csv --shop s [--all-or-nothing]`
///
/// Valid rows are written in one transaction (all of them or, on a database error, none); refused rows are
/// listed with their line and reasons. With `--all-or-nothing` a single refused row imports nothing.
struct ImportProductsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "kind", help: "What to import: products, stock or purchase-orders") var kind: String
        @Argument(name: "file") var file: String
        @Option(name: "shop") var shop: String?
        @Flag(name: "all-or-nothing", help: "Import nothing if any row is refused.") var allOrNothing: Bool
        init() {}
    }

    var help: String { "Imports a product catalog (products), stock levels (stock) or purchase orders (purchase-orders) from CSV." }

    func run(using context: CommandContext, signature: Signature) async throws {
        if signature.kind == "stock" { return try await importStock(context, signature) }
        if signature.kind == "purchase-orders" { return try await importPurchaseOrders(context, signature) }
        guard signature.kind == "products" else { throw CommandError("import products, stock or purchase-orders") }
        let (app, shop, text) = try await shopAndFile(context, signature)
        let parsed = try ProductImport.parse(text, defaultCurrency: shop.currency)
        for refusal in parsed.refused {
            context.console.warning("line \(refusal.line) (\(refusal.sku.isEmpty ? "no sku" : refusal.sku)): \(refusal.reasons.joined(separator: "; "))")
        }
        if signature.allOrNothing && !parsed.refused.isEmpty {
            context.console.error("\(parsed.refused.count) of \(parsed.rowCount) rows refused; nothing imported (--all-or-nothing).")
            throw CommandError("import refused")
        }
        let total = parsed.products.count
        let bar = context.console.progressBar(title: "Importing \(total) products")
        bar.start()
        let now = app.dependencies.clock.now()
        let ids = app.dependencies.ids.next
        let progress = ProgressReporter { done in bar.activity.currentProgress = total == 0 ? 1 : Double(done) / Double(total) }
        do {
            try await app.write { db in
                let catalog = CatalogService(db: db, now: now, newID: ids)
                for (i, product) in parsed.products.enumerated() {
                    try await catalog.upsert(product, shop: shop)
                    progress.report(i + 1)
                }
            }
            bar.succeed()
        } catch {
            bar.fail()
            context.console.error("Nothing was imported: \(error)")
            throw error
        }
        let variants = parsed.products.reduce(0) { $0 + $1.variants.count }
        context.console.success("Accepted \(variants) rows (\(total) products); refused \(parsed.refused.count) of \(parsed.rowCount).")
    }
}

extension ImportProductsCommand {
    /// The migrated application, the `--shop` and the file's text.
    func shopAndFile(_ context: CommandContext, _ signature: Signature) async throws -> (Application, Shop, String) {
        let app = context.application
        try await app.prepareDatabase()
        guard let slug = signature.shop else { throw CommandError("give --shop") }
        let shop = try await AccountService(db: app.db, application: app).shop(slug: slug)
        guard let data = FileManager.default.contents(atPath: signature.file), let text = String(data: data, encoding: .utf8) else {
            throw CommandError("cannot read \(signature.file) as UTF-8 text")
        }
        return (app, shop, text)
    }

    /// `waybill import stock FILE.csv --shop s`: counts SKUs already stocked, receives new ones; one transaction.
    func importStock(_ context: CommandContext, _ signature: Signature) async throws {
        let (app, shop, text) = try await shopAndFile(context, signature)
        let parsed = try StockCSV.parse(text)
        if signature.allOrNothing && !parsed.refused.isEmpty {
            for r in parsed.refused { context.console.warning("line \(r.line): \(r.reasons.joined(separator: "; "))") }
            throw CommandError("\(parsed.refused.count) rows refused; nothing imported (--all-or-nothing)")
        }
        let bar = context.console.progressBar(title: "Importing stock for \(parsed.rows.count) rows")
        bar.start()
        do {
            let total = max(Set(parsed.rows.map(\.location)).count * 2, 1)
            let result = try await StockCSV.load(parsed, shopID: try shop.requireID(), application: app,
                                                 progress: ProgressReporter { bar.activity.currentProgress = min(1, Double($0) / Double(total)) })
            bar.succeed()
            for r in result.refused { context.console.warning("line \(r.line) (\(r.sku)): \(r.reasons.joined(separator: "; "))") }
            context.console.success("Accepted \(result.accepted) rows; refused \(result.refused.count).")
        } catch {
            bar.fail()
            context.console.error("Nothing was imported: \(error)")
            throw error
        }
    }
}

extension ImportProductsCommand {
    /// `waybill import purchase-orders FILE.csv --shop s`: each order whole or not at all, refusals by row.
    func importPurchaseOrders(_ context: CommandContext, _ signature: Signature) async throws {
        let (app, shop, text) = try await shopAndFile(context, signature)
        let parsed = try PurchaseOrderCSV.parse(text)
        if signature.allOrNothing && !parsed.refused.isEmpty {
            for r in parsed.refused { context.console.warning("line \(r.line): \(r.reasons.joined(separator: "; "))") }
            throw CommandError("\(parsed.refused.count) rows refused; nothing imported (--all-or-nothing)")
        }
        let bar = context.console.progressBar(title: "Importing \(parsed.orders.count) purchase orders")
        bar.start()
        let total = max(parsed.orders.count, 1)
        let result = try await PurchaseOrderCSV.load(parsed, shopID: try shop.requireID(), application: app,
                                                     progress: ProgressReporter { bar.activity.currentProgress = min(1, Double($0) / Double(total)) })
        bar.succeed()
        for r in result.refused { context.console.warning("line \(r.line): \(r.reasons.joined(separator: "; "))") }
        context.console.success("Created \(result.created.count) purchase orders; refused \(result.refused.count) rows.")
    }
}

/// Hands progress from the transaction's task to the console indicator.
struct ProgressReporter: Sendable {
    let report: @Sendable (Int) -> Void
    init(_ report: @escaping @Sendable (Int) -> Void) { self.report = report }
}

/// `waybill export orders --shop s [--output FILE] [--status on_hold] …`
struct ExportOrdersCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "kind", help: "What to export: orders, stock or purchase-orders") var kind: String
        @Option(name: "shop") var shop: String?
        @Option(name: "output", short: "o") var output: String?
        @Option(name: "status") var status: String?
        init() {}
    }

    var help: String { "Exports orders, stock levels or purchase orders as CSV (to a file or standard output)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard ["orders", "stock", "purchase-orders"].contains(signature.kind) else { throw CommandError("export orders, stock or purchase-orders") }
        let app = context.application
        try await app.prepareDatabase()
        guard let slug = signature.shop else { throw CommandError("give --shop") }
        let shop = try await AccountService(db: app.db, application: app).shop(slug: slug)
        if signature.kind == "purchase-orders" {
            let orders = try await PurchaseOrders(application: app, db: app.db).list(shopID: try shop.requireID(), status: signature.status)
            let csv = try PurchaseOrderCSV.export(orders)
            if let output = signature.output { try csv.write(to: URL(fileURLWithPath: output)) } else { FileHandle.standardOutput.write(csv) }
            return
        }
        if signature.kind == "stock" {
            let levels = try await InventoryService(application: app, db: app.db).levels(shopID: try shop.requireID(), sku: nil, location: nil)
            let csv = try StockCSV.export(levels)
            if let output = signature.output { try csv.write(to: URL(fileURLWithPath: output)) } else { FileHandle.standardOutput.write(csv) }
            return
        }
        var filter = OrderFilter()
        if let raw = signature.status {
            guard let status = OrderStatus(rawValue: raw) else { throw CommandError("unknown status '\(raw)'") }
            filter.status = status
        }
        let csv = try await OrderExport(db: app.db).csv(shopID: try shop.requireID(), filter: filter)
        if let output = signature.output {
            try csv.write(to: URL(fileURLWithPath: output))
            context.console.success("Wrote \(output).")
        } else {
            FileHandle.standardOutput.write(csv)
        }
    }
}
