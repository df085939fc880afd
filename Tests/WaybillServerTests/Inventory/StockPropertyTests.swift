import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer
@testable import WaybillCore

@Suite("Stock ledger property (F1)")
struct StockPropertyTests {
    /// Random receipts, orders, cancellations, adjustments, damages and transfers through the real services and
    /// database; after every step the levels equal the ledger re-summed, nothing is negative and nothing is oversold.
    @Test(arguments: [UInt64(1), 2, 3])
    func randomSequencesKeepLevelsEqualToTheLedger(seed: UInt64) async throws {
        try await withTestApp { t in
            try await t.warehouses([("ICN", "경기"), ("PUS", "부산")])
            var rng = SplitMix64(seed: seed)
            var placed: [UUID] = []
            let skus = ["JAR-1", "JAR-2"]
            let locations = ["ICN", "PUS"]
            let shopID = try t.shop.requireID()
            let inventory = InventoryService(application: t.app, db: t.app.db)
            for step in 0..<120 {
                let sku = skus[Int(rng.next(upTo: 2))]
                let location = locations[Int(rng.next(upTo: 2))]
                let quantity = Int64(1 + rng.next(upTo: 6))
                do {
                    switch rng.next(upTo: 10) {
                    case 0, 1:
                        _ = try await inventory.apply(.receipt, .init(location: location, lines: [.init(sku: sku, quantity: quantity)]),
                                                      shopID: shopID, actor: .cli, idempotency: nil)
                    case 2, 3, 4:
                        let r = try await t.order(sku: sku, quantity: quantity, email: "p\(step)@example.com")
                        if let text = try r.json()["id"] as? String, let id = UUID(uuidString: text) { placed.append(id) }
                    case 5:
                        if !placed.isEmpty {
                            let id = placed.remove(at: Int(rng.next(upTo: UInt64(placed.count))))
                            _ = try await t.send(.POST, "/api/v1/orders/\(id)/cancel")
                        }
                    case 6:
                        _ = try await inventory.apply(.adjustment, .init(location: location, lines: [.init(sku: sku, quantity: rng.next(upTo: 2) == 0 ? quantity : -quantity)]),
                                                      shopID: shopID, actor: .cli, idempotency: nil)
                    case 7:
                        _ = try await inventory.apply(.damage, .init(location: location, lines: [.init(sku: sku, quantity: quantity)]),
                                                      shopID: shopID, actor: .cli, idempotency: nil)
                    default:
                        _ = try await inventory.apply(.transfer, .init(location: location, toLocation: locations.first { $0 != location },
                                                                       lines: [.init(sku: sku, quantity: quantity)]),
                                                      shopID: shopID, actor: .cli, idempotency: nil)
                    }
                } catch is ValidationFailure {
                    // A refused movement (not enough stock, below reserved) must have changed nothing: checked below.
                }
                let report = try await InventoryVerify(sql: t.app.db as! any SQLDatabase).run()
                #expect(report.drifts.isEmpty, "step \(step): \(report.drifts)")
                let bad = try await (t.app.db as! any SQLDatabase).raw("""
                    SELECT COUNT(*) AS n FROM stock_levels
                    WHERE reserved < 0 OR on_hand < 0 OR damaged < 0 OR on_hand - reserved - safety_buffer < 0
                    """).first()?.decode(column: "n", as: Int64.self)
                #expect(bad == 0, "step \(step): a level went negative or oversold")
                if !report.drifts.isEmpty || bad != 0 { return }
            }
        }
    }
}
