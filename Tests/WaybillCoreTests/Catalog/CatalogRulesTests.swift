import Testing
@testable import WaybillCore

@Suite("Catalog rules")
struct CatalogRulesTests {
    @Test(arguments: [("HL-001", true), ("hl.001/b_2", true), ("", false), ("-X", false), ("A B", false), ("가나다", false)])
    func skus(sku: String, ok: Bool) {
        #expect(CatalogRules.isValidSKU(sku) == ok)
    }

    @Test func aProductNeedsAHandleANameAndSoundVariants() {
        let draft = ProductDraft(handle: "Bad Handle", names: ["ko": " "], variants: [
            VariantDraft(sku: "A-1", price: -1), VariantDraft(sku: "A-1", price: 10, currency: "ZZZ", weightGrams: -5),
        ])
        let fields = Set(CatalogRules.validate(draft, defaultCurrency: "KRW").map(\.field))
        #expect(fields == ["handle", "names", "variants[0].price", "variants[1].sku", "variants[1].currency", "variants[1].weight_grams"])
    }

    @Test func koreanAndEnglishNamesAreAccepted() {
        let draft = ProductDraft(handle: "celadon-cup", names: ["ko": "청자 찻잔", "en": "Celadon cup"],
                                 variants: [VariantDraft(sku: "CUP-1", price: 32_000)])
        #expect(CatalogRules.validate(draft, defaultCurrency: "KRW").isEmpty)
    }
}
