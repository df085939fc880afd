import Foundation

/// A shipment's events in carrier-time order and the status they add up to (F5).
///
/// Pure and value-typed: the server loads the events, inserts new ones, and stores `current`.
public struct TrackingTimeline: Hashable, Sendable, Codable {
    /// Ordered by carrier timestamp, then by arrival.
    public private(set) var events: [TrackingEvent] = []

    public init(events: [TrackingEvent] = []) {
        for event in events { insert(event) }
    }

    /// Adds an event in its place; returns false for a repeat of a scan already held.
    @discardableResult
    public mutating func insert(_ event: TrackingEvent) -> Bool {
        if events.contains(where: { $0.isSameScan(as: event) }) { return false }
        let index = events.firstIndex { Self.precedes(event, $0) } ?? events.endIndex
        events.insert(event, at: index)
        return true
    }

    /// The shipment's status now, or nil before any event Waybill understands.
    ///
    /// Events are folded in order, each replacing the last, with three exceptions:
    /// - a status we could not map (`unknown`) never replaces a known one;
    /// - at the same timestamp, a less advanced status never replaces a more advanced one
    ///   (carriers that report to the minute scan "out for delivery" and "delivered" together);
    /// - after `delivered`, only another delivery or an exception (a return, a damage report)
    ///   counts: a stray or late scan never undoes a delivery.
    /// A late-arriving event with an earlier timestamp sorts before the delivery, so it cannot
    /// undo it either; a failed attempt followed by a later new attempt moves on as normal.
    public var current: TrackingEvent? {
        var current: TrackingEvent?
        for event in events where event.status != .unknown {
            if let held = current {
                if held.status == .delivered, event.status != .delivered, event.status != .exception { continue }
                if held.occurredAt == event.occurredAt, event.status.progress < held.status.progress { continue }
            }
            current = event
        }
        return current
    }

    public var currentStatus: TrackingStatus { current?.status ?? .pending }

    /// Tracking stops here: delivered, or returned, lost, cancelled or disposed of.
    public var isTerminal: Bool { current?.reading.isTerminal ?? false }

    /// The carrier's latest scan of any kind, the clock `StallRule` measures silence from.
    public var lastScanAt: Date? { events.last?.occurredAt }

    /// Events whose code no mapper knows, for the operator's "needs mapping" list.
    public var unknownEvents: [TrackingEvent] { events.filter { $0.status == .unknown } }

    static func precedes(_ a: TrackingEvent, _ b: TrackingEvent) -> Bool {
        if a.occurredAt != b.occurredAt { return a.occurredAt < b.occurredAt }
        return a.arrivalSequence < b.arrivalSequence
    }
}
