import Foundation

/// A carrier that does not exist, behaving like one that does (F5): it issues tracking numbers and, asked
/// at any moment, reports the scans a real parcel would have had by then — pick-up, hub scans with Korean
/// and English place names, out for delivery, delivery — and, for some parcels, a delay, a failed attempt,
/// an exception or a return to sender. Everything follows from the number (it carries the hand-over time
/// and a seed) and the time asked, so the demo, the tests and a shop trying its set-up see the same story
/// on every machine, and a restart changes nothing.
public enum SandboxCarrier {
    /// How a parcel's journey goes; chosen from the number, with rough real-world frequencies.
    public enum Scenario: String, Sendable, CaseIterable {
        case onTime = "on_time"
        case failedAttemptThenDelivered = "failed_attempt"
        case delayedInTransit = "delayed"
        case exceptionDamaged = "exception"
        case returnedToSender = "returned"
        case pickupPoint = "pickup_point"
    }

    /// `SBX` + the hand-over time in Unix seconds (10 digits) + a 4-digit serial.
    public static func number(handedOverAt date: Date, serial: Int) -> String {
        String(format: "SBX%010lld%04d", Int64(max(0, date.timeIntervalSince1970)), serial % 10_000)
    }

    public static func handedOverAt(_ number: String) -> Date? {
        guard number.count == 17, number.hasPrefix("SBX"), let seconds = Int64(number.dropFirst(3).prefix(10)) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    public static func scenario(_ number: String) -> Scenario {
        var random = SplitMix64Generator(seed: seed(number))
        let roll = random.nextInt(in: 0...99)
        switch roll {
        case 0..<70: return .onTime
        case 70..<80: return .failedAttemptThenDelivered
        case 80..<88: return .delayedInTransit
        case 88..<93: return .exceptionDamaged
        case 93..<97: return .returnedToSender
        default: return .pickupPoint
        }
    }

    /// Every scan of the parcel up to `now`, oldest first (empty before the hand-over or for a number the
    /// sandbox never issued). `speed` > 1 compresses the journey (the demo runs an hour of it a minute).
    public static func events(for number: String, now: Date, speed: Double = 1) -> [(reading: TrackingReading, at: CarrierTimestamp, location: String)] {
        guard let start = handedOverAt(number) else { return [] }
        let scale = 1 / max(speed, 0.001)
        return script(number).compactMap { step in
            let at = start.addingTimeInterval(step.hours * 3_600 * scale)
            guard at <= now else { return nil }
            return (TrackingReading(step.status, step.substatus, rawCode: step.code, rawText: step.text),
                    CarrierTimestamp(date: at, utcOffsetSeconds: 9 * 3_600), step.place)
        }
    }

    struct Step {
        var hours: Double
        var status: TrackingStatus
        var substatus: TrackingSubstatus?
        var code: String
        var text: String
        var place: String
    }

    static let origins = ["서울 강남 집배점 (Seoul Gangnam)", "이천 물류센터 (Icheon DC)", "부산 사상 집배점 (Busan Sasang)"]
    static let hubs = ["곤지암 메가허브 (Gonjiam Mega Hub)", "대전 허브 (Daejeon Hub)", "청원 허브 (Cheongwon Hub)", "칠곡 허브 (Chilgok Hub)"]
    static let destinations = ["서울 송파 대리점 (Seoul Songpa)", "성남 분당 대리점 (Seongnam Bundang)", "대구 수성 대리점 (Daegu Suseong)",
                               "광주 북구 대리점 (Gwangju Buk-gu)", "제주 대리점 (Jeju)"]

    static func script(_ number: String) -> [Step] {
        var random = SplitMix64Generator(seed: seed(number) &+ 1)
        func pick(_ list: [String]) -> String { list[random.nextInt(in: 0...(list.count - 1))] }
        func jitter(_ hours: Double) -> Double { hours + Double(random.nextInt(in: 0...90)) / 60 }
        let origin = pick(origins), hub = pick(hubs), destination = pick(destinations)
        var steps = [
            Step(hours: jitter(0.5), status: .inTransit, substatus: .pickedUp, code: "11", text: "상품인수 Picked up", place: origin),
            Step(hours: jitter(6), status: .inTransit, substatus: .arrivedAtFacility, code: "21", text: "간선상차 Arrived at hub", place: hub),
            Step(hours: jitter(10), status: .inTransit, substatus: .departedFacility, code: "41", text: "간선하차 Left hub", place: hub),
            Step(hours: jitter(16), status: .inTransit, substatus: .arrivedAtFacility, code: "42", text: "배송지도착 At delivery branch", place: destination),
        ]
        let outForDelivery = Step(hours: jitter(20), status: .outForDelivery, code: "82", text: "배송출발 Out for delivery", place: destination)
        let delivered = { (hours: Double) in
            Step(hours: jitter(hours), status: .delivered, code: "91", text: "배달완료 Delivered", place: destination)
        }
        switch scenario(number) {
        case .onTime:
            steps += [outForDelivery, delivered(25)]
        case .failedAttemptThenDelivered:
            steps += [outForDelivery,
                      Step(hours: jitter(26), status: .failedAttempt, substatus: .recipientUnavailable, code: "83", text: "미배달(수취인부재) Nobody home", place: destination),
                      Step(hours: jitter(44), status: .outForDelivery, code: "82", text: "배송출발 Out for delivery", place: destination),
                      delivered(49)]
        case .delayedInTransit:
            // Six days without a scan after the hub: whatever the weekday, long enough for the silence rule
            // (two business days) to call it stalled before the parcel moves again.
            steps[3].hours += 144
            steps += [Step(hours: jitter(164), status: .outForDelivery, code: "82", text: "배송출발 Out for delivery", place: destination), delivered(169)]
        case .exceptionDamaged:
            steps += [Step(hours: jitter(18), status: .exception, substatus: .damaged, code: "E2", text: "파손 확인 Damaged in transit", place: destination)]
        case .returnedToSender:
            steps += [outForDelivery,
                      Step(hours: jitter(26), status: .exception, substatus: .addressIssue, code: "E1", text: "주소 불명 Address not found", place: destination),
                      Step(hours: jitter(50), status: .exception, substatus: .returnedToSender, code: "R9", text: "반송완료 Returned to sender", place: origin)]
        case .pickupPoint:
            steps += [Step(hours: jitter(22), status: .availableForPickup, code: "P1", text: "편의점 도착 Ready at pick-up point", place: destination),
                      delivered(46)]
        }
        return steps.sorted { $0.hours < $1.hours }
    }

    static func seed(_ number: String) -> UInt64 {
        // FNV-1a: stable across runs and platforms (Swift's Hasher is seeded per process).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in number.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
