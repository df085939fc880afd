import Vapor

/// Turns every error into the API's JSON error shape (or a plain page for the console), never leaking internals.
struct WaybillErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let api = APIError.from(error, logger: request.logger)
            if request.url.path.hasPrefix("/console") && api.status != .unprocessableEntity {
                return ConsoleErrorPage.response(for: api, request: request)
            }
            let body = ErrorBody(error: .init(
                code: api.code, message: api.message, field: api.fields.first?.field, fields: api.fields,
                requestId: request.id
            ))
            return (try? Response.json(body, status: api.status))
                ?? Response(status: .internalServerError)
        }
    }
}
