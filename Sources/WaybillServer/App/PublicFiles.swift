import Vapor

/// Serves the files in `Public/` (the console's stylesheet). They all sit at the top level, so only a
/// short one-segment path is looked for on disk: every other request (the API, `/t/…` pages) skips the
/// file-system call, and a hostile 5,000-character path is never handed to `stat` (which failed with
/// "file name too long" and answered 500).
struct PublicFiles: AsyncMiddleware {
    let files: FileMiddleware

    init(publicDirectory: String) { files = FileMiddleware(publicDirectory: publicDirectory) }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path
        guard path.utf8.count <= 100, path.dropFirst().contains(".") , !path.dropFirst().contains("/") else {
            return try await next.respond(to: request)
        }
        return try await files.respond(to: request, chainingTo: next)
    }
}
