import Foundation
import Testing
@testable import WaybillCore
@testable import WaybillServer

/// `waybill promise evaluate --olist` reads Olist's CSV layout; these are our own rows in that layout.
@Suite("Olist history for the promise back-test")
struct OlistHistoryTests {
    @Test func ordersBecomeLanesFromSellerToCustomerState() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("olist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ text: String) throws { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        try write("sellers.csv", "seller_id,seller_zip_code_prefix,seller_city,seller_state\ns1,13023,\"campinas, sp\",SP\n")
        try write("customers.csv", """
            customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state
            c1,u1,22010,rio de janeiro,RJ
            c2,u2,1310,sao paulo,SP
            c3,u3,69005,manaus,AM
            """)
        try write("order_items.csv", """
            order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,freight_value
            o1,1,p1,s1,2017-03-08 10:00:00,10.0,5.0
            o1,2,p2,s9,2017-03-08 10:00:00,10.0,5.0
            o2,1,p1,s1,2017-03-09 10:00:00,10.0,5.0
            o3,1,p1,s1,2017-03-10 10:00:00,10.0,5.0
            """)
        try write("orders.csv", """
            order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date
            o1,c1,delivered,2017-03-06 09:30:00,2017-03-06 10:00:00,2017-03-07 15:00:00,2017-03-14 11:00:00,2017-03-28 00:00:00
            o2,c2,canceled,2017-03-07 12:00:00,,,,2017-03-20 00:00:00
            o3,c3,shipped,2017-03-08 23:10:00,2017-03-09 00:00:00,2017-03-10 10:00:00,,2017-04-05 00:00:00
            o4,c9,delivered,2017-03-08 10:00:00,,,,2017-03-20 00:00:00
            """)
        let history = try OlistHistory.load(folder: folder.path)
        #expect(history.skipped == 1)                      // o4: no items, no known customer
        #expect(history.orders.map(\.id) == ["o1", "o2", "o3"])
        let first = try #require(history.orders.first)
        #expect(first.lane == LaneKey(carrier: "olist", service: "standard", destination: "BR-RJ", origin: "BR-SP"))
        #expect(first.warehouse.id == "s1")                // the first item's seller
        #expect(first.handedOver == LocalDay(iso: "2017-03-07") && first.delivered == LocalDay(iso: "2017-03-14"))
        #expect(first.theirEstimate == LocalDay(iso: "2017-03-28"))
        #expect(LocalDay(first.orderedAt, in: OlistHistory.zone) == LocalDay(iso: "2017-03-06"))
        #expect(history.orders[1].cancelled && history.orders[1].delivered == nil)
        // Shipped but never delivered: not cancelled, no delivery day (a parcel in flight to the back-test).
        #expect(!history.orders[2].cancelled && history.orders[2].delivered == nil && history.orders[2].handedOver != nil)
        #expect(history.calendar.name == "BR" && !history.calendar.isOpen(LocalDay(iso: "2017-04-21")!))   // Tiradentes
    }

    @Test func aFolderWithoutTheFilesIsAClearError() {
        #expect(throws: (any Error).self) { try OlistHistory.load(folder: "/nonexistent-\(UUID().uuidString)") }
    }
}
