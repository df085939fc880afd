import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
@testable import WaybillServer
@testable import WaybillCore

/// The sweettracker client against its two real `trackingInfo` answers in `../shared/data/carriers/korea`,
/// parsed directly and served by a real HTTP server the poller asks.
@Suite("스마트택배 (sweettracker): Korean carriers polled without anyone looking")
struct SweetTrackerTests {
    static let available = RealPayloadTests.available

    func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: RealPayloadTests.root.appendingPathComponent("korea/sweettracker_trackingInfo_cj_\(name)_masked.json"))
    }

    @Test(.enabled(if: available, "../shared/data is not here"))
    func realAnswersReadIntoEveryScanWithItsKoreanTime() throws {
        let out = try #require(try SweetTrackerTracker.update(from: try fixture("out_for_delivery"), carrier: .cj, number: "631693783814"))
        #expect(out.events.count == 8 && out.source == "sweettracker" && out.carrier == .cj)
        let first = try #require(out.events.first)
        // 2020-06-16 09:02:19 in Seoul, 집화처리 at 서울금천남독산, level 2.
        #expect(first.timestamp.date == Date(timeIntervalSince1970: 1_592_265_739) && first.timestamp.utcOffsetSeconds == 32_400)
        #expect(first.reading.status == .inTransit && first.reading.substatus == .pickedUp && first.reading.rawText == "집화처리")
        #expect(first.location == "서울금천남독산")
        #expect(TrackingTimeline(events: out.events.enumerated().map { TrackingEvent(reading: $1.reading, at: $1.timestamp, location: $1.location, arrivalSequence: $0) })
            .currentStatus == .outForDelivery)
        let delivered = try #require(try SweetTrackerTracker.update(from: try fixture("delivered"), carrier: .cj, number: "623012590022"))
        #expect(delivered.events.last?.reading.status == .delivered && delivered.events.count == 8)
    }

    @Test func unknownInvoicesWaitAndAnythingElseIsAnError() throws {
        // sweettracker's answers for an invoice it has no scans of, and for a bad key.
        #expect(try SweetTrackerTracker.update(from: Data(#"{"result":"N","msg":"유효하지 않은 운송장번호 이거나 택배사 코드 입니다."}"#.utf8),
                                               carrier: .cj, number: "1") == nil)
        #expect(throws: SweetTrackerTracker.Refused.self) {
            try SweetTrackerTracker.update(from: Data(#"{"status":false,"msg":"API Key not found","code":"104"}"#.utf8), carrier: .cj, number: "1")
        }
        #expect(throws: SweetTrackerTracker.Refused.self) {
            try SweetTrackerTracker.update(from: Data("<html>maintenance</html>".utf8), carrier: .cj, number: "1")
        }
    }

    @Test(.enabled(if: available, "../shared/data is not here"))
    func thePollerAsksSweetTrackerAndTheParcelMovesOn() async throws {
        let answer = try fixture("out_for_delivery")
        let asked = NIOLockedValueBox<[String]>([])
        // A real HTTP server on 127.0.0.1 standing in for sweettracker: the fixture for the right key, carrier and invoice.
        let carrier = try await Application.make(.testing)
        carrier.http.server.configuration.hostname = "127.0.0.1"
        carrier.http.server.configuration.port = 0
        carrier.get("api", "v1", "trackingInfo") { req -> Response in
            let key = req.query[String.self, at: "t_key"], code = req.query[String.self, at: "t_code"], invoice = req.query[String.self, at: "t_invoice"]
            asked.withLockedValue { $0.append("\(code ?? "")/\(invoice ?? "")") }
            guard key == "test key+1/키" else { return Response(status: .unauthorized, body: .init(string: #"{"status":false,"msg":"API Key not found"}"#)) }
            guard code == "04", invoice == "631693783814" else { return Response(status: .ok, body: .init(string: #"{"result":"N","msg":"없음"}"#)) }
            return Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(data: answer))
        }
        try await carrier.server.start(address: .hostname("127.0.0.1", port: 0))
        defer { Task { await carrier.server.shutdown(); try? await carrier.asyncShutdown() } }
        let port = try #require(carrier.http.server.shared.localAddress?.port)

        try await withTestApp { t in
            t.app.settings.sweetTracker = .init(key: "test key+1/키", url: "http://127.0.0.1:\(port)", requestsPerMinute: 60)
            #expect(Set(t.app.carrierTrackers.keys) == [.sandbox, .cj, .kpost, .hanjin, .logen, .lotte])
            // The key's 60 a minute shared by the five carriers.
            #expect(t.app.carrierTrackers[.cj]?.requestsPerMinute == 12)
            let order = try await t.stockedOrder(quantity: 1)
            #expect(try await t.ship(order, #"{"carrier":"cj","tracking_number":"631693783814"}"#).status == .created)
            let report = try await TrackingPoller(application: t.app).pass()
            #expect(report.asked == 1 && report.failures == 0 && report.newEvents == 8)
            #expect(asked.withLockedValue { $0 } == ["04/631693783814"])
            let shipment = try await t.send(.GET, "/api/v1/shipments/\(order)-1").json()
            #expect(shipment["tracking_status"] as? String == "out_for_delivery" && shipment["state"] as? String == "handed_over")
            #expect((shipment["events"] as? [[String: Any]])?.first?["location"] as? String == "서울금천남독산")
            // A wrong key is a failure the poller backs off from, not a crash.
            t.app.settings.sweetTracker?.key = "wrong"
            t.time.advance(by: 3 * 3_600)
            let refused = try await TrackingPoller(application: t.app).pass()
            #expect(refused.asked == 1 && refused.failures == 1)
        }
    }
}
