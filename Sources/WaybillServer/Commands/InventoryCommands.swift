import SQLKit
import Vapor

/// `waybill inventory verify [--shop s]`: re-sums the ledger; exits non-zero on any drift.
struct InventoryVerifyCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "shop") var shop: String?
        init() {}
    }

    var help: String { "Re-sums the stock ledger and reports any level that differs from it (there must be none)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.prepareDatabase()
        var shopID: UUID?
        if let slug = signature.shop { shopID = try await AccountService(db: app.db, application: app).shop(slug: slug).requireID() }
        let report = try await InventoryVerify(sql: app.db as! any SQLDatabase).run(shopID: shopID)
        for drift in report.drifts { context.console.error("drift: \(drift)") }
        let summary = "\(report.levels) levels, \(report.movements) ledger rows re-summed in \(String(format: "%.2f", report.seconds)) s"
        if report.drifts.isEmpty {
            context.console.success("No drift: \(summary).")
        } else {
            context.console.error("\(report.drifts.count) levels differ from the ledger: \(summary).")
            throw CommandError("inventory drift")
        }
    }
}
