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
        @Argument(name: "kind", help: "What to import: products") var kind: String
        @Argument(name: "file") var file: String
        @Option(name: "shop") var shop: String?
        @Flag(name: "all-or-nothing", help: "Import nothing if any row is refused.") var allOrNothing: Bool
        init() {}
    }

    var help: String { "Imports a product catalog from CSV." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.kind == "products" else { throw CommandError("only 'products' can be imported so far") }
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

/// Hands progress from the transaction's task to the console indicator.
struct ProgressReporter: Sendable {
    let report: @Sendable (Int) -> Void
    init(_ report: @escaping @Sendable (Int) -> Void) { self.report = report }
}

/// `waybill export orders --shop s [--output FILE] [--status on_hold] …`
struct ExportOrdersCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "kind", help: "What to export: orders") var kind: String
        @Option(name: "shop") var shop: String?
        @Option(name: "output", short: "o") var output: String?
        @Option(name: "status") var status: String?
        init() {}
    }

    var help: String { "Exports orders as CSV (to a file or standard output)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.kind == "orders" else { throw CommandError("only 'orders' can be exported so far") }
        let app = context.application
        try await app.prepareDatabase()
        guard let slug = signature.shop else { throw CommandError("give --shop") }
        let shop = try await AccountService(db: app.db, application: app).shop(slug: slug)
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
