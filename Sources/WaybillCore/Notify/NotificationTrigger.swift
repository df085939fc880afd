import Foundation

/// A moment in an order's life that a shop can tell its customer about. Raw values are the wire,
/// database and settings spelling.
public enum NotificationTrigger: String, CaseIterable, Sendable, Codable {
    case orderConfirmed = "order_confirmed"
    case shipped
    case outForDelivery = "out_for_delivery"
    case delivered
    case failedAttempt = "failed_attempt"
    case exception
    case atRisk = "at_risk"
    case stalled
    /// Still in the warehouse past the day it should have left: the delay before any shipment exists.
    case fulfillmentLate = "fulfillment_late"
    case cancelled

    /// Triggers raised by a shipment's tracking; their messages can name the carrier and the last event.
    public var concernsShipment: Bool {
        switch self {
        case .shipped, .outForDelivery, .delivered, .failedAttempt, .exception, .stalled, .atRisk: true
        case .orderConfirmed, .fulfillmentLate, .cancelled: false
        }
    }

    /// Triggers that mean the shop let the customer down, where a shop may attach a compensation code.
    public var offersCompensation: Bool {
        switch self {
        case .atRisk, .stalled, .fulfillmentLate, .exception, .failedAttempt: true
        default: false
        }
    }

    /// Triggers that carry a new expected date for a late parcel.
    public var carriesRevisedDate: Bool { self == .atRisk || self == .stalled }
}

/// How a notification reaches the customer.
public enum NotificationChannel: String, CaseIterable, Sendable, Codable {
    case email
    case sms
}
