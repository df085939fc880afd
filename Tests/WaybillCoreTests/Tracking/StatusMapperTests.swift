import Testing
@testable import WaybillCore

@Suite struct StatusMapperTests {
    @Test(arguments: [
        ("11", "상품인수", TrackingStatus.inTransit, TrackingSubstatus?.some(.pickedUp)),
        ("21", "상품이동중", .inTransit, nil), ("41", "상품이동중", .inTransit, nil), ("44", "상품이동중", .inTransit, nil),
        ("42", "배송지도착", .inTransit, .arrivedAtFacility),
        ("82", "배송출발", .outForDelivery, nil), ("91", "배달완료", .delivered, nil),
    ])
    func cjCodesMapAndKeepTheirRawCodeAndText(code: String, text: String, status: TrackingStatus,
                                              substatus: TrackingSubstatus?) {
        #expect(StatusMapper.cj(code: code, text: text) == TrackingReading(status, substatus, rawCode: code, rawText: text))
    }

    @Test func anUnknownCodeIsUnknownWithItsWordsKept() {
        #expect(StatusMapper.cj(code: "77", text: "신규상태") == TrackingReading(.unknown, rawCode: "77", rawText: "신규상태"))
        #expect(StatusMapper.koreanText("알수없음") == TrackingReading(.unknown, rawText: "알수없음"))
        #expect(StatusMapper.afterShip(tag: "Teleported", subtag: "Teleported_001").status == .unknown)
        #expect(StatusMapper.easyPost(status: "error").status == .unknown)
        #expect(StatusMapper.karrio(status: "lost_in_space").rawCode == "lost_in_space")
        #expect(StatusMapper.shippo(status: "UNKNOWN", substatus: "other") ==
            TrackingReading(.unknown, rawCode: "UNKNOWN/other", rawText: nil))
    }

    @Test func cjWithoutACodeReadsItsText() {
        #expect(StatusMapper.cj(code: nil, text: "배달완료").status == .delivered)
        #expect(StatusMapper.cj(code: " ", text: "배송출발").status == .outForDelivery)
    }

    // Texts as 우체국, CJ대한통운, 한진, 롯데 and 로젠 print them, including CJ's embedded
    // line breaks and delivery-window notes (see ../shared/data/carriers/korea/).
    @Test(arguments: [
        ("상품인수", TrackingStatus.inTransit, TrackingSubstatus?.some(.pickedUp)),
        ("집화처리", .inTransit, .pickedUp), ("집하완료", .inTransit, .pickedUp), ("접수", .inTransit, .pickedUp),
        ("상품이동중", .inTransit, nil), ("상품 이동중", .inTransit, nil),
        ("간선상차", .inTransit, .departedFacility), ("간선하차", .inTransit, .arrivedAtFacility),
        ("발송", .inTransit, .departedFacility), ("도착", .inTransit, .arrivedAtFacility),
        ("터미널입고", .inTransit, .arrivedAtFacility), ("행낭포장", .inTransit, nil),
        ("지점 도착", .inTransit, .arrivedAtFacility),
        ("배송준비중", .infoReceived, nil), ("집하예정", .infoReceived, nil),
        ("배송출발", .outForDelivery, nil), ("배송 출발", .outForDelivery, nil),
        ("배달출발\n(배달예정시간\n:17∼19시)", .outForDelivery, nil),
        ("배달출발(배달예정시간:15∼17시)", .outForDelivery, nil), ("배달준비", .outForDelivery, nil),
        ("배송출고", .outForDelivery, nil),
        ("배달완료", .delivered, nil), ("배송완료", .delivered, nil), ("배달 완료", .delivered, nil),
        ("미배달", .failedAttempt, nil), ("미배송", .failedAttempt, nil),
        ("미배달(수취인부재)", .failedAttempt, nil), ("수취인 부재", .failedAttempt, .recipientUnavailable),
        ("반송", .exception, .returningToSender), ("반송완료", .exception, .returnedToSender),
        ("분실", .exception, .lost), ("파손", .exception, .damaged),
    ])
    func koreanCarrierTextsMap(text: String, status: TrackingStatus, substatus: TrackingSubstatus?) {
        let reading = StatusMapper.koreanText(text)
        #expect(reading.status == status && reading.substatus == substatus, "\(text) → \(reading)")
        #expect(reading.rawText == text)
    }

    @Test(arguments: [
        (1, "배송준비중", TrackingStatus.infoReceived, TrackingSubstatus?.none),
        (2, "집화처리", .inTransit, .pickedUp), (3, "간선상차", .inTransit, .departedFacility),
        (4, "지점 도착", .inTransit, .arrivedAtFacility), (5, "배달출발\n(배달예정시간\n:17∼19시)", .outForDelivery, nil),
        (6, "배달완료", .delivered, nil),
        // The level cannot say "failed"; the text can.
        (5, "미배달", .failedAttempt, nil), (3, "", .inTransit, nil),
    ])
    func sweetTrackerLevelsMap(level: Int, kind: String, status: TrackingStatus, substatus: TrackingSubstatus?) {
        let reading = StatusMapper.sweetTracker(level: level, kind: kind)
        #expect(reading == TrackingReading(status, substatus, rawCode: String(level), rawText: kind))
    }

    @Test func sweetTrackerWithoutALevelFallsBackToTheText() {
        #expect(StatusMapper.sweetTracker(level: nil, kind: "배달완료").status == .delivered)
        #expect(StatusMapper.sweetTracker(level: 9, kind: "무엇").status == .unknown)
    }

    @Test(arguments: [
        ("Pending", "Pending_001", TrackingStatus.pending, TrackingSubstatus?.none),
        ("InfoReceived", "InfoReceived_001", .infoReceived, nil),
        ("InTransit", "InTransit_002", .inTransit, .pickedUp), ("InTransit", "InTransit_003", .inTransit, .arrivedAtFacility),
        ("InTransit", "InTransit_007", .inTransit, .departedFacility),
        ("OutForDelivery", "OutForDelivery_001", .outForDelivery, nil),
        ("AttemptFail", "AttemptFail_002", .failedAttempt, .recipientUnavailable),
        ("Delivered", "Delivered_001", .delivered, nil), ("AvailableForPickup", "AvailableForPickup_001", .availableForPickup, nil),
        ("Exception", "Exception_011", .exception, .returnedToSender), ("Exception", "Exception_013", .exception, .lost),
        ("Expired", "Expired_001", .stalled, nil),
    ])
    func afterShipTagsMap(tag: String, subtag: String, status: TrackingStatus, substatus: TrackingSubstatus?) {
        #expect(StatusMapper.afterShip(tag: tag, subtag: subtag, message: "m")
            == TrackingReading(status, substatus, rawCode: subtag, rawText: "m"))
    }

    @Test(arguments: [
        ("pre_transit", TrackingStatus.infoReceived), ("in_transit", .inTransit), ("out_for_delivery", .outForDelivery),
        ("delivered", .delivered), ("available_for_pickup", .availableForPickup), ("return_to_sender", .exception),
        ("failure", .exception), ("cancelled", .exception), ("error", .unknown), ("unknown", .unknown),
    ])
    func easyPostStatusesMap(status: String, expected: TrackingStatus) {
        #expect(StatusMapper.easyPost(status: status).status == expected)
    }

    @Test func easyPostDetailRefinesAFacilityScanAndIsKept() {
        let reading = StatusMapper.easyPost(status: "in_transit", detail: "arrived_at_facility", message: "Arrived")
        #expect(reading == TrackingReading(.inTransit, .arrivedAtFacility, rawCode: "in_transit/arrived_at_facility",
                                           rawText: "Arrived"))
    }

    @Test(arguments: [
        ("pending", TrackingStatus.pending), ("picked_up", .inTransit), ("in_transit", .inTransit),
        ("delivery_delayed", .inTransit), ("out_for_delivery", .outForDelivery), ("delivery_failed", .failedAttempt),
        ("ready_for_pickup", .availableForPickup), ("delivered", .delivered), ("on_hold", .exception),
        ("return_to_sender", .exception), ("cancelled", .exception), ("unknown", .unknown),
    ])
    func karrioStatusesMap(status: String, expected: TrackingStatus) {
        #expect(StatusMapper.karrio(status: status).status == expected)
    }

    @Test(arguments: [
        ("PRE_TRANSIT", "information_received", TrackingStatus.infoReceived, TrackingSubstatus?.none),
        ("TRANSIT", "package_arrived", .inTransit, .arrivedAtFacility), ("TRANSIT", "out_for_delivery", .outForDelivery, nil),
        ("TRANSIT", "delivery_attempted", .failedAttempt, nil), ("TRANSIT", "pickup_available", .availableForPickup, nil),
        ("TRANSIT", "package_damaged", .exception, .damaged), ("TRANSIT", "delayed", .inTransit, .delayed),
        ("DELIVERED", "delivered", .delivered, nil), ("RETURNED", "return_to_sender", .exception, .returningToSender),
        ("FAILURE", "package_lost", .exception, .lost),
    ])
    func shippoStatusesMap(status: String, substatus: String, expected: TrackingStatus, detail: TrackingSubstatus?) {
        let reading = StatusMapper.shippo(status: status, substatus: substatus)
        #expect(reading.status == expected && reading.substatus == detail)
        #expect(reading.rawCode == "\(status)/\(substatus)")
    }

    @Test func terminalStatesAreDeliveryAndTheEndsOfTheRoad() {
        #expect(TrackingStatus.allCases.filter(\.isTerminal) == [.delivered])
        #expect(TrackingReading(.exception, .returnedToSender).isTerminal)
        #expect(TrackingReading(.exception, .lost).isTerminal)
        #expect(!TrackingReading(.exception, .returningToSender).isTerminal)
        #expect(!TrackingReading(.stalled).isTerminal)
        #expect(TrackingStatus.failedAttempt.rawValue == "failed_attempt")
    }
}
