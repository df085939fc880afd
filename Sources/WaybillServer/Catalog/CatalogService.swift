import Fluent
import SQLKit
import Vapor
import WaybillCore

/// The catalog capability's public face: other capabilities look SKUs up here, never in its tables.
struct CatalogService {
    let db: any Database
    let now: Date
    let newID: @Sendable () -> UUID

    /// What the order validator needs to know about each requested SKU that exists.
    func entries(shopID: UUID, skus: [String], locale: String) async throws -> [String: CatalogEntry] {
        let unique = Array(Set(skus)).filter(CatalogRules.isValidSKU)
        guard !unique.isEmpty else { return [:] }
        // Plain SQL: intake calls this for every order (see OrderStore on why the hot paths skip Fluent).
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT v.id, v.sku, v.titles, v.price, v.currency, v.active, v.track_inventory, p.handle, p.names, p.active AS product_active
            FROM variants v JOIN products p ON p.id = v.product_id
            WHERE v.shop_id = \(bind: shopID) AND v.sku IN (\(binds: unique))
            """).all()
        var out: [String: CatalogEntry] = [:]
        for row in rows {
            let names = try row.decode(column: "names", as: [String: String].self)
            let titles = try row.decode(column: "titles", as: [String: String].self)
            let handle = try row.decode(column: "handle", as: String.self)
            let productName = names[locale] ?? names["en"] ?? names["ko"] ?? names.values.sorted().first ?? handle
            let title = titles[locale] ?? titles["en"] ?? titles.values.sorted().first
            let sku = try row.decode(column: "sku", as: String.self)
            out[sku] = CatalogEntry(
                sku: sku, variantID: try row.decode(column: "id", as: UUID.self),
                name: title.map { "\(productName) — \($0)" } ?? productName,
                price: try row.decode(column: "price", as: Int64.self), currency: try row.decode(column: "currency", as: String.self),
                active: try row.decode(column: "active", as: Bool.self) && row.decode(column: "product_active", as: Bool.self),
                tracked: try row.decode(column: "track_inventory", as: Bool.self)
            )
        }
        return out
    }

    /// Creates or updates products by handle and their variants by SKU. Call inside a write transaction.
    @discardableResult
    func upsert(_ draft: ProductDraft, shop: Shop) async throws -> Product {
        let shopID = try shop.requireID()
        let product = try await Product.query(on: db).filter(\.$shop.$id == shopID).filter(\.$handle == draft.handle).first()
            ?? Product()
        if product.id == nil {
            product.id = newID()
            product.$shop.id = shopID
            product.handle = draft.handle
            product.createdAt = now
        }
        product.names = draft.names.filter { !$0.value.isEmpty }
        product.descriptions = (draft.descriptions ?? [:]).filter { !$0.value.isEmpty }
        product.active = draft.active ?? true
        product.updatedAt = now
        try await product.save(on: db)
        let productID = try product.requireID()

        let existing = try await Variant.query(on: db)
            .filter(\.$shop.$id == shopID).filter(\.$sku ~~ draft.variants.map(\.sku)).all()
        let bySKU = Dictionary(existing.map { ($0.sku, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, v) in draft.variants.enumerated() {
            let variant = bySKU[v.sku] ?? Variant()
            if variant.id == nil {
                variant.id = newID()
                variant.$shop.id = shopID
                variant.sku = v.sku
                variant.createdAt = now
            } else if variant.$product.id != productID {
                throw APIError.invalid("variants[\(i)].sku", "sku_taken", "SKU \(v.sku) belongs to another product")
            }
            variant.$product.id = productID
            variant.titles = (v.titles ?? [:]).filter { !$0.value.isEmpty }
            variant.price = v.price
            variant.currency = (v.currency ?? shop.currency).uppercased()
            variant.weightGrams = v.weightGrams ?? 0
            variant.lengthMM = v.lengthMm ?? 0
            variant.widthMM = v.widthMm ?? 0
            variant.heightMM = v.heightMm ?? 0
            variant.active = v.active ?? true
            variant.trackInventory = v.trackInventory ?? variant.$trackInventory.value ?? true
            variant.updatedAt = now
            try await variant.save(on: db)
        }
        return product
    }
}
