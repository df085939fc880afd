import Foundation
import Testing
@testable import WaybillCore

@Suite struct TrackingTimelineTests {
    typealias T = TrackingTime

    @Test func aLateOutForDeliveryNeverUndoesDelivered() {
        var timeline = TrackingTimeline()
        timeline.insert(T.event(.delivered, at: "2019-05-17 16:26:08", seq: 1))
        // Scanned at 09:43 but reaching us after the delivery.
        timeline.insert(T.event(.outForDelivery, at: "2019-05-17 09:43:58", seq: 2))
        #expect(timeline.currentStatus == .delivered)
        #expect(timeline.events.map(\.status) == [.outForDelivery, .delivered])
        #expect(timeline.isTerminal)
    }

    @Test func atTheSameMinuteTheMoreAdvancedStatusWinsWhateverArrivesLast() {
        let timeline = TrackingTimeline(events: [
            T.event(.delivered, at: "2024-03-05 14:00", seq: 1),
            T.event(.outForDelivery, at: "2024-03-05 14:00", seq: 2),
        ])
        #expect(timeline.currentStatus == .delivered)
        // Display order stays timestamp, then arrival.
        #expect(timeline.events.map(\.arrivalSequence) == [1, 2])
    }

    @Test func aRedeliveryAfterAFailedAttemptMovesOn() {
        var timeline = TrackingTimeline()
        timeline.insert(T.event(.outForDelivery, at: "2024-03-05 09:00", seq: 1))
        timeline.insert(T.event(.failedAttempt, .recipientUnavailable, at: "2024-03-05 18:00", seq: 2))
        #expect(timeline.currentStatus == .failedAttempt)
        #expect(!timeline.isTerminal)
        timeline.insert(T.event(.outForDelivery, at: "2024-03-06 09:00", seq: 3))
        #expect(timeline.currentStatus == .outForDelivery)
        timeline.insert(T.event(.delivered, at: "2024-03-06 14:00", seq: 4))
        #expect(timeline.currentStatus == .delivered)
    }

    @Test func afterDeliveryOnlyAnExceptionOrAnotherDeliveryCounts() {
        var timeline = TrackingTimeline(events: [T.event(.delivered, at: "2024-03-05 14:00", seq: 1)])
        timeline.insert(T.event(.inTransit, at: "2024-03-06 08:00", seq: 2))
        #expect(timeline.currentStatus == .delivered)
        timeline.insert(T.event(.exception, .returnedToSender, at: "2024-03-09 10:00", seq: 3))
        #expect(timeline.current?.substatus == .returnedToSender)
        #expect(timeline.isTerminal)
    }

    @Test func unknownCodesAreKeptAndCountedButNeverReplaceAKnownStatus() {
        var timeline = TrackingTimeline(events: [T.event(.inTransit, at: "2024-03-05 09:00", seq: 1)])
        timeline.insert(T.event(.unknown, at: "2024-03-05 12:00", seq: 2, code: "77"))
        #expect(timeline.currentStatus == .inTransit)
        #expect(timeline.unknownEvents.map(\.rawCode) == ["77"])
        #expect(timeline.lastScanAt == T.kst("2024-03-05 12:00").date)
        #expect(TrackingTimeline().currentStatus == .pending)
        #expect(TrackingTimeline().lastScanAt == nil)
    }

    @Test func aRepeatedScanFromPollingIsStoredOnce() {
        var timeline = TrackingTimeline()
        let first = timeline.insert(T.event(.inTransit, at: "2024-03-05 09:00", seq: 1))
        let repeated = timeline.insert(T.event(.inTransit, at: "2024-03-05 09:00", seq: 7))
        #expect(first && !repeated)
        #expect(timeline.events.count == 1)
    }

    @Test func bareKoreanTimesSortCorrectlyAgainstOffsetTimesFromElsewhere() throws {
        // 09:00 in Seoul is 00:00 UTC, so it precedes an 01:00Z event from an aggregator.
        let kst = T.event(.inTransit, at: "2024-03-05 09:00", seq: 2)
        let utc = TrackingEvent(
            reading: StatusMapper.afterShip(tag: "OutForDelivery"),
            at: try #require(CarrierTimestamp.parse("2024-03-05T01:00:00Z", carrierZone: T.seoul)), arrivalSequence: 1)
        let timeline = TrackingTimeline(events: [utc, kst])
        #expect(timeline.events.map(\.status) == [.inTransit, .outForDelivery])
        #expect(timeline.events.map(\.utcOffsetSeconds) == [nil, 0])
        #expect(timeline.currentStatus == .outForDelivery)
    }

    /// The shape of a real CJ delivery as sweettracker reports it (our own literal values),
    /// arriving in scrambled order.
    @Test func aSweetTrackerHistoryArrivingOutOfOrderEndsDelivered() {
        let scans: [(Int, String, String)] = [
            (6, "배달완료", "2019-05-17 16:26:08"), (2, "집화처리", "2019-05-16 15:14:55"),
            (3, "간선상차", "2019-05-16 19:00:44"), (5, "배달출발\n(배달예정시간\n:17∼19시)", "2019-05-17 09:43:58"),
            (3, "간선하차", "2019-05-17 02:29:45"),
        ]
        var timeline = TrackingTimeline()
        for (seq, scan) in scans.enumerated() {
            timeline.insert(TrackingEvent(reading: StatusMapper.sweetTracker(level: scan.0, kind: scan.1),
                                          at: T.kst(scan.2), location: "경기안양동안양", arrivalSequence: seq))
        }
        #expect(timeline.events.map(\.status) == [.inTransit, .inTransit, .inTransit, .outForDelivery, .delivered])
        #expect(timeline.events.first?.substatus == .pickedUp)
        #expect(timeline.currentStatus == .delivered)
        #expect(timeline.lastScanAt == Date(timeIntervalSince1970: 1_558_077_968))
    }
}
