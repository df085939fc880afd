import Foundation
import Testing
@testable import WaybillCore

@Suite("Hold rules (F3)")
struct HoldRulesTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func context(usual: Int64? = nil, history: Int = 0, recent: [HoldContext.RecentOrder] = []) -> HoldContext {
        HoldContext(usualTotal: usual, historyCount: history, recentOrdersOfCustomer: recent, now: now)
    }

    @Test func anOrdinaryOrderIsNotHeld() throws {
        #expect(HoldRules.evaluate(try Fixtures.valid(), policy: HoldPolicy(), context: context(usual: 40_000, history: 50)).isEmpty)
    }

    @Test func aCountryTheShopDoesNotShipToIsHeld() throws {
        let holds = HoldRules.evaluate(try Fixtures.valid(), policy: HoldPolicy(shipsTo: ["US", "JP"]), context: context())
        #expect(holds.map(\.reason) == [.destinationNotServed])
    }

    @Test(arguments: ["사서함 123", "P.O. Box 55", "PO BOX 12"])
    func poBoxesAreHeldWhenCarriersRefuseThem(line: String) throws {
        var draft = Fixtures.draft()
        draft.shippingAddress.line2 = line
        let order = try Fixtures.valid(draft)
        #expect(HoldRules.evaluate(order, policy: HoldPolicy(refusePOBoxes: true), context: context()).map(\.reason) == [.poBox])
        #expect(HoldRules.evaluate(order, policy: HoldPolicy(refusePOBoxes: false), context: context()).isEmpty)
    }

    @Test func aTotalFarAboveUsualIsHeldOnlyWithEnoughHistory() throws {
        let order = try Fixtures.valid()
        #expect(HoldRules.evaluate(order, policy: HoldPolicy(highValueMultiple: 5), context: context(usual: 9_000, history: 50))
            .map(\.reason) == [.highValue])
        #expect(HoldRules.evaluate(order, policy: HoldPolicy(highValueMultiple: 5), context: context(usual: 9_000, history: 3)).isEmpty)
        #expect(HoldRules.evaluate(order, policy: HoldPolicy(highValueAbsolute: 40_000), context: context()).map(\.reason) == [.highValue])
    }

    @Test func foreignBillingAboveTheThresholdIsHeld() throws {
        var draft = Fixtures.draft()
        draft.billingAddress = Address(name: "Min", line1: "1 Main St", city: "Austin", region: "TX", postalCode: "78701", country: "US")
        let order = try Fixtures.valid(draft)
        #expect(HoldRules.evaluate(order, policy: HoldPolicy(crossBorderBillingThreshold: 10_000), context: context())
            .map(\.reason) == [.billingShippingMismatch])
        #expect(HoldRules.evaluate(order, policy: HoldPolicy(crossBorderBillingThreshold: 100_000), context: context()).isEmpty)
    }

    @Test func theSameItemsFromTheSameCustomerMinutesApartAreASuspectedDuplicate() throws {
        let order = try Fixtures.valid()
        let twin = HoldContext.RecentOrder(number: 1001, placedAt: now.addingTimeInterval(-300), itemsSignature: order.itemsSignature)
        let holds = HoldRules.evaluate(order, policy: HoldPolicy(duplicateWindowMinutes: 30), context: context(recent: [twin]))
        #expect(holds.map(\.reason) == [.suspectedDuplicate])
        #expect(holds.first?.detail.contains("#1001") == true)
        let old = HoldContext.RecentOrder(number: 1001, placedAt: now.addingTimeInterval(-3_600), itemsSignature: order.itemsSignature)
        #expect(HoldRules.evaluate(order, policy: HoldPolicy(duplicateWindowMinutes: 30), context: context(recent: [old])).isEmpty)
        let other = HoldContext.RecentOrder(number: 1001, placedAt: now, itemsSignature: "MUG-1x1")
        #expect(HoldRules.evaluate(order, policy: HoldPolicy(), context: context(recent: [other])).isEmpty)
    }

    @Test func holdReasonsHaveKoreanAndEnglishLabels() {
        for reason in HoldReason.allCases {
            #expect(reason.label(locale: "ko") != reason.label(locale: "en"))
        }
    }
}
