import Foundation
import Testing
@testable import WaybillCore

/// Random movement sequences against the invariants of the ledger (F1): thousands of them, seeded.
@Suite("Stock ledger properties (F1)")
struct StockLedgerPropertyTests {
    static let reasons: [StockMovement.Reason] = [
        .receipt, .reservation, .reservation, .release, .shipment, .shipment, .adjustment,
        .transferOut, .transferIn, .damage, .cycleCount, .writeOff, .returnRestock,
    ]
    static let keys = [
        StockKey(sku: "MUG-1", locationID: StockFixtures.shelf),
        StockKey(sku: "MUG-1", locationID: StockFixtures.backRoom),
        StockKey(sku: "TRAY-1", locationID: StockFixtures.shelf),
    ]

    struct Tally {
        var accepted = 0
        var refused = 0
    }

    @Test(arguments: [false, true])
    func levelsAlwaysEqualTheReplayedLedgerAndNeverBreakTheirBounds(allowBackorder: Bool) throws {
        var random = SplitMix64Generator(seed: allowBackorder ? 0xB0 : 0xA0)
        var tally = Tally()
        for sequence in 0..<2_000 {
            try checkSequence(sequence, allowBackorder: allowBackorder, random: &random, tally: &tally)
        }
        // Both branches of every rule were exercised, not just the happy path.
        #expect(tally.accepted > 20_000, "only \(tally.accepted) accepted")
        #expect(tally.refused > 10_000, "only \(tally.refused) refused")
    }

    private func checkSequence(_ sequence: Int, allowBackorder: Bool, random: inout SplitMix64Generator,
                               tally: inout Tally) throws {
        // Half the sequences run with safety buffers, which shrinkage may use up but reservations may not.
        let buffers = Dictionary(uniqueKeysWithValues: Self.keys.map {
            ($0, sequence.isMultiple(of: 2) ? Int64(random.nextInt(in: 0...3)) : 0)
        })
        var levels: [StockKey: StockLevel] = [:]
        var ledger: [StockMovement] = []
        for step in 0..<30 {
            let key = Self.keys[random.nextInt(in: 0...(Self.keys.count - 1))]
            let reason = Self.reasons[random.nextInt(in: 0...(Self.reasons.count - 1))]
            // Mostly plausible quantities, with zeros and negatives mixed in so the sign rules are exercised.
            let quantity = Int64(random.nextInt(in: reason == .adjustment ? -8...8 : -1...12))
            let movement = StockMovement(sku: key.sku, locationID: key.locationID, reason: reason, quantity: quantity,
                                         reference: .init(.adjustment, "\(sequence)-\(step)"), actor: "property",
                                         occurredAt: StockFixtures.day0.addingTimeInterval(Double(step)))
            let before = levels[key] ?? StockLevel(key, safetyBuffer: buffers[key] ?? 0)
            guard let after = try? before.applying(movement, allowBackorder: allowBackorder) else {
                tally.refused += 1
                continue
            }
            tally.accepted += 1
            levels[key] = after
            ledger.append(movement)

            let context = "sequence \(sequence), step \(step): \(reason.rawValue) \(quantity) on \(before)"
            let replayed = try StockLedger.replay(ledger, safetyBuffers: buffers)
            try #require(replayed == levels, "ledger and levels disagree at \(context)")
            try #require(after.onHand >= 0 && after.reserved >= 0 && after.damaged >= 0, "negative at \(context)")
            if !allowBackorder {
                try #require(after.onHand >= after.reserved, "promised more than on hand at \(context)")
                if reason == .reservation || reason == .transferOut {
                    try #require(after.available >= 0, "available below zero at \(context)")
                }
                if after.safetyBuffer == 0 {
                    try #require(after.available >= 0, "available below zero at \(context)")
                }
            }
        }
    }
}
