import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

extension TestApp {
    /// The order's tracking page path (`/t/…`), from the API.
    func trackingPath(_ order: Int) async throws -> String {
        let r = try await send(.GET, "/api/v1/orders/\(order)/tracking-link")
        #expect(r.status == .ok)
        let url = try #require(try r.json()["url"] as? String)
        return String(url[try #require(url.range(of: "/t/")).lowerBound...])
    }

    /// A page as a browser would fetch it.
    func page(_ path: String, language: String = "en") async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.GET, path, headers: ["Accept-Language": language])
    }

    /// A form posted as a browser would post it.
    func form(_ path: String, _ fields: [(String, String)], headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
        headers.add(contentsOf: extra)
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        return try await app.testing().sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    /// An order shipped with CJ (tracking 623012590022) and two scans, the second with `scanText`.
    func shippedCJOrder(email: String = "ship@example.com", scanText: String = "간선하차") async throws -> Int {
        let order = try await stockedOrder(quantity: 2, email: email)
        #expect(try await ship(order, #"{"carrier":"cj","tracking_number":"623012590022"}"#).status == .created)
        try await inbound("waybill", secret: "waybill-test-secret-0001")
        let text = try String(decoding: JSONEncoder().encode(scanText), as: UTF8.self)
        let body = #"{"id":"e1","tracking_number":"623012590022","carrier":"cj","events":[{"occurred_at":"2026-11-23 19:10:00","code":"11","text":"상품인수","location":"서울강남"},{"occurred_at":"2026-11-23 23:40:00","code":"41","text":\#(text),"location":"곤지암Hub"}]}"#
        #expect(try await waybillWebhook(body).status == .ok)
        return order
    }

    func factCount(_ kind: String) async throws -> Int {
        try await app.trackingPage.facts.flush(application: app)
        return try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM shop_facts WHERE kind = \(bind: kind)").first()?
            .decode(column: "n", as: Int.self) ?? -1
    }
}
