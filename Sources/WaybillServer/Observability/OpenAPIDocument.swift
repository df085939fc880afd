import Vapor

/// `GET /openapi.json`: the hand-written OpenAPI 3.1 description of the API, checked against the routes by tests.
enum OpenAPIDocument {
    static let data: Data = {
        let url = WaybillResources.directory.appendingPathComponent("openapi.json")
        return (try? Data(contentsOf: url)) ?? Data("{}".utf8)
    }()

    @Sendable static func serve(req: Request) async throws -> Response {
        Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(data: data))
    }
}
