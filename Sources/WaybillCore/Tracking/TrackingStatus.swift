/// Where a shipment is, in one vocabulary for every carrier (F5).
///
/// AfterShip's tag set is the reference; raw values are the wire and database spelling.
/// `stalled` covers AfterShip's `Expired` and Waybill's own silence rule (`StallRule`).
public enum TrackingStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending
    case infoReceived = "info_received"
    case inTransit = "in_transit"
    case outForDelivery = "out_for_delivery"
    case failedAttempt = "failed_attempt"
    case delivered
    case availableForPickup = "available_for_pickup"
    case exception
    case stalled
    /// The carrier said something no mapper knows; the raw code and text are kept for an operator.
    case unknown

    /// Only delivery ends tracking by status alone; an exception can still be resolved.
    /// Returns and losses end it through their sub-status (`TrackingReading.isTerminal`).
    public var isTerminal: Bool { self == .delivered }

    /// How far along the parcel's journey a status is, for choosing which of two events
    /// describes the shipment when their timestamps tie. Problems rank with the stage they
    /// interrupt (a failed attempt happens at the door, like out-for-delivery).
    var progress: Int {
        switch self {
        case .unknown, .pending: 0
        case .infoReceived: 1
        case .inTransit, .exception, .stalled: 2
        case .outForDelivery, .failedAttempt, .availableForPickup: 3
        case .delivered: 4
        }
    }
}

/// The detail under a status, when the carrier gives one. Raw values are stable API codes.
public enum TrackingSubstatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pickedUp = "picked_up"
    case arrivedAtFacility = "arrived_at_facility"
    case departedFacility = "departed_facility"
    case customs
    case delayed
    case held
    case rescheduled
    case addressIssue = "address_issue"
    case recipientUnavailable = "recipient_unavailable"
    case refused
    case damaged
    case lost
    case returningToSender = "returning_to_sender"
    case returnedToSender = "returned_to_sender"
    case cancelled
    case disposed

    /// Sub-statuses after which the carrier will not move the parcel towards the customer again.
    public var isTerminal: Bool {
        switch self {
        case .returnedToSender, .lost, .cancelled, .disposed: true
        default: false
        }
    }
}

/// A carrier's status read into Waybill's vocabulary, with the carrier's own words kept.
public struct TrackingReading: Hashable, Sendable, Codable {
    public var status: TrackingStatus
    public var substatus: TrackingSubstatus?
    /// Exactly as the carrier or aggregator sent it (`"91"`, `"Delivered_001"`, `"OD"`).
    public var rawCode: String?
    public var rawText: String?

    public init(_ status: TrackingStatus, _ substatus: TrackingSubstatus? = nil,
                rawCode: String? = nil, rawText: String? = nil) {
        self.status = status
        self.substatus = substatus
        self.rawCode = rawCode
        self.rawText = rawText
    }

    public var isTerminal: Bool { status.isTerminal || (substatus?.isTerminal ?? false) }

    enum CodingKeys: String, CodingKey {
        case status, substatus
        case rawCode = "raw_code", rawText = "raw_text"
    }
}
