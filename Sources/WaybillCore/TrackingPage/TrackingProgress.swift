/// The six steps a customer sees on the tracking page, and where a parcel is among them.
public enum ProgressStep: String, Sendable, CaseIterable, Comparable {
    case ordered, packed, shipped, inTransit = "in_transit", outForDelivery = "out_for_delivery", delivered

    public static func < (a: ProgressStep, b: ProgressStep) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    public func label(_ language: String) -> String {
        let ko = language == "ko"
        switch self {
        case .ordered: return ko ? "주문 완료" : "Ordered"
        case .packed: return ko ? "포장 완료" : "Packed"
        case .shipped: return ko ? "발송" : "Shipped"
        case .inTransit: return ko ? "배송 중" : "In transit"
        case .outForDelivery: return ko ? "배송 출발" : "Out for delivery"
        case .delivered: return ko ? "배송 완료" : "Delivered"
        }
    }
}

/// What went wrong with a parcel, in the words the page uses to explain it.
public enum ParcelProblem: String, Sendable {
    case failedAttempt = "failed_attempt", exception, stalled, availableForPickup = "available_for_pickup", returning
}

public enum TrackingProgress {
    /// The step a shipment has reached. `state` is the warehouse's (`packed`, `handed_over`); the tracking
    /// status is the carrier's. A problem keeps the step it interrupted (a failed attempt happened at the door).
    public static func step(state: String, status: TrackingStatus) -> ProgressStep {
        switch status {
        case .delivered: return .delivered
        case .outForDelivery, .failedAttempt, .availableForPickup: return .outForDelivery
        case .inTransit, .exception, .stalled: return .inTransit
        case .infoReceived, .pending, .unknown: return state == "handed_over" ? .shipped : .packed
        }
    }

    /// The problem a shipment has now, if any.
    public static func problem(status: TrackingStatus, substatus: TrackingSubstatus?) -> ParcelProblem? {
        if substatus == .returningToSender { return .returning }
        switch status {
        case .failedAttempt: return .failedAttempt
        case .exception: return .exception
        case .stalled: return .stalled
        case .availableForPickup: return .availableForPickup
        default: return nil
        }
    }
}
