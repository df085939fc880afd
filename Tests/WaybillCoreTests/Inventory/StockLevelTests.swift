import Foundation
import Testing
@testable import WaybillCore

@Suite("Stock level movements (F1)")
struct StockLevelTests {
    /// 10 on hand, 4 reserved, 2 damaged, a buffer of 1: 5 available.
    static let start = StockFixtures.level(onHand: 10, reserved: 4, damaged: 2, buffer: 1)

    struct Effect: Sendable, CustomTestStringConvertible {
        var reason: StockMovement.Reason
        var quantity: Int64
        var onHand: Int64
        var reserved: Int64
        var damaged: Int64
        var testDescription: String { "\(reason.rawValue) \(quantity) → \(onHand)/\(reserved)/\(damaged)" }
    }

    static let effects: [Effect] = [
        Effect(reason: .receipt, quantity: 5, onHand: 15, reserved: 4, damaged: 2),
        Effect(reason: .transferIn, quantity: 5, onHand: 15, reserved: 4, damaged: 2),
        Effect(reason: .returnRestock, quantity: 5, onHand: 15, reserved: 4, damaged: 2),
        Effect(reason: .reservation, quantity: 5, onHand: 10, reserved: 9, damaged: 2),
        Effect(reason: .release, quantity: 4, onHand: 10, reserved: 0, damaged: 2),
        Effect(reason: .shipment, quantity: 3, onHand: 7, reserved: 1, damaged: 2),
        Effect(reason: .adjustment, quantity: -2, onHand: 8, reserved: 4, damaged: 2),
        Effect(reason: .adjustment, quantity: 3, onHand: 13, reserved: 4, damaged: 2),
        Effect(reason: .cycleCount, quantity: 7, onHand: 7, reserved: 4, damaged: 2),
        Effect(reason: .cycleCount, quantity: 12, onHand: 12, reserved: 4, damaged: 2),
        Effect(reason: .transferOut, quantity: 5, onHand: 5, reserved: 4, damaged: 2),
        Effect(reason: .damage, quantity: 3, onHand: 7, reserved: 4, damaged: 5),
        Effect(reason: .writeOff, quantity: 2, onHand: 10, reserved: 4, damaged: 0),
    ]

    @Test(arguments: effects)
    func eachReasonMovesTheRightQuantities(_ effect: Effect) throws {
        let after = try Self.start.applying(StockFixtures.movement(effect.reason, effect.quantity), allowBackorder: false)
        #expect([after.onHand, after.reserved, after.damaged] == [effect.onHand, effect.reserved, effect.damaged])
        #expect(after.safetyBuffer == 1)
    }

    @Test func everyReasonHasAnEffectCase() {
        #expect(Set(Self.effects.map(\.reason)) == Set(StockMovement.Reason.allCases))
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var reason: StockMovement.Reason
        var quantity: Int64
        var code: StockRuleViolation.Code
        var testDescription: String { "\(reason.rawValue) \(quantity) is \(code.rawValue)" }
    }

    static let refusals: [Refusal] = [
        Refusal(reason: .receipt, quantity: 0, code: .quantityMustBePositive),
        Refusal(reason: .receipt, quantity: -1, code: .quantityMustBePositive),
        Refusal(reason: .reservation, quantity: 0, code: .quantityMustBePositive),
        Refusal(reason: .shipment, quantity: -2, code: .quantityMustBePositive),
        Refusal(reason: .damage, quantity: 0, code: .quantityMustBePositive),
        Refusal(reason: .adjustment, quantity: 0, code: .quantityMustNotBeZero),
        Refusal(reason: .cycleCount, quantity: -1, code: .quantityMustNotBeNegative),
        Refusal(reason: .reservation, quantity: 6, code: .insufficientAvailable),
        Refusal(reason: .release, quantity: 5, code: .exceedsReserved),
        Refusal(reason: .shipment, quantity: 5, code: .exceedsReserved),
        Refusal(reason: .transferOut, quantity: 6, code: .insufficientAvailable),
        Refusal(reason: .damage, quantity: 7, code: .belowReserved),
        Refusal(reason: .adjustment, quantity: -7, code: .belowReserved),
        Refusal(reason: .cycleCount, quantity: 3, code: .belowReserved),
        Refusal(reason: .adjustment, quantity: -11, code: .insufficientOnHand),
        Refusal(reason: .damage, quantity: 11, code: .insufficientOnHand),
        Refusal(reason: .writeOff, quantity: 3, code: .exceedsDamaged),
        Refusal(reason: .receipt, quantity: .max, code: .quantityTooLarge),
    ]

    @Test(arguments: refusals)
    func refusedMovementsNameTheQuantityAndTheRule(_ refusal: Refusal) {
        #expect {
            _ = try Self.start.applying(StockFixtures.movement(refusal.reason, refusal.quantity), allowBackorder: false)
        } throws: { error in
            let violation = error as? StockRuleViolation
            return violation?.code == refusal.code && violation?.field == "quantity"
        }
    }

    @Test func backordersLetReservationsAndShrinkagePassWhatIsAvailable() throws {
        let reserved = try Self.start.applying(StockFixtures.movement(.reservation, 8), allowBackorder: true)
        #expect(reserved.reserved == 12)
        #expect(reserved.available == -3)
        let damaged = try Self.start.applying(StockFixtures.movement(.damage, 7), allowBackorder: true)
        #expect(damaged.onHand == 3)
    }

    @Test func backordersNeverMakeOnHandNegativeOrMovePromisedStockAway() {
        let backordered = StockFixtures.level(onHand: 2, reserved: 5)
        #expect(throws: StockRuleViolation(.insufficientOnHand, "cannot ship 3: 2 on hand")) {
            _ = try backordered.applying(StockFixtures.movement(.shipment, 3), allowBackorder: true)
        }
        #expect(throws: StockRuleViolation.self) {
            _ = try Self.start.applying(StockFixtures.movement(.transferOut, 6), allowBackorder: true)
        }
        #expect(throws: StockRuleViolation.self) {
            _ = try Self.start.applying(StockFixtures.movement(.adjustment, -11), allowBackorder: true)
        }
    }

    @Test func aGainIsAcceptedEvenOnALevelThatIsAlreadyShort() throws {
        let short = StockFixtures.level(onHand: 2, reserved: 5)
        #expect(try short.applying(StockFixtures.movement(.adjustment, 1), allowBackorder: false).onHand == 3)
        #expect(try short.applying(StockFixtures.movement(.cycleCount, 4), allowBackorder: false).onHand == 4)
    }

    @Test func shrinkageMayUseTheSafetyBufferButNotReservedStock() throws {
        // available is 5 and the buffer 1: losing 6 leaves exactly the 4 reserved, available −1.
        let after = try Self.start.applying(StockFixtures.movement(.damage, 6), allowBackorder: false)
        #expect(after.onHand == 4)
        #expect(after.available == -1)
    }

    @Test func aCountStoresWhatWasCountedAndTheDifferenceIsDerived() throws {
        let counted = StockFixtures.movement(.cycleCount, 7)
        #expect(Self.start.countDifference(counted.quantity) == -3)
        #expect(try Self.start.applying(counted, allowBackorder: false).onHand == 7)
        #expect(try Self.start.applying(StockFixtures.movement(.cycleCount, 10), allowBackorder: false) == Self.start)
    }

    @Test func aMovementForAnotherSkuOrLocationNamesThatField() {
        #expect {
            _ = try Self.start.applying(StockFixtures.movement(.receipt, 1, sku: "TRAY-1"), allowBackorder: false)
        } throws: { ($0 as? StockRuleViolation)?.fieldIssue == FieldIssue(field: "sku", code: "sku_mismatch",
                                                                          message: "movement for TRAY-1 applied to MUG-1") }
        #expect {
            _ = try Self.start.applying(StockFixtures.movement(.receipt, 1, location: StockFixtures.backRoom),
                                        allowBackorder: false)
        } throws: { ($0 as? StockRuleViolation)?.field == "location_id" }
    }

    @Test func reasonsAndReferenceKindsKeepTheirWireSpelling() {
        #expect(StockMovement.Reason.allCases.map(\.rawValue) == [
            "receipt", "reservation", "release", "shipment", "adjustment", "cycle_count",
            "transfer_out", "transfer_in", "damage", "return_restock", "write_off",
        ])
        #expect(StockMovement.Reference.Kind.purchaseOrder.rawValue == "purchase_order")
    }
}
