import Foundation

/// One scan or status report about a shipment, normalised, with the carrier's words kept.
public struct TrackingEvent: Hashable, Sendable, Codable {
    public var status: TrackingStatus
    public var substatus: TrackingSubstatus?
    public var rawCode: String?
    public var rawText: String?
    public var location: String?
    /// When it happened, by the carrier's clock.
    public var occurredAt: Date
    /// The offset the carrier wrote, or nil when it sent a bare local time (read in its zone).
    public var utcOffsetSeconds: Int?
    /// Order of arrival at Waybill (inbox sequence); breaks ties between equal timestamps.
    public var arrivalSequence: Int

    public init(
        reading: TrackingReading, at timestamp: CarrierTimestamp, location: String? = nil, arrivalSequence: Int
    ) {
        self.status = reading.status
        self.substatus = reading.substatus
        self.rawCode = reading.rawCode
        self.rawText = reading.rawText
        self.location = location
        self.occurredAt = timestamp.date
        self.utcOffsetSeconds = timestamp.utcOffsetSeconds
        self.arrivalSequence = arrivalSequence
    }

    public var reading: TrackingReading {
        TrackingReading(status, substatus, rawCode: rawCode, rawText: rawText)
    }

    /// Same scan reported twice (polling returns the whole history each time): everything the
    /// carrier said matches, whenever it reached us.
    func isSameScan(as other: TrackingEvent) -> Bool {
        occurredAt == other.occurredAt && status == other.status && substatus == other.substatus
            && rawCode == other.rawCode && rawText == other.rawText && location == other.location
    }

    enum CodingKeys: String, CodingKey {
        case status, substatus, location
        case rawCode = "raw_code", rawText = "raw_text", occurredAt = "occurred_at"
        case utcOffsetSeconds = "utc_offset_seconds", arrivalSequence = "arrival_sequence"
    }
}
