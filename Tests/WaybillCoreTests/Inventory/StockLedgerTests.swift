import Foundation
import Testing
@testable import WaybillCore

@Suite("Stock ledger replay and drift (F1)")
struct StockLedgerTests {
    let ledger = [
        StockFixtures.movement(.receipt, 20),
        StockFixtures.movement(.reservation, 5),
        StockFixtures.movement(.shipment, 3),
        StockFixtures.movement(.damage, 2),
        StockFixtures.movement(.receipt, 7, location: StockFixtures.backRoom),
        StockFixtures.movement(.cycleCount, 12),
        StockFixtures.movement(.writeOff, 1),
    ]

    @Test func replayReSumsEachPositionInLedgerOrder() throws {
        let levels = try StockLedger.replay(ledger)
        let shelf = StockFixtures.level(onHand: 12, reserved: 2, damaged: 1)
        #expect(levels[shelf.key] == shelf)
        #expect(levels[StockKey(sku: "MUG-1", locationID: StockFixtures.backRoom)]?.onHand == 7)
        #expect(levels.count == 2)
    }

    @Test func replayAppliesSafetyBuffersWithoutLettingTodaysSettingsRefuseHistory() throws {
        // Reserved while the shop allowed backorders; it has since turned them off and set a buffer of 3.
        let history = [StockFixtures.movement(.receipt, 2), StockFixtures.movement(.reservation, 5)]
        let key = StockKey(sku: "MUG-1", locationID: StockFixtures.shelf)
        #expect(throws: StockRuleViolation.self) {
            _ = try StockFixtures.level(onHand: 2, buffer: 3).applying(history[1], allowBackorder: false)
        }
        let levels = try StockLedger.replay(history, safetyBuffers: [key: 3])
        #expect(levels[key] == StockFixtures.level(onHand: 2, reserved: 5, buffer: 3))
    }

    @Test func aLedgerThatCannotBeReplayedNamesTheFirstBrokenMovement() {
        let broken = [StockFixtures.movement(.receipt, 5), StockFixtures.movement(.shipment, 1)]
        #expect {
            _ = try StockLedger.replay(broken)
        } throws: { error in
            let failure = error as? StockLedger.ReplayFailure
            return failure?.index == 1 && failure?.violation.code == .exceedsReserved
        }
    }

    @Test func matchingLevelsHaveNoDrift() throws {
        let levels = try StockLedger.replay(ledger)
        #expect(StockLedger.drift(materialised: levels, ledger: levels).isEmpty)
    }

    @Test func driftNamesEachQuantityThatDisagrees() throws {
        let summed = try StockLedger.replay(ledger)
        var stored = summed
        let key = StockKey(sku: "MUG-1", locationID: StockFixtures.shelf)
        stored[key]?.onHand += 3
        stored[key]?.damaged = 0
        let drift = StockLedger.drift(materialised: stored, ledger: summed)
        #expect(drift.map(\.quantity) == [.onHand, .damaged])
        #expect(drift.map(\.difference) == [3, -1])
    }

    @Test func aRowWithoutMovementsDriftsOnlyIfItHoldsStock() {
        let orphan = StockFixtures.level(sku: "GHOST-1")
        #expect(StockLedger.drift(materialised: [orphan.key: orphan], ledger: [:]).isEmpty)
        let stocked = StockFixtures.level(onHand: 5, sku: "GHOST-1")
        let drift = StockLedger.drift(materialised: [stocked.key: stocked], ledger: [:])
        #expect(drift == [StockLedger.Drift(key: stocked.key, quantity: .onHand, materialised: 5, ledger: 0)])
    }
}
