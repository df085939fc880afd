import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import WaybillCore

/// What a quote needs to know about one SKU: whether stock is tracked, what is available at each location
/// holding it (on hand − reserved − safety buffer), and the shop's allocation rule.
struct QuoteStock: Sendable {
    var tracked: Bool
    var available: [UUID: Int64]
    var policy: InventoryPolicy

    struct Key: Hashable, Sendable {
        var shopID: UUID
        var sku: String
    }

    /// The SKUs that exist (unknown ones are absent), from this instance's cache where it is younger than
    /// `Settings.quoteStockSeconds` and otherwise in one statement for all the rest. A storefront asks for a
    /// delivery date on every product page view; a quote a second or two behind the stock is what it can
    /// afford, and an order never is — intake reserves against the stock as it is. Unknown SKUs are never kept.
    static func read(skus: [String], shopID: UUID, application: Application, sql: any SQLDatabase) async throws -> [String: QuoteStock] {
        let cache = application.quoteStockCache
        var stock: [String: QuoteStock] = [:]
        var missing: [String] = []
        for sku in Set(skus) {
            if let kept = cache?.lookup(Key(shopID: shopID, sku: sku)) { stock[sku] = kept } else { missing.append(sku) }
        }
        guard !missing.isEmpty else { return stock }
        var read: [String: QuoteStock] = [:]
        for row in try await sql.raw("""
            SELECT v.sku, v.track_inventory, s.location_id, s.on_hand - s.reserved - s.safety_buffer AS available, sh.inventory_policy
            FROM shops sh JOIN variants v ON v.shop_id = sh.id LEFT JOIN stock_levels s ON s.variant_id = v.id
            WHERE sh.id = \(bind: shopID) AND v.sku IN (\(binds: missing.sorted()))
            """).all() {
            let sku = try row.decode(column: "sku", as: String.self)
            if read[sku] == nil {
                read[sku] = QuoteStock(tracked: try row.decode(column: "track_inventory", as: Bool.self), available: [:],
                                       policy: try row.decode(column: "inventory_policy", as: InventoryPolicy?.self) ?? InventoryPolicy())
            }
            if let location = try row.decode(column: "location_id", as: UUID?.self) {
                read[sku]?.available[location] = try row.decode(column: "available", as: Int64.self)
            }
        }
        for (sku, level) in read {
            cache?.store(Key(shopID: shopID, sku: sku), level)
            stock[sku] = level
        }
        return stock
    }
}

extension Application {
    private struct QuoteStockCacheKey: StorageKey { typealias Value = ExpiringCache<QuoteStock.Key, QuoteStock> }

    /// Nil when `Settings.quoteStockSeconds` is 0.
    var quoteStockCache: ExpiringCache<QuoteStock.Key, QuoteStock>? {
        let seconds = settings.quoteStockSeconds
        guard seconds > 0 else { return nil }
        return shared(QuoteStockCacheKey.self) { ExpiringCache(ttl: .milliseconds(Int64(seconds * 1_000)), capacity: 100_000) }
    }
}
