import Foundation
import Testing
@testable import WaybillCore

@Suite("Allocation planner (F1)")
struct AllocationPlannerTests {
    let icn = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
    let pus = UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!
    let busan = Address(name: "이서연", line1: "해운대해변로 264", city: "부산광역시 해운대구", postalCode: "48099", country: "KR")
    let seoul = Address(name: "김민준", line1: "테헤란로 152", city: "서울특별시 강남구", postalCode: "06236", country: "KR")

    func stock(icn a: [String: Int64], pus b: [String: Int64]) -> [LocationStock] {
        [LocationStock(locationID: icn, warehouseCode: "ICN", country: "KR", region: "경기", available: a),
         LocationStock(locationID: pus, warehouseCode: "PUS", country: "KR", region: "부산", available: b)]
    }

    @Test func theNearestLocationThatCanFillTheWholeOrderWins() {
        let plan = AllocationPlanner.plan([Demand(sku: "A", quantity: 2)], stock: stock(icn: ["A": 5], pus: ["A": 5]),
                                          destination: busan, policy: InventoryPolicy())
        #expect(plan == .allocated([Allocation(sku: "A", locationID: pus, quantity: 2)]))
    }

    @Test func aWholeOrderFromOnePlaceBeatsASplitNearby() {
        let plan = AllocationPlanner.plan([Demand(sku: "A", quantity: 1), Demand(sku: "B", quantity: 1)],
                                          stock: stock(icn: ["A": 5, "B": 5], pus: ["A": 5]), destination: busan, policy: InventoryPolicy())
        #expect(plan == .allocated([Allocation(sku: "A", locationID: icn, quantity: 1), Allocation(sku: "B", locationID: icn, quantity: 1)]))
    }

    @Test func aSplitWhenNoOneLocationHasEnoughAndTheShopAllowsIt() {
        let demand = [Demand(sku: "A", quantity: 7)]
        let stock = stock(icn: ["A": 4], pus: ["A": 4])
        #expect(AllocationPlanner.plan(demand, stock: stock, destination: seoul, policy: InventoryPolicy(allowSplit: true))
            == .allocated([Allocation(sku: "A", locationID: icn, quantity: 4), Allocation(sku: "A", locationID: pus, quantity: 3)]))
        #expect(AllocationPlanner.plan(demand, stock: stock, destination: seoul, policy: InventoryPolicy(allowSplit: false))
            == .short([Shortfall(sku: "A", requested: 7, available: 4)]))
    }

    @Test func aShortageNamesWhatIsMissing() {
        let plan = AllocationPlanner.plan([Demand(sku: "A", quantity: 3), Demand(sku: "B", quantity: 1)],
                                          stock: stock(icn: ["A": 1], pus: ["B": 2]), destination: seoul, policy: InventoryPolicy())
        #expect(plan == .short([Shortfall(sku: "A", requested: 3, available: 1)]))
        #expect(Hold.outOfStock([Shortfall(sku: "A", requested: 3, available: 1)]).detail == "A: 3 ordered, 1 available")
    }

    @Test func theShopsPriorityBreaksTiesAfterProximity() {
        let plan = AllocationPlanner.plan([Demand(sku: "A", quantity: 1)], stock: stock(icn: ["A": 5], pus: ["A": 5]),
                                          destination: seoul, policy: InventoryPolicy(warehousePriority: ["PUS", "ICN"]))
        #expect(plan == .allocated([Allocation(sku: "A", locationID: pus, quantity: 1)]))
    }
}
