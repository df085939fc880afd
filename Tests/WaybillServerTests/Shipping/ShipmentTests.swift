import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

@Suite("Shipments: split fulfilment, hand-over consumes stock, carriers (F5)")
struct ShipmentTests {
    @Test func twoShipmentsFulfilTheOrderAndHandOverConsumesTheReservation() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 3)
            #expect(try await t.level("JAR-1") == (10, 3, 7))
            let first = try await t.ship(order, #"{"lines":[{"sku":"JAR-1","quantity":2}],"carrier":"cj","tracking_number":"6230-1259-0022","packages":[{"weight_grams":4500}]}"#)
            #expect(first.status == .created)
            let shipment = try first.json()
            #expect(shipment["number"] as? String == "\(order)-1")
            #expect(shipment["state"] as? String == "packed")
            #expect(shipment["tracking_number"] as? String == "623012590022")
            #expect((shipment["tracking_url"] as? String)?.contains("623012590022") == true)
            // Packed is not shipped: the stock is still only reserved, the order still ready.
            #expect(try await t.level("JAR-1") == (10, 3, 7))
            #expect(try await t.orderStatus(order) == "ready")

            let handed = try await t.send(.POST, "/api/v1/shipments/\(order)-1/hand-over")
            #expect(handed.status == .ok)
            #expect(try handed.json()["state"] as? String == "handed_over")
            #expect(try await t.level("JAR-1") == (8, 1, 7))
            #expect(try await t.orderStatus(order) == "partially_fulfilled")
            #expect(try await t.send(.POST, "/api/v1/shipments/\(order)-1/hand-over").status == .conflict)

            // The rest, handed over at once; no lines means everything left.
            let second = try await t.ship(order, #"{"carrier":"cj","handed_over":true}"#)
            #expect(second.status == .created)
            #expect((try second.json()["lines"] as? [[String: Any]])?.first?["quantity"] as? Int == 1)
            #expect(try await t.level("JAR-1") == (7, 0, 7))
            #expect(try await t.orderStatus(order) == "fulfilled")
            #expect(try await t.ship(order, #"{"carrier":"cj"}"#).status == .conflict)

            let ledger = try await t.send(.GET, "/api/v1/inventory/movements?sku=JAR-1").json()["data"] as? [[String: Any]] ?? []
            #expect(ledger.filter { $0["reason"] as? String == "shipment" }.count == 2)
            let timeline = try await t.send(.GET, "/api/v1/orders/\(order)/timeline").json()["facts"] as? [[String: Any]] ?? []
            let kinds = timeline.compactMap { $0["kind"] as? String }
            #expect(kinds.filter { $0 == "shipment_created" }.count == 2 && kinds.filter { $0 == "shipment_handed_over" }.count == 2)
            let list = try await t.send(.GET, "/api/v1/orders/\(order)/shipments").json()["data"] as? [[String: Any]] ?? []
            #expect(list.count == 2)
            try await t.expectNoDrift()
        }
    }

    @Test func badShipmentsAreRefusedByFieldAndWriteNothing() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 2)
            #expect(try await t.ship(order, #"{"carrier":"pigeon"}"#).errorFields() == ["carrier"])
            // A CJ number is not a UPS number: refused with what it looks like.
            let wrong = try await t.ship(order, #"{"carrier":"ups","tracking_number":"623012590022"}"#)
            #expect(try wrong.errorFields() == ["tracking_number"])
            #expect(wrong.text.contains("cj"))
            #expect(try await t.ship(order, #"{"tracking_number":"!!"}"#).errorFields().sorted() == ["carrier", "tracking_number"])
            #expect(try await t.ship(order, #"{"carrier":"cj","lines":[{"sku":"JAR-1","quantity":3}]}"#).errorFields() == ["lines[0].quantity"])
            #expect(try await t.ship(order, #"{"carrier":"cj","lines":[{"sku":"JAR-2","quantity":1}]}"#).errorFields() == ["lines[0].sku"])
            #expect(try await t.ship(order, #"{"carrier":"cj","lines":[{"sku":"JAR-1","quantity":-1}]}"#).errorFields() == ["lines[0].quantity"])
            #expect(try await t.ship(order, #"{"carrier":"cj","lines":[{"sku":"JAR-1","quantity":1.5}]}"#).errorFields() == ["lines[0].quantity"])
            #expect(try await t.ship(order, #"{"carrier":"cj","location":"MARS"}"#).errorFields() == ["location"])
            #expect(try await t.ship(order, #"{"carrier":"cj","packages":[{"weight_grams":0}]}"#).errorFields() == ["packages[0].weight_grams"])
            #expect(try await t.ship(99_999, #"{"carrier":"cj"}"#).status == .notFound)
            #expect((try await t.send(.GET, "/api/v1/orders/\(order)/shipments").json()["data"] as? [[String: Any]])?.isEmpty == true)
            // A held order cannot ship.
            #expect(try await t.send(.POST, "/api/v1/orders/\(order)/holds", json: #"{"note":"check address"}"#).status == .ok)
            #expect(try await t.ship(order, #"{"carrier":"cj"}"#).status == .conflict)
            try await t.expectNoDrift()
        }
    }

    @Test func theSameShipmentRequestTwiceWithOneKeyCreatesOneShipment() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 2)
            var headers = t.auth
            headers.replaceOrAdd(name: "Idempotency-Key", value: "pack-7")
            let body = #"{"carrier":"ups","tracking_number":"1Z5R89390357567127","handed_over":true}"#
            let a = try await t.ship(order, body, headers: headers)
            let b = try await t.ship(order, body, headers: headers)
            #expect(a.status == .created && b.status == .created)
            #expect(b.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try a.json()["number"] as? String == b.json()["number"] as? String)
            #expect((try await t.send(.GET, "/api/v1/shipments").json()["data"] as? [[String: Any]])?.count == 1)
            #expect(try await t.level("JAR-1") == (8, 0, 8))
        }
    }

    @Test func detectionRanksCarriersAndShowsWhetherACheckDigitProvedIt() async throws {
        try await withTestApp { t in
            let ups = try await t.send(.GET, "/api/v1/carriers/detect?number=1Z5R89390357567127").json()["data"] as? [[String: Any]] ?? []
            #expect(ups.first?["carrier"] as? String == "ups")
            #expect(ups.first?["check_digit_verified"] as? Bool == true)
            let cj = try await t.send(.GET, "/api/v1/carriers/detect?number=623012590022&country=KR").json()["data"] as? [[String: Any]] ?? []
            #expect(cj.compactMap { $0["carrier"] as? String }.contains("cj"))
            #expect(try await t.send(.GET, "/api/v1/carriers/detect").errorFields() == ["number"])
            #expect(try await t.send(.GET, "/api/v1/carriers/detect?number=1&country=KOR").errorFields() == ["country"])
            let carriers = try await t.send(.GET, "/api/v1/carriers").json()["data"] as? [[String: Any]] ?? []
            #expect(carriers.count >= 10)
            #expect(carriers.contains { $0["code"] as? String == "cj" && $0["name_ko"] as? String != nil })
        }
    }
}

@Suite("A shop's own carriers (F5)")
struct ShopCarrierTests {
    @Test func aShopAddsACarrierAndShipsWithIt() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1)
            let carrier = #"{"name_en":"Gogo Xpress","name_ko":"고고익스프레스","country":"KR","time_zone":"Asia/Seoul","tracking_url_template":"https://gogo.example/track?n={number}","number_patterns":[{"name":"GG","regex":"GG[0-9]{8}","confidence":0.8}]}"#
            let saved = try await t.send(.PUT, "/api/v1/carriers/gogo", json: carrier)
            #expect(saved.status == .ok)
            let shipment = try await t.ship(order, #"{"carrier":"gogo","tracking_number":"gg-1234-5678"}"#)
            #expect(shipment.status == .created)
            #expect(try shipment.json()["tracking_url"] as? String == "https://gogo.example/track?n=GG12345678")
            #expect(try shipment.json()["carrier_name"] as? String == "Gogo Xpress")
            let detected = try await t.send(.GET, "/api/v1/carriers/detect?number=GG87654321").json()["data"] as? [[String: Any]] ?? []
            #expect(detected.first?["carrier"] as? String == "gogo")
            #expect((try await t.send(.GET, "/api/v1/carriers").json()["data"] as? [[String: Any]])?.contains { $0["code"] as? String == "gogo" } == true)
            // A number that is not theirs, a broken pattern, a template without the number, a built-in's code.
            #expect(try await t.ship(order, #"{"carrier":"gogo","tracking_number":"623012590022"}"#).errorFields() == ["tracking_number"])
            let broken = try await t.send(.PUT, "/api/v1/carriers/gogo2",
                                          json: #"{"name_en":"X","country":"KR","time_zone":"Asia/Seoul","tracking_url_template":"https://x.example/","number_patterns":[{"name":"bad","regex":"(["}]}"#)
            #expect(broken.status == .unprocessableEntity)
            #expect(try Set(broken.errorFields()) == ["carrier.tracking_url_template", "carrier.number_patterns[0].regex"])
            #expect(try await t.send(.PUT, "/api/v1/carriers/cj", json: carrier).status == .conflict)
            #expect(try await t.send(.PUT, "/api/v1/carriers/gogo3", json: #"{"name_en":"X"}"#).status == .unprocessableEntity)
        }
    }
}
