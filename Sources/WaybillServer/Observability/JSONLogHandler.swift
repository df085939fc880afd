import Foundation
import Logging

/// One JSON object per line on standard error (`WAYBILL_LOG_FORMAT=json`), for log shippers. Request logs
/// carry Vapor's `request-id` in `metadata`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    struct Line: Encodable {
        var ts: String
        var level: String
        var label: String
        var message: String
        var source: String
        var metadata: [String: String]?
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line = Line(
            ts: Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)),
            level: event.level.rawValue, label: label, message: event.message.description, source: event.source,
            metadata: merged.isEmpty ? nil : merged.mapValues { $0.description }
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var data = try? encoder.encode(line) else { return }
        data.append(0x0A)
        FileHandle.standardError.write(data)
    }
}
