import Foundation
@testable import WaybillCore

/// Shared stock positions and movements for the Inventory tests.
enum StockFixtures {
    static let shelf = UUID(uuidString: "00000000-0000-0000-0000-00000000B001") ?? UUID()
    static let backRoom = UUID(uuidString: "00000000-0000-0000-0000-00000000B002") ?? UUID()
    static let day0 = Date(timeIntervalSince1970: 1_798_761_600) // 2027-01-01T00:00:00Z, a Friday

    static func level(onHand: Int64 = 0, reserved: Int64 = 0, damaged: Int64 = 0, buffer: Int64 = 0,
                      sku: String = "MUG-1", location: UUID = shelf) -> StockLevel {
        StockLevel(sku: sku, locationID: location, onHand: onHand, reserved: reserved, damaged: damaged, safetyBuffer: buffer)
    }

    static func movement(_ reason: StockMovement.Reason, _ quantity: Int64, sku: String = "MUG-1",
                         location: UUID = shelf, at offset: Int = 0) -> StockMovement {
        StockMovement(sku: sku, locationID: location, reason: reason, quantity: quantity,
                      reference: StockMovement.Reference(.adjustment, "doc-\(offset)"), actor: "test",
                      occurredAt: day0.addingTimeInterval(Double(offset)))
    }

    static func days(_ quantities: [Int64], stockedOut: Set<Int> = []) -> [DemandDay] {
        quantities.enumerated().map { i, q in
            DemandDay(date: day0.addingTimeInterval(Double(i) * 86_400), quantity: q, stockedOut: stockedOut.contains(i))
        }
    }
}
