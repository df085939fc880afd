import Fluent
import SQLKit
import Vapor

/// `GET /health`: 200 when the database answers, 503 when it does not.
enum HealthController {
    struct Health: Content {
        var status: String
        var database: String
    }

    @Sendable static func health(req: Request) async throws -> Response {
        do {
            _ = try await (req.db as! any SQLDatabase).raw("SELECT 1 AS ok").first()
            return try .json(Health(status: "ok", database: req.application.isSQLite ? "sqlite" : "postgresql"))
        } catch {
            req.logger.error("health check failed: \(error)")
            return try .json(Health(status: "unavailable", database: "unreachable"), status: .serviceUnavailable)
        }
    }
}
