import Foundation

/// Re-sums the stock ledger into levels and compares them with the materialised rows (`waybill inventory verify`).
public enum StockLedger {
    /// A ledger that cannot be replayed is itself corrupt: this names the first movement that breaks.
    public struct ReplayFailure: Error, Hashable, Sendable, CustomStringConvertible {
        /// Position in the sequence given to `replay`.
        public var index: Int
        public var movement: StockMovement
        public var violation: StockRuleViolation

        public var description: String {
            "movement #\(index) (\(movement.reason.rawValue) \(movement.quantity) of \(movement.sku)): \(violation)"
        }
    }

    /// Levels obtained by applying `movements` in ledger order (the caller sorts by sequence number; a
    /// count sets on-hand, so order matters).
    ///
    /// Replay re-sums, it does not re-judge: movements are applied as if backorders were allowed and no
    /// safety buffer were set, so a later change of shop settings cannot make history unreplayable. Those
    /// rules only ever refuse more, so everything accepted when it was written is accepted here, and every
    /// effect is plain arithmetic, so the result equals the levels built one movement at a time. What is
    /// still refused (shipping more than reserved, a negative on-hand) cannot have been written by the rules.
    public static func replay(
        _ movements: [StockMovement], safetyBuffers: [StockKey: Int64] = [:]
    ) throws(ReplayFailure) -> [StockKey: StockLevel] {
        var levels: [StockKey: StockLevel] = [:]
        for (index, movement) in movements.enumerated() {
            let key = movement.key
            let level = levels[key] ?? StockLevel(key)
            do {
                levels[key] = try level.applying(movement, allowBackorder: true)
            } catch {
                throw ReplayFailure(index: index, movement: movement, violation: error)
            }
        }
        for (key, buffer) in safetyBuffers where levels[key] != nil {
            levels[key]?.safetyBuffer = buffer
        }
        return levels
    }

    /// One quantity on which a materialised row and its ledger disagree.
    public struct Drift: Hashable, Sendable, Codable {
        public var key: StockKey
        public var quantity: Quantity
        public var materialised: Int64
        public var ledger: Int64

        /// Positive when the materialised row shows more than the ledger accounts for.
        public var difference: Int64 { materialised &- ledger }
    }

    /// The ledger-derived quantities of a level. The safety buffer is a setting, so it never drifts.
    public enum Quantity: String, Sendable, Codable, CaseIterable {
        case onHand = "on_hand"
        case reserved
        case damaged

        func value(in level: StockLevel) -> Int64 {
            switch self {
            case .onHand: return level.onHand
            case .reserved: return level.reserved
            case .damaged: return level.damaged
            }
        }
    }

    /// Every disagreement, sorted by SKU, location and quantity so reports are stable.
    /// A key present on one side only is compared with an empty level: a materialised row of zeros with
    /// no movements is not drift, a row of 5 with no movements is.
    public static func drift(materialised: [StockKey: StockLevel], ledger: [StockKey: StockLevel]) -> [Drift] {
        let keys = Set(materialised.keys).union(ledger.keys).sorted()
        var drifts: [Drift] = []
        for key in keys {
            let stored = materialised[key] ?? StockLevel(key)
            let summed = ledger[key] ?? StockLevel(key)
            for quantity in Quantity.allCases where quantity.value(in: stored) != quantity.value(in: summed) {
                drifts.append(Drift(key: key, quantity: quantity,
                                    materialised: quantity.value(in: stored), ledger: quantity.value(in: summed)))
            }
        }
        return drifts
    }
}
