import Vapor
import WaybillCore

/// Double-submit protection for every console form: each session holds a random token that every POST
/// must echo in its `_csrf` field. A cross-site form cannot read the token, so it cannot forge a change.
struct CSRFMiddleware: AsyncMiddleware {
    static let sessionKey = "csrf"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let token = Self.token(for: request)
        if request.method == .POST {
            let sent = (try? request.content.get(String.self, at: "_csrf")) ?? ""
            guard Self.equal(Array(sent.utf8), Array(token.utf8)) else {
                throw APIError(.forbidden, "csrf_failed", "the form has expired; reload the page and try again")
            }
        }
        return try await next.respond(to: request)
    }

    static func token(for request: Request) -> String {
        if let existing = request.session.data[sessionKey] { return existing }
        var rng = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }.hexString
        request.session.data[sessionKey] = token
        return token
    }

    private static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Sends a visitor without a session to the login page.
struct ConsoleLoginRequired: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.auth.has(User.self) else {
            return request.redirect(to: "/console/login")
        }
        return try await next.respond(to: request)
    }
}

/// A plain error page for console requests (the API answers JSON instead).
enum ConsoleErrorPage {
    static func response(for error: APIError, request: Request) -> Response {
        let body = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(error.status.code) — Waybill</title>
            <link rel="stylesheet" href="/console.css"></head><body><main class="narrow">
            <h1>\(error.status.code) \(escape(error.status.reasonPhrase))</h1><p>\(escape(error.message))</p>
            <p><a href="/console/orders">Back to orders</a></p></main></body></html>
            """
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: error.status, headers: headers, body: .init(string: body))
    }

    static func escape(_ s: String) -> String { MessageTemplate.escapeHTML(s) }
}
