import Foundation
import Vapor
import WaybillCore

/// Korean carriers through 스마트택배 (sweettracker)'s `trackingInfo` API — one request per invoice,
/// `GET {base}/api/v1/trackingInfo?t_key=…&t_code=…&t_invoice=…` — behind the poller's `CarrierTracker`
/// protocol. CJ대한통운, 우체국택배, 한진, 로젠 and 롯데 push nothing to a shop; this is how their parcels are
/// followed without anyone looking them up. Configured with `SWEETTRACKER_API_KEY` (and, for a proxy or a
/// test server, `SWEETTRACKER_URL`).
struct SweetTrackerTracker: CarrierTracker {
    let carrier: CarrierCode
    /// sweettracker's code for the carrier (`t_code`).
    let code: String
    let key: String
    let baseURL: String
    let client: any Client
    var requestsPerMinute: Int
    var batchSize: Int { 1 }

    /// sweettracker's `t_code` for each carrier Waybill knows.
    static let codes: [CarrierCode: String] = [.kpost: "01", .cj: "04", .hanjin: "05", .logen: "06", .lotte: "08"]
    static let defaultURL = "https://info.sweettracker.co.kr"
    /// RFC 3986's unreserved characters, ASCII only (`.alphanumerics` would let Hangul through unencoded).
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    struct Refused: Error, CustomStringConvertible {
        var status: UInt
        var message: String
        var description: String { "sweettracker answered \(status): \(message.prefix(300))" }
    }

    func track(_ numbers: [String], now: Date) async throws -> [TrackingUpdate] {
        var updates: [TrackingUpdate] = []
        for number in numbers {
            var url = URI(string: baseURL + "/api/v1/trackingInfo")
            url.query = [("t_key", key), ("t_code", code), ("t_invoice", number)]
                .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? "")" }.joined(separator: "&")
            let response = try await client.get(url) { $0.timeout = .seconds(15) }
            let body = response.body.map { Data(buffer: $0) } ?? Data()
            guard response.status == .ok else {
                throw Refused(status: response.status.code, message: String(decoding: body, as: UTF8.self))
            }
            if let update = try Self.update(from: body, carrier: carrier, number: number) { updates.append(update) }
        }
        return updates
    }

    /// One `trackingInfo` answer: nil when sweettracker does not know the invoice yet (`result: "N"` with its
    /// message, e.g. before the carrier's first scan) — the poller asks again later; an answer that is not
    /// sweettracker's JSON throws. Times are epoch milliseconds (the `timeString` beside each is Korean time).
    static func update(from body: Data, carrier: CarrierCode, number: String) throws -> TrackingUpdate? {
        struct Answer: Decodable {
            var result: String?
            var msg: String?
            var code: String?
            var trackingDetails: [Detail]?
        }
        struct Detail: Decodable {
            var time: Int64?
            var timeString: String?
            var `where`: String?
            var kind: String?
            var level: Int?
        }
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: body)
        } catch {
            throw Refused(status: 200, message: "not a trackingInfo answer: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        // Errors come back as 200 with `status: false` and a code/msg, or `result: "N"`.
        guard answer.result == "Y" else {
            if answer.result == "N" { return nil }
            throw Refused(status: 200, message: answer.msg ?? "result \(answer.result ?? "missing")")
        }
        let korea = 9 * 3_600
        let seoul = TimeZone(identifier: "Asia/Seoul") ?? TimeZone(secondsFromGMT: korea)!
        let events = (answer.trackingDetails ?? []).compactMap { detail -> IncomingTrackingEvent? in
            let at: Date
            if let millis = detail.time {
                at = Date(timeIntervalSince1970: Double(millis) / 1_000)
            } else if let text = detail.timeString, let parsed = CarrierTimestamp.parse(text, carrierZone: seoul) {
                at = parsed.date
            } else {
                return nil
            }
            let location = detail.where?.trimmingCharacters(in: .whitespacesAndNewlines)
            return IncomingTrackingEvent(reading: StatusMapper.sweetTracker(level: detail.level, kind: detail.kind),
                                         timestamp: CarrierTimestamp(date: at, utcOffsetSeconds: korea),
                                         location: location?.isEmpty == false ? location : nil)
        }
        return TrackingUpdate(carrier: carrier, trackingNumber: number, events: events, source: "sweettracker")
    }
}
