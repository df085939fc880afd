import Foundation
@testable import WaybillCore

/// Known SKUs and a valid Korean order, varied per test.
enum Fixtures {
    static let mug = CatalogEntry(sku: "MUG-1", variantID: UUID(uuidString: "00000000-0000-0000-0000-0000000000A1")!,
                                  name: "청자 머그", price: 12_000, currency: "KRW", active: true)
    static let tray = CatalogEntry(sku: "TRAY-1", variantID: UUID(uuidString: "00000000-0000-0000-0000-0000000000A2")!,
                                   name: "Bamboo tray", price: 24_000, currency: "KRW", active: true)
    static let retired = CatalogEntry(sku: "OLD-1", variantID: UUID(uuidString: "00000000-0000-0000-0000-0000000000A3")!,
                                      name: "Retired", price: 1_000, currency: "KRW", active: false)
    static let catalog = [mug.sku: mug, tray.sku: tray, retired.sku: retired]

    static let seoul = Address(name: "김민준", line1: "테헤란로 152", line2: "12층", city: "서울특별시 강남구",
                               postalCode: "06236", country: "KR", phone: "010-2345-6789")

    /// 2 × 12,000 + 1 × 24,000 − 1,000 line discount − 2,000 order discount + 3,000 shipping = 48,000.
    static func draft() -> OrderDraft {
        OrderDraft(
            currency: "KRW", locale: "ko",
            customer: Customer(name: "김민준", email: "MinJun.Kim@Example.KR", phone: "010-2345-6789"),
            shippingAddress: seoul,
            lines: [LineDraft(sku: "MUG-1", quantity: 2), LineDraft(sku: "TRAY-1", quantity: 1, discount: 1_000)],
            discountTotal: 2_000, shippingTotal: 3_000, taxTotal: 0, total: 48_000
        )
    }

    static func valid(_ draft: OrderDraft = draft()) throws -> ValidOrder {
        try OrderValidator.validate(draft, catalog: catalog).get()
    }
}
