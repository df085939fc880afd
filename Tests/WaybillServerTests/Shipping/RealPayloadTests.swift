import Foundation
import Testing
@testable import WaybillServer
@testable import WaybillCore

/// The parsers and signature checks against real payloads and published test vectors in
/// `../shared/data/carriers` (not copied into the project; see its README). Outside CI, without that folder,
/// these report themselves skipped; with `CI=true` a missing folder fails.
@Suite("Real carrier payloads (../shared/data)")
struct RealPayloadTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../../shared/data/carriers").standardized
    static let available = FileManager.default.fileExists(atPath: root.path)
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    func data(_ path: String) throws -> Data {
        try Data(contentsOf: Self.root.appendingPathComponent(path))
    }

    @Test(.enabled(if: available || inCI, "../shared/data is not here (a user's clone); CI has it"))
    func theFolderIsThere() {
        #expect(Self.available, "CI must have ../shared/data/carriers at \(Self.root.path)")
    }

    @Test(.enabled(if: available, "../shared/data is not here"))
    func afterShipsHMACTestVectorVerifiesAndItsWrongValueDoesNot() throws {
        let body = try data("aftership/aftership_webhook_tracking_update_tnt_raw_body.json")
        let secret = "95f35e6b3dbc26527029cbd9cfa51b87"
        #expect(WebhookSignature.verify(.aftership, headers: ["aftership-hmac-sha256": "FceTeaOp8Nvp9CVTnfoda0RQiRjq8VZQErBg+Gn88/s="],
                                        body: body, secret: secret, now: Date()))
        #expect(!WebhookSignature.verify(.aftership, headers: ["aftership-hmac-sha256": "RaaHIWnGfgK3KFh3kkiUxZ1DQNKqx6E8vMgrM793dIs="],
                                         body: body, secret: secret, now: Date()))
        let updates = try TrackingWebhooks.updates(.aftership, body: body)
        #expect(updates.count == 1)
        #expect(!(updates.first?.events.isEmpty ?? true))
        #expect(try TrackingWebhooks.eventID(.aftership, body: body) != nil)
    }

    @Test(.enabled(if: available, "../shared/data is not here"))
    func afterShipsUSPSUpdateReadsEveryCheckpointInOrder() throws {
        let body = try data("aftership/aftership_webhook_tracking_update_usps_normalized.json")
        let update = try #require(try TrackingWebhooks.updates(.aftership, body: body).first)
        #expect(update.trackingNumber == "9405516902697649303570")
        #expect(update.events.first?.reading.status == .infoReceived)
        // checkpoint_time carries no offset: USPS local time (America/New_York in May is UTC−4).
        #expect(update.events.first?.timestamp.utcOffsetSeconds == nil)
        #expect(update.events.first?.timestamp.date == ISO8601DateFormatter().date(from: "2021-05-13T17:04:00Z"))
        #expect(!update.events.contains { $0.reading.status == .unknown })
    }

    @Test(.enabled(if: available, "../shared/data is not here"))
    func easyPostsSignatureVectorAndTrackerUpdate() throws {
        // EasyPost signs with the NFKD-normalised secret over the body without its trailing newline.
        var body = try data("easypost/easypost_official_event_body_tracker_updated.json")
        while body.last == 0x0A { body.removeLast() }
        #expect(WebhookSignature.verify(.easypost, headers: ["x-hmac-signature": "hmac-sha256-hex=38f3f53c103713df81616a0a186d77141957323ec21d5fe9363db93840f527db"],
                                        body: body, secret: "s\u{e9}cret", now: Date()))
        let update = try #require(try TrackingWebhooks.updates(.easypost, body: body).first)
        #expect(try TrackingWebhooks.eventID(.easypost, body: body) == "evt_1")
        #expect(update.events.count >= 4)
        #expect(update.events.first?.reading.status == .infoReceived)
        #expect(update.events.contains { $0.reading.substatus == .arrivedAtFacility })
    }

    @Test(.enabled(if: available, "../shared/data is not here"))
    func karriosTrackerUpdatedEndsDelivered() throws {
        let body = try data("karrio/karrio_event_tracker_updated.json")
        let update = try #require(try TrackingWebhooks.updates(.karrio, body: body).first)
        #expect(update.trackingNumber == "398678121664")
        #expect(try TrackingWebhooks.eventID(.karrio, body: body) == "evt_0dc49c331f5640678908b17596a80584")
        var timeline = TrackingTimeline()
        for (i, e) in update.events.enumerated() {
            timeline.insert(TrackingEvent(reading: e.reading, at: e.timestamp, location: e.location, arrivalSequence: i))
        }
        #expect(timeline.currentStatus == .delivered)
        #expect(timeline.events.last?.rawCode == "DL")
    }
}
