import Foundation

/// A helper server the tests start for real (an SMTP server, a webhook receiver): a script from
/// `scripts/` run as a child process that prints `READY <port>` once it listens.
final class LocalServer: @unchecked Sendable {
    let process: Process
    let port: Int

    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts")

    /// Starts `scripts/<script> args…` and waits up to 20 s for its READY line.
    init(_ script: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = Self.scripts.appendingPathComponent(script)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        var line = Data()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { break }
            if byte == Data("\n".utf8) { break }
            line += byte
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("READY "), let port = Int(text.dropFirst(6).trimmingCharacters(in: .whitespaces)) else {
            process.terminate()
            throw Failure(message: "\(script) did not start: '\(text)'")
        }
        self.process = process
        self.port = port
    }

    struct Failure: Error, CustomStringConvertible { var message: String; var description: String { message } }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("waybill-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Files in `directory` (not the ones being written), sorted.
    static func files(in directory: URL, suffix: String) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.lastPathComponent.hasSuffix(suffix) && !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
