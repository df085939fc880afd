import Foundation

/// Reads carriers' own status codes and texts into `TrackingReading`s. Every function keeps the
/// raw code and text, and returns `.unknown` rather than guessing when it does not know a code.
public enum StatusMapper {}

extension StatusMapper {
    /// CJ대한통운 `crgSt` codes, as its tracking JSON sends them. When no code came (scraped
    /// pages, sweettracker), the Korean text is read instead.
    public static func cj(code: String?, text: String?) -> TrackingReading {
        guard let code = code?.trimmingCharacters(in: .whitespaces), !code.isEmpty else {
            return koreanText(text ?? "", code: nil)
        }
        let reading: (TrackingStatus, TrackingSubstatus?)
        switch code {
        case "11": reading = (.inTransit, .pickedUp)  // 상품인수
        case "21", "41", "44": reading = (.inTransit, nil)  // 상품이동중
        case "42": reading = (.inTransit, .arrivedAtFacility)  // 배송지도착
        case "82": reading = (.outForDelivery, nil)  // 배송출발
        case "91": reading = (.delivered, nil)  // 배달완료
        default: reading = (.unknown, nil)
        }
        return TrackingReading(reading.0, reading.1, rawCode: code, rawText: text)
    }

    /// 스마트택배 (sweettracker) `level`: 1 배송준비중, 2 집화완료, 3 배송중, 4 지점 도착,
    /// 5 배송출발, 6 배송 완료. The level never says "failed" or "returned", so a problem the
    /// `kind` text names (미배달, 반송…) wins over the level.
    public static func sweetTracker(level: Int?, kind: String?) -> TrackingReading {
        let text = kind.map { koreanText($0) }
        let fromLevel: (TrackingStatus, TrackingSubstatus?)? = switch level {
        case 1: (.infoReceived, nil)
        case 2: (.inTransit, .pickedUp)
        case 3: (.inTransit, nil)
        case 4: (.inTransit, .arrivedAtFacility)
        case 5: (.outForDelivery, nil)
        case 6: (.delivered, nil)
        default: nil
        }
        let rawCode = level.map(String.init)
        if let text, [.failedAttempt, .exception, .availableForPickup].contains(text.status) {
            return TrackingReading(text.status, text.substatus, rawCode: rawCode, rawText: kind)
        }
        guard let (status, substatus) = fromLevel else {
            return TrackingReading(text?.status ?? .unknown, text?.substatus, rawCode: rawCode, rawText: kind)
        }
        let detail = text?.status == status ? text?.substatus ?? substatus : substatus
        return TrackingReading(status, detail, rawCode: rawCode, rawText: kind)
    }

    /// The Korean phrases CJ대한통운, 우체국, 한진, 롯데 and 로젠 print on their tracking pages.
    /// Spaces, line breaks and any parenthesised note (`배달출발(배달예정시간:17∼19시)`) are
    /// ignored; rules are tried in order, problems before progress, so `미배달` is never read as `배달`.
    public static func koreanText(_ text: String, code: String? = nil) -> TrackingReading {
        var key = text.filter { !$0.isWhitespace }
        if let open = key.firstIndex(where: { $0 == "(" || $0 == "[" }), open != key.startIndex {
            key = String(key[..<open])
        }
        for rule in koreanRules where key.contains(rule.keyword) {
            return TrackingReading(rule.status, rule.substatus, rawCode: code, rawText: text)
        }
        return TrackingReading(.unknown, rawCode: code, rawText: text)
    }

    private struct KoreanRule: Sendable {
        let keyword: String
        let status: TrackingStatus
        let substatus: TrackingSubstatus?
        init(_ keyword: String, _ status: TrackingStatus, _ substatus: TrackingSubstatus? = nil) {
            self.keyword = keyword
            self.status = status
            self.substatus = substatus
        }
    }

    private static let koreanRules: [KoreanRule] = [
        // Failed attempts and problems first: their words contain 배달/배송.
        KoreanRule("부재", .failedAttempt, .recipientUnavailable),
        KoreanRule("미배달", .failedAttempt), KoreanRule("미배송", .failedAttempt),
        KoreanRule("배달실패", .failedAttempt), KoreanRule("배송실패", .failedAttempt),
        KoreanRule("반송완료", .exception, .returnedToSender),
        KoreanRule("반송", .exception, .returningToSender), KoreanRule("반품", .exception, .returningToSender),
        KoreanRule("분실", .exception, .lost), KoreanRule("파손", .exception, .damaged),
        KoreanRule("주소불명", .exception, .addressIssue), KoreanRule("주소오류", .exception, .addressIssue),
        KoreanRule("수취거절", .exception, .refused), KoreanRule("인수거절", .exception, .refused),
        KoreanRule("보류", .exception, .held), KoreanRule("사고", .exception),
        KoreanRule("배달완료", .delivered), KoreanRule("배송완료", .delivered),
        KoreanRule("픽업대기", .availableForPickup), KoreanRule("보관", .availableForPickup),
        KoreanRule("배송출발", .outForDelivery), KoreanRule("배달출발", .outForDelivery),
        // 우체국 배달준비: the parcel is with the delivering post office's carrier.
        KoreanRule("배달준비", .outForDelivery), KoreanRule("배달중", .outForDelivery),
        // 로젠 배송출고: leaves the delivering branch towards the customer.
        KoreanRule("배송출고", .outForDelivery),
        KoreanRule("집화예정", .infoReceived), KoreanRule("집하예정", .infoReceived),
        KoreanRule("배송준비", .infoReceived), KoreanRule("상품준비", .infoReceived),
        KoreanRule("송장출력", .infoReceived), KoreanRule("예약", .infoReceived),
        KoreanRule("상품인수", .inTransit, .pickedUp), KoreanRule("집화", .inTransit, .pickedUp),
        KoreanRule("집하", .inTransit, .pickedUp), KoreanRule("접수", .inTransit, .pickedUp),
        KoreanRule("통관", .inTransit, .customs),
        KoreanRule("도착", .inTransit, .arrivedAtFacility), KoreanRule("하차", .inTransit, .arrivedAtFacility),
        KoreanRule("입고", .inTransit, .arrivedAtFacility),
        KoreanRule("상차", .inTransit, .departedFacility), KoreanRule("발송", .inTransit, .departedFacility),
        KoreanRule("출고", .inTransit, .departedFacility),
        KoreanRule("이동중", .inTransit), KoreanRule("배송중", .inTransit), KoreanRule("간선", .inTransit),
        KoreanRule("행낭", .inTransit), KoreanRule("터미널", .inTransit), KoreanRule("허브", .inTransit),
        KoreanRule("HUB", .inTransit),
    ]
}
