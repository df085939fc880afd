/// A product as submitted through the API or a CSV row group.
public struct ProductDraft: Hashable, Sendable, Codable {
    public var handle: String
    public var names: [String: String]
    public var descriptions: [String: String]?
    public var active: Bool?
    public var variants: [VariantDraft]

    public init(handle: String, names: [String: String], descriptions: [String: String]? = nil,
                active: Bool? = nil, variants: [VariantDraft]) {
        self.handle = handle
        self.names = names
        self.descriptions = descriptions
        self.active = active
        self.variants = variants
    }
}

/// A variant as submitted. Dimensions in millimetres, weight in grams, price in minor units.
public struct VariantDraft: Hashable, Sendable, Codable {
    public var sku: String
    public var titles: [String: String]?
    public var price: Int64
    public var currency: String?
    public var weightGrams: Int?
    public var lengthMm: Int?
    public var widthMm: Int?
    public var heightMm: Int?
    public var active: Bool?
    /// Whether orders reserve this variant's stock (default true: never oversell unless told to).
    public var trackInventory: Bool?

    public init(sku: String, titles: [String: String]? = nil, price: Int64, currency: String? = nil,
                weightGrams: Int? = nil, lengthMm: Int? = nil, widthMm: Int? = nil, heightMm: Int? = nil, active: Bool? = nil,
                trackInventory: Bool? = nil) {
        self.sku = sku
        self.titles = titles
        self.price = price
        self.currency = currency
        self.weightGrams = weightGrams
        self.lengthMm = lengthMm
        self.widthMm = widthMm
        self.heightMm = heightMm
        self.active = active
        self.trackInventory = trackInventory
    }
}

/// Catalog rules: what a SKU, a name and a price may be.
public enum CatalogRules {
    public static let supportedLocales: Set<String> = ["ko", "en"]

    public static func isValidSKU(_ sku: String) -> Bool {
        sku.range(of: "^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$", options: .regularExpression) != nil
    }

    public static func validate(_ product: ProductDraft, defaultCurrency: String, field: String = "") -> [FieldIssue] {
        var issues = IssueList()
        let p = field.isEmpty ? "" : field + "."
        if product.handle.range(of: "^[a-z0-9][a-z0-9-]{0,99}$", options: .regularExpression) == nil {
            issues.add(p + "handle", product.handle.isEmpty ? "required" : "invalid_format",
                       "handle must be lowercase letters, digits and hyphens (at most 100)")
        }
        if product.names.values.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            issues.add(p + "names", "required", "a product needs a name in at least one of ko, en")
        }
        for (locale, text) in product.names.merging(product.descriptions ?? [:], uniquingKeysWith: { a, _ in a }) {
            if !supportedLocales.contains(locale) {
                issues.add(p + "names.\(locale)", "unsupported_locale", "locales are ko and en")
            }
            if text.count > 5_000 { issues.add(p + "names.\(locale)", "too_long", "text must be at most 5,000 characters") }
        }
        if product.variants.isEmpty { issues.add(p + "variants", "required", "a product needs at least one variant") }
        if product.variants.count > 100 { issues.add(p + "variants", "too_many", "a product may have at most 100 variants") }
        var seen: Set<String> = []
        for (i, v) in product.variants.prefix(100).enumerated() {
            let f = p + "variants[\(i)]"
            if !isValidSKU(v.sku) {
                issues.add(f + ".sku", v.sku.isEmpty ? "required" : "invalid_format",
                           "SKU must be 1–64 letters, digits, '.', '_', '/' or '-'")
            } else if !seen.insert(v.sku).inserted {
                issues.add(f + ".sku", "duplicate_sku", "SKU \(v.sku) appears twice")
            }
            if v.price < 0 { issues.add(f + ".price", "must_not_be_negative", "price must not be negative") }
            if CurrencyCode((v.currency ?? defaultCurrency).uppercased()) == nil {
                issues.add(f + ".currency", "unknown_currency", "currency must be an ISO 4217 code")
            }
            let measures: [(String, Int?)] = [("weight_grams", v.weightGrams), ("length_mm", v.lengthMm),
                                              ("width_mm", v.widthMm), ("height_mm", v.heightMm)]
            for (name, value) in measures {
                if let value, value < 0 || value > 10_000_000 {
                    issues.add(f + "." + name, "out_of_range", "\(name) must be between 0 and 10,000,000")
                }
            }
        }
        return issues.issues
    }
}
