import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer

extension TestApp {
    /// Creates warehouses (each with a location of the same code) through the API.
    func warehouses(_ specs: [(code: String, region: String)] = [("ICN", "경기")]) async throws {
        for spec in specs {
            let r = try await send(.POST, "/api/v1/warehouses",
                                   json: #"{"code":"\#(spec.code)","name":"\#(spec.code) warehouse","country":"KR","region":"\#(spec.region)","timezone":"Asia/Seoul"}"#)
            #expect(r.status == .created)
        }
    }

    @discardableResult
    func move(_ operation: String, location: String = "ICN", to: String? = nil, _ lines: [(String, Int64)],
              headers: HTTPHeaders? = nil) async throws -> TestingHTTPResponse {
        let body = #"{"location":"\#(location)""# + (to.map { #","to_location":"\#($0)""# } ?? "")
            + #","lines":["# + lines.map { #"{"sku":"\#($0.0)","quantity":\#($0.1)}"# }.joined(separator: ",") + "]}"
        return try await send(.POST, "/api/v1/inventory/\(operation)", json: body, headers: headers)
    }

    /// (on hand, reserved, available) of a SKU at a location.
    func level(_ sku: String, at location: String = "ICN") async throws -> (Int64, Int64, Int64) {
        let r = try await send(.GET, "/api/v1/inventory/levels?sku=\(sku)&location=\(location)")
        guard let row = (try r.json()["data"] as? [[String: Any]])?.first else { return (0, 0, 0) }
        return (Int64(row["on_hand"] as? Int ?? -1), Int64(row["reserved"] as? Int ?? -1), Int64(row["available"] as? Int ?? -1))
    }

    func expectNoDrift(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let report = try await InventoryVerify(sql: app.db as! any SQLDatabase).run()
        #expect(report.drifts.isEmpty, "drift: \(report.drifts)", sourceLocation: sourceLocation)
    }

    func order(sku: String, quantity: Int64 = 1, email: String, city: String = "서울특별시 강남구", postal: String = "06236") async throws -> TestingHTTPResponse {
        let price: Int64 = sku == "JAR-2" ? 96_000 : 76_000
        return try await send(.POST, "/api/v1/orders", json: OrderJSON.body(
            email: email, country: "KR", postal: postal, city: city, lines: #"[{"sku":"\#(sku)","quantity":\#(quantity)}]"#,
            shipping: 0, total: price * quantity))
    }
}
