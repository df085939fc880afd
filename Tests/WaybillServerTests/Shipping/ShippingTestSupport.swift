import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

extension TestApp {
    /// An order for `quantity` JAR-1 with stock received first; returns its number.
    func stockedOrder(quantity: Int64 = 3, stock: Int64 = 10, email: String = "ship@example.com") async throws -> Int {
        try await warehouses()
        try await move("receipts", [("JAR-1", stock), ("JAR-2", stock)])
        let r = try await order(sku: "JAR-1", quantity: quantity, email: email)
        #expect(r.status == .created)
        return try #require(try r.json()["number"] as? Int)
    }

    @discardableResult
    func ship(_ order: Int, _ json: String, headers: HTTPHeaders? = nil) async throws -> TestingHTTPResponse {
        try await send(.POST, "/api/v1/orders/\(order)/shipments", json: json, headers: headers)
    }

    func orderStatus(_ number: Int) async throws -> String? {
        try await send(.GET, "/api/v1/orders/\(number)").json()["status"] as? String
    }

    /// Registers `secret` for an inbound source.
    func inbound(_ source: String, secret: String) async throws {
        let r = try await send(.PUT, "/api/v1/shop/inbound-webhooks/\(source)", json: #"{"secret":"\#(secret)"}"#)
        #expect(r.status == .ok)
    }

    /// Posts a Waybill-format webhook signed with `secret`.
    func waybillWebhook(_ body: String, secret: String = "waybill-test-secret-0001", signature: String? = nil) async throws -> TestingHTTPResponse {
        let data = Data(body.utf8)
        let header = signature ?? WebhookSignature.waybillHeader(body: data, secret: secret, at: time.current)
        return try await app.testing().sendRequest(.POST, "/webhooks/test/waybill",
                                                    headers: ["Content-Type": "application/json", "Waybill-Signature": header],
                                                    body: ByteBuffer(data: data))
    }

    func inboxCount() async throws -> Int {
        try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM inbox_messages").first()?.decode(column: "n", as: Int.self) ?? -1
    }
}
