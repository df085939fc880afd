import Foundation
import WaybillCore

/// One parcel: which of the six steps it has reached, its items, and every carrier scan in the customer's
/// time zone. Also the whole of the page a tracking number alone opens (no name, no address).
struct ParcelView {
    var parcel: TrackingPageData.Parcel
    var index: Int
    var count: Int
    var language: String
    var zone: TimeZone
    var carrierName: String
    var showItems = true

    var ko: Bool { language == "ko" }

    func render() -> String {
        let id = "parcel-\(index)"
        let step = TrackingProgress.step(state: parcel.state, status: parcel.status)
        var s = "<section class=\"card shipment\" data-number=\"\(esc(parcel.number))\" aria-labelledby=\"\(id)\"><h2 id=\"\(id)\">"
        s += count > 1 ? (ko ? "택배 \(index)/\(count)" : "Parcel \(index) of \(count)") : (ko ? "택배" : "Your parcel")
        s += " · \(esc(carrierName))"
        if let number = parcel.trackingNumber { s += " <span class=\"muted\">\(esc(number))</span>" }
        s += "</h2><ol class=\"progress\" aria-label=\"\(ko ? "배송 단계" : "Delivery progress")\">"
        for candidate in ProgressStep.allCases {
            let reached = candidate <= step
            s += "<li\(reached ? " class=\"done\"" : "")\(candidate == step ? " aria-current=\"step\"" : "")>"
            s += esc(candidate.label(language))
            s += reached && candidate != step ? "<span class=\"skip\"> (\(ko ? "완료" : "done"))</span>" : ""
            s += "</li>"
        }
        s += "</ol>"
        if showItems && !parcel.items.isEmpty {
            s += "<ul class=\"items\">" + parcel.items.map { "<li>\(esc($0.name)) × \($0.quantity)</li>" }.joined() + "</ul>"
        }
        s += "<h3>\(ko ? "배송 기록" : "Tracking history") <span class=\"muted\">(\(esc(zoneName)))</span></h3>"
        if parcel.scans.isEmpty {
            s += "<p class=\"muted\">" + (parcel.state == "handed_over" ? (ko ? "택배사의 첫 스캔을 기다리고 있습니다." : "Waiting for the carrier's first scan.")
                                                                        : (ko ? "포장을 마쳤고 택배사에 넘길 예정입니다." : "Packed and waiting for the carrier.")) + "</p>"
            s += "<ol class=\"scans\"></ol>"
        } else {
            s += "<ol class=\"scans\">"
            let days = DayFormat(language: language)
            for scan in parcel.scans {
                let iso = scan.occurredAt.formatted(.iso8601)
                s += "<li><time datetime=\"\(iso)\">\(esc(days.time(scan.occurredAt, zone: zone)))</time>"
                s += esc(scan.text.flatMap { $0.isEmpty ? nil : $0 } ?? statusText(scan.status))
                if let place = scan.location, !place.isEmpty { s += " · \(esc(place))" }
                s += "</li>"
            }
            s += "</ol>"
        }
        return s + "</section>\n"
    }

    var zoneName: String {
        if zone.identifier == "Asia/Seoul" { return ko ? "한국 시간" : "Korea time" }
        return zone.identifier
    }

    func statusText(_ status: TrackingStatus) -> String {
        switch status {
        case .pending: return ko ? "대기" : "Pending"
        case .infoReceived: return ko ? "택배사 접수" : "Label created"
        case .inTransit: return ko ? "이동 중" : "In transit"
        case .outForDelivery: return ko ? "배송 출발" : "Out for delivery"
        case .failedAttempt: return ko ? "배송 시도 실패" : "Delivery attempt failed"
        case .delivered: return ko ? "배송 완료" : "Delivered"
        case .availableForPickup: return ko ? "보관 장소 도착" : "At a pick-up point"
        case .exception: return ko ? "배송 문제" : "Problem"
        case .stalled: return ko ? "소식 없음" : "No news"
        case .unknown: return ko ? "택배사 기록" : "Carrier update"
        }
    }
}
