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
        @Argument(name: "kind", help: "What to import: products or stock") var kind: String
        @Argument(name: "file") var file: String
        @Option(name: "shop") var shop: String?
        @Flag(name: "all-or-nothing", help: "Import nothing if any row is refused.") var allOrNothing: Bool
        init() {}
    }

    var help: String { "Imports a product catalog (products) or stock levels (stock: sku, location, on_hand) from CSV." }

    func run(using context: CommandContext, signature: Signature) async throws {
        if signature.kind == "stock" { return try await importStock(context, signature) }
        guard signature.kind == "products" else { throw CommandError("import products or stock") }
        let app = context.application
        try await app.prepareDatabase()
        guard let slug = signature.shop else { throw CommandError("give --shop") }
        let shop = try await AccountService(db: app.db, application: app).shop(slug: slug)
        guard let data = FileManager.default.contents(atPath: signature.file) else { throw CommandError("cannot read \(signature.file)") }
        guard let text = String(data: data, encoding: .utf8) else { throw CommandError("\(signature.file) is not UTF-8 text") }
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
    /// `waybill import stock FILE.csv --shop s`: counts SKUs already stocked, receives new ones; one transaction.
    func importStock(_ context: CommandContext, _ signature: Signature) async throws {
        let app = context.application
        try await app.prepareDatabase()
        guard let slug = signature.shop else { throw CommandError("give --shop") }
        let shop = try await AccountService(db: app.db, application: app).shop(slug: slug)
        guard let data = FileManager.default.contents(atPath: signature.file), let text = String(data: data, encoding: .utf8) else {
            throw CommandError("cannot read \(signature.file) as UTF-8 text")
        }
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

/// Hands progress from the transaction's task to the console indicator.
struct ProgressReporter: Sendable {
    let report: @Sendable (Int) -> Void
    init(_ report: @escaping @Sendable (Int) -> Void) { self.report = report }
}

/// `waybill export orders --shop s [--output FILE] [--status on_hold] …`
struct ExportOrdersCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "kind", help: "What to export: orders or stock") var kind: String
        @Option(name: "shop") var shop: String?
        @Option(name: "output", short: "o") var output: String?
        @Option(name: "status") var status: String?
        init() {}
    }

    var help: String { "Exports orders as CSV (to a file or standard output)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard ["orders", "stock"].contains(signature.kind) else { throw CommandError("export orders or stock") }
        let app = context.application
        try await app.prepareDatabase()
        guard let slug = signature.shop else { throw CommandError("give --shop") }
        let shop = try await AccountService(db: app.db, application: app).shop(slug: slug)
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
