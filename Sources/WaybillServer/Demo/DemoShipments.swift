import Fluent
import Foundation
import Vapor
import WaybillCore

/// The demo's parcels, all with the sandbox carrier: past orders shipped the day after they were placed
/// (their journeys done by now, some delayed, failed, damaged or returned), a handful shipped just now that
/// move while a newcomer watches (the demo runs the sandbox an hour a minute), and a few ready orders left
/// unshipped, which the background job will call late.
struct DemoShipments {
    let application: Application
    let shop: Shop

    func create() async throws {
        let shopID = try shop.requireID()
        let now = application.dependencies.clock.now()
        let ready = try await Order.query(on: application.db).filter(\.$shop.$id == shopID).filter(\.$status == .ready)
            .sort(\.$placedAt).all()
        for (i, order) in ready.enumerated() {
            let recent = i >= ready.count - 6
            if !recent && i % 10 == 3 { continue }  // left waiting: late by now
            let handover = recent ? now : order.placedAt.addingTimeInterval(20 * 3_600)
            guard handover <= now else { continue }
            let number = SandboxCarrier.number(handedOverAt: handover, serial: i)
            _ = try await ShipmentService(application: application, db: application.db, clock: WaybillClock { handover }).create(
                orderReference: String(order.number), CreateShipmentRequest(carrier: "sandbox", trackingNumber: number,
                                                                             packages: [ShipmentPackage(weightGrams: 1_200)]),
                shopID: shopID, actor: .demo)
        }
        try await TrackingPoller(application: application).pass(window: 3_600)
    }
}
