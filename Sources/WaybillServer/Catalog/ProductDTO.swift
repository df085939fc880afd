import Foundation

/// A product as the API shows it.
struct ProductDTO: Codable, Sendable {
    struct VariantDTO: Codable, Sendable {
        var id: UUID
        var sku: String
        var titles: [String: String]
        var price: Int64
        var currency: String
        var weightGrams: Int
        var lengthMm: Int
        var widthMm: Int
        var heightMm: Int
        var active: Bool
        var trackInventory: Bool
    }

    var id: UUID
    var handle: String
    var names: [String: String]
    var descriptions: [String: String]
    var active: Bool
    var variants: [VariantDTO]
    var createdAt: Date
    var updatedAt: Date

    init(_ p: Product, variants: [Variant]) throws {
        id = try p.requireID()
        handle = p.handle
        names = p.names
        descriptions = p.descriptions
        active = p.active
        self.variants = try variants.sorted { $0.sku < $1.sku }.map {
            VariantDTO(id: try $0.requireID(), sku: $0.sku, titles: $0.titles, price: $0.price, currency: $0.currency,
                       weightGrams: $0.weightGrams, lengthMm: $0.lengthMM, widthMm: $0.widthMM, heightMm: $0.heightMM,
                       active: $0.active, trackInventory: $0.trackInventory)
        }
        createdAt = p.createdAt
        updatedAt = p.updatedAt
    }
}

struct ProductPage: Codable, Sendable {
    var data: [ProductDTO]
    var nextCursor: String?
}
