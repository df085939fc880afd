import Foundation
@testable import WaybillCore

/// Fixed zones and instants for tracking tests; nothing reads the wall clock.
enum TrackingTime {
    static let seoul = TimeZone(identifier: "Asia/Seoul")!
    static let utc = TimeZone(identifier: "UTC")!

    /// An ISO 8601 instant with its offset, for expectations.
    static func instant(_ iso: String) -> Date {
        try! Date(iso, strategy: .iso8601)
    }

    /// A CJ-style bare local time, read in Seoul.
    static func kst(_ text: String) -> CarrierTimestamp {
        CarrierTimestamp.parse(text, carrierZone: seoul)!
    }

    static func event(
        _ status: TrackingStatus, _ substatus: TrackingSubstatus? = nil, at text: String, seq: Int,
        code: String? = nil
    ) -> TrackingEvent {
        TrackingEvent(reading: TrackingReading(status, substatus, rawCode: code, rawText: status.rawValue),
                      at: kst(text), arrivalSequence: seq)
    }
}
