import Foundation

extension StatusMapper {
    /// AfterShip `tag` (`InTransit`) and `subtag` (`InTransit_003`); AfterShip's `Expired`
    /// (no news for a long time) is Waybill's `stalled`.
    public static func afterShip(tag: String, subtag: String? = nil, message: String? = nil) -> TrackingReading {
        let status: TrackingStatus = switch tag {
        case "Pending": .pending
        case "InfoReceived": .infoReceived
        case "InTransit": .inTransit
        case "OutForDelivery": .outForDelivery
        case "AttemptFail": .failedAttempt
        case "Delivered": .delivered
        case "AvailableForPickup": .availableForPickup
        case "Exception": .exception
        case "Expired": .stalled
        default: .unknown
        }
        let substatus: TrackingSubstatus? = status == .unknown ? nil : subtag.flatMap { afterShipSubtags[$0] }
        return TrackingReading(status, substatus, rawCode: subtag ?? tag, rawText: message)
    }

    // Only the subtags whose meaning AfterShip's published list makes unambiguous.
    private static let afterShipSubtags: [String: TrackingSubstatus] = [
        "InTransit_002": .pickedUp, "InTransit_003": .arrivedAtFacility,
        "InTransit_004": .arrivedAtFacility, "InTransit_005": .customs, "InTransit_006": .customs,
        "InTransit_007": .departedFacility, "AttemptFail_002": .recipientUnavailable,
        "Exception_003": .refused, "Exception_004": .customs, "Exception_005": .delayed,
        "Exception_006": .held, "Exception_007": .addressIssue, "Exception_010": .returningToSender,
        "Exception_011": .returnedToSender, "Exception_012": .damaged, "Exception_013": .lost,
    ]

    /// EasyPost tracker `status`, refined by `status_detail` where it names a facility scan.
    public static func easyPost(status: String, detail: String? = nil, message: String? = nil) -> TrackingReading {
        let mapped: (TrackingStatus, TrackingSubstatus?) = switch status {
        case "pending": (.pending, nil)
        case "pre_transit": (.infoReceived, nil)
        case "in_transit": (.inTransit, nil)
        case "out_for_delivery": (.outForDelivery, nil)
        case "delivered": (.delivered, nil)
        case "available_for_pickup": (.availableForPickup, nil)
        case "return_to_sender": (.exception, .returningToSender)
        case "failure": (.exception, nil)
        case "cancelled": (.exception, .cancelled)
        default: (.unknown, nil)  // "error", "unknown" and anything new
        }
        var substatus = mapped.1
        if mapped.0 == .inTransit, let detail {
            switch detail {
            case "arrived_at_facility", "arrived_at_destination": substatus = .arrivedAtFacility
            case "departed_facility": substatus = .departedFacility
            case "received", "received_at_origin_facility": substatus = .pickedUp
            default: break
            }
        }
        return TrackingReading(mapped.0, substatus, rawCode: detail.map { "\(status)/\($0)" } ?? status,
                               rawText: message)
    }

    /// Karrio's unified tracker and event `status`.
    public static func karrio(status: String, description: String? = nil) -> TrackingReading {
        let mapped: (TrackingStatus, TrackingSubstatus?) = switch status {
        case "pending": (.pending, nil)
        case "picked_up": (.inTransit, .pickedUp)
        case "in_transit": (.inTransit, nil)
        case "delivery_delayed": (.inTransit, .delayed)
        case "out_for_delivery": (.outForDelivery, nil)
        case "delivery_failed": (.failedAttempt, nil)
        case "ready_for_pickup": (.availableForPickup, nil)
        case "delivered": (.delivered, nil)
        case "on_hold": (.exception, .held)
        case "return_to_sender": (.exception, .returningToSender)
        case "cancelled": (.exception, .cancelled)
        default: (.unknown, nil)
        }
        return TrackingReading(mapped.0, mapped.1, rawCode: status, rawText: description)
    }

    /// Shippo `status` (`TRANSIT`) and `substatus.code` (`out_for_delivery`). Shippo files
    /// attempts, pick-up points and problems under TRANSIT; the sub-status decides.
    public static func shippo(status: String, substatus: String? = nil, text: String? = nil) -> TrackingReading {
        let base: TrackingStatus = switch status {
        case "PRE_TRANSIT": .infoReceived
        case "TRANSIT": .inTransit
        case "DELIVERED": .delivered
        case "RETURNED", "FAILURE": .exception
        default: .unknown
        }
        let rawCode = substatus.map { "\(status)/\($0)" } ?? status
        guard base != .unknown, let substatus, let refined = shippoSubstatuses[substatus] else {
            return TrackingReading(base, rawCode: rawCode, rawText: text)
        }
        return TrackingReading(refined.0 ?? base, refined.1, rawCode: rawCode, rawText: text)
    }

    // From Shippo's published status/substatus table; nil status keeps the top-level one.
    private static let shippoSubstatuses: [String: (TrackingStatus?, TrackingSubstatus?)] = [
        "address_issue": (.exception, .addressIssue), "contact_carrier": (.exception, nil),
        "delayed": (nil, .delayed), "delivery_attempted": (.failedAttempt, nil),
        "delivery_rescheduled": (nil, .rescheduled), "reschedule_delivery": (.exception, .rescheduled),
        "location_inaccessible": (.failedAttempt, nil), "notice_left": (.failedAttempt, .recipientUnavailable),
        "out_for_delivery": (.outForDelivery, nil), "package_accepted": (nil, .pickedUp),
        "package_arrived": (nil, .arrivedAtFacility), "package_departed": (nil, .departedFacility),
        "package_damaged": (.exception, .damaged), "package_held": (.exception, .held),
        "pickup_available": (.availableForPickup, nil),
        "return_to_sender": (.exception, .returningToSender), "package_unclaimed": (.exception, .returningToSender),
        "package_disposed": (.exception, .disposed), "package_lost": (.exception, .lost),
    ]
}
