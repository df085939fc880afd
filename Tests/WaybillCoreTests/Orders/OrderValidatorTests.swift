import Foundation
import Testing
@testable import WaybillCore

@Suite("Order validation (F3)")
struct OrderValidatorTests {
    @Test func aCorrectKoreanOrderIsAcceptedAndNormalised() throws {
        let order = try Fixtures.valid()
        #expect(order.subtotal == 47_000)
        #expect(order.total == 48_000)
        #expect(order.customer.email == "MinJun.Kim@example.kr")
        #expect(order.customer.phone == "+821023456789")
        #expect(order.shippingAddress.phone == "+821023456789")
        #expect(order.lines.map(\.total) == [24_000, 23_000])
        #expect(order.locale == "ko")
        #expect(order.itemsSignature == "MUG-1x2,TRAY-1x1")
    }

    @Test func everyFailingFieldIsReportedAtOnce() {
        var draft = Fixtures.draft()
        draft.currency = "XYZ"
        draft.customer.email = "not an email"
        draft.shippingAddress.postalCode = "1234"
        draft.shippingAddress.city = " "
        draft.lines = [LineDraft(sku: "NOPE", quantity: 1), LineDraft(sku: "MUG-1", quantity: 0)]
        guard case .failure(let failure) = OrderValidator.validate(draft, catalog: Fixtures.catalog) else {
            Issue.record("expected a failure"); return
        }
        let fields = Set(failure.issues.map(\.field))
        #expect(fields == ["currency", "customer.email", "shipping_address.postal_code", "shipping_address.city",
                           "line_items[0].sku", "line_items[1].quantity"])
    }

    @Test(arguments: [
        (Int64(48_001), "total"), (Int64(47_999), "total"),
    ])
    func totalsMustAddUpExactly(total: Int64, field: String) {
        var draft = Fixtures.draft()
        draft.total = total
        guard case .failure(let failure) = OrderValidator.validate(draft, catalog: Fixtures.catalog) else {
            Issue.record("expected a failure"); return
        }
        #expect(failure.issues.map(\.field) == [field])
        #expect(failure.issues.first?.code == "does_not_add_up")
    }

    @Test func aGivenSubtotalIsChecked() {
        var draft = Fixtures.draft()
        draft.subtotal = 50_000
        guard case .failure(let failure) = OrderValidator.validate(draft, catalog: Fixtures.catalog) else {
            Issue.record("expected a failure"); return
        }
        #expect(failure.issues.map(\.code) == ["does_not_add_up"])
    }

    @Test(arguments: [
        ("OLD-1", "inactive_sku"), ("", "required"), ("GHOST", "unknown_sku"),
    ])
    func onlyKnownActiveSKUsCanBeOrdered(sku: String, code: String) {
        var draft = Fixtures.draft()
        draft.lines = [LineDraft(sku: sku, quantity: 1)]
        draft.discountTotal = 0
        draft.total = 4_000
        guard case .failure(let failure) = OrderValidator.validate(draft, catalog: Fixtures.catalog) else {
            Issue.record("expected a failure"); return
        }
        #expect(failure.issues.contains { $0.field == "line_items[0].sku" && $0.code == code })
    }

    @Test(arguments: [Int64(0), -3, 100_001])
    func quantitiesArePositiveAndBounded(quantity: Int64) {
        var draft = Fixtures.draft()
        draft.lines[0].quantity = quantity
        guard case .failure(let failure) = OrderValidator.validate(draft, catalog: Fixtures.catalog) else {
            Issue.record("expected a failure"); return
        }
        #expect(failure.issues.contains { $0.field == "line_items[0].quantity" })
    }

    @Test func discountsCannotExceedWhatTheyDiscount() {
        var draft = Fixtures.draft()
        draft.lines[1].discount = 30_000
        guard case .failure(let failure) = OrderValidator.validate(draft, catalog: Fixtures.catalog) else {
            Issue.record("expected a failure"); return
        }
        #expect(failure.issues.contains { $0.field == "line_items[1].discount" && $0.code == "exceeds_amount" })
    }

    @Test func amountsThatWouldOverflowAreRefusedNotTrapped() {
        var draft = Fixtures.draft()
        draft.lines = [LineDraft(sku: "MUG-1", quantity: 100_000, unitPrice: Int64.max / 2)]
        draft.total = 1
        guard case .failure(let failure) = OrderValidator.validate(draft, catalog: Fixtures.catalog) else {
            Issue.record("expected a failure"); return
        }
        #expect(failure.issues.contains { $0.code == "too_large" })
    }

    @Test func aPriceInAnotherCurrencyMustBeGivenExplicitly() throws {
        var draft = Fixtures.draft()
        draft.currency = "USD"
        guard case .failure(let failure) = OrderValidator.validate(draft, catalog: Fixtures.catalog) else {
            Issue.record("expected a failure"); return
        }
        #expect(failure.issues.contains { $0.field == "line_items[0].unit_price" })
        draft.lines = [LineDraft(sku: "MUG-1", quantity: 2, unitPrice: 950)]
        draft.discountTotal = 0
        draft.shippingTotal = 500
        draft.total = 2_400
        #expect(throws: Never.self) { try Fixtures.valid(draft) }
    }

    @Test(arguments: [
        ("US", "94105", "CA", true), ("US", "9410", "CA", false), ("US", "94105", nil, false),
        ("JP", "100-0005", nil, true), ("GB", "SW1A 2AA", nil, true), ("KR", "6236", nil, false),
    ] as [(String, String, String?, Bool)])
    func addressesAreCheckedPerCountry(country: String, postal: String, region: String?, ok: Bool) {
        var draft = Fixtures.draft()
        draft.shippingAddress = Address(name: "Emily Carter", line1: "500 Howard St", city: "City", region: region,
                                        postalCode: postal, country: country)
        draft.customer.phone = nil
        let result = OrderValidator.validate(draft, catalog: Fixtures.catalog)
        if case .success = result { #expect(ok) } else { #expect(!ok) }
    }

    @Test func stringsArriveAsDataNotCode() throws {
        var draft = Fixtures.draft()
        draft.customer.name = "Robert'); DROP TABLE orders;-- <script>alert(1)</script>"
        let order = try Fixtures.valid(draft)
        #expect(order.customer.name == draft.customer.name)
    }

    @Test func tooManyLinesAreRefusedWithoutLookingAtEach() {
        var draft = Fixtures.draft()
        draft.lines = (0..<10_000).map { LineDraft(sku: "S\($0)", quantity: 1) }
        guard case .failure(let failure) = OrderValidator.validate(draft, catalog: Fixtures.catalog) else {
            Issue.record("expected a failure"); return
        }
        #expect(failure.issues.contains { $0.field == "line_items" && $0.code == "too_many" })
        #expect(failure.issues.count < 10)
    }
}
