import Foundation
import Testing
@testable import WaybillCore

@Suite("Sandbox carrier (F5)")
struct SandboxCarrierTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func numbersCarryTheHandOverTimeAndAreDetectedAsTheSandboxOnly() {
        let number = SandboxCarrier.number(handedOverAt: start, serial: 42)
        #expect(number == "SBX17950000000042")
        #expect(SandboxCarrier.handedOverAt(number) == start)
        #expect(TrackingNumberDetector.detect(number).map(\.carrier) == [.sandbox])
        #expect(SandboxCarrier.handedOverAt("SBX123") == nil)
        #expect(SandboxCarrier.events(for: "1Z5R89390357567127", now: start).isEmpty)
    }

    @Test func aParcelIsScannedOverTimeAndTheStoryIsTheSameEveryTime() {
        let number = SandboxCarrier.number(handedOverAt: start, serial: 1)
        #expect(SandboxCarrier.events(for: number, now: start).isEmpty)
        let later = SandboxCarrier.events(for: number, now: start.addingTimeInterval(8 * 86_400))
        #expect(later.count >= 5)
        #expect(later.map(\.at.date) == later.map(\.at.date).sorted())
        #expect(later.first?.reading.substatus == .pickedUp)
        #expect(later.allSatisfy { $0.location.contains("(") })
        #expect(SandboxCarrier.events(for: number, now: start.addingTimeInterval(8 * 86_400)).map(\.reading) == later.map(\.reading))
        // Sixty times faster: a journey of days in a couple of hours.
        #expect(SandboxCarrier.events(for: number, now: start.addingTimeInterval(3 * 3_600), speed: 60).count == later.count)
    }

    @Test func everyScenarioOccursAndEndsWhereItShould() {
        var seen: [SandboxCarrier.Scenario: TrackingStatus] = [:]
        for serial in 0..<2_000 {
            let number = SandboxCarrier.number(handedOverAt: start, serial: serial)
            var timeline = TrackingTimeline()
            for (i, e) in SandboxCarrier.events(for: number, now: start.addingTimeInterval(30 * 86_400)).enumerated() {
                timeline.insert(TrackingEvent(reading: e.reading, at: e.at, location: e.location, arrivalSequence: i))
            }
            seen[SandboxCarrier.scenario(number)] = timeline.currentStatus
        }
        #expect(Set(seen.keys) == Set(SandboxCarrier.Scenario.allCases))
        #expect(seen[.onTime] == .delivered && seen[.failedAttemptThenDelivered] == .delivered)
        #expect(seen[.delayedInTransit] == .delivered && seen[.pickupPoint] == .delivered)
        #expect(seen[.exceptionDamaged] == .exception && seen[.returnedToSender] == .exception)
    }

    @Test func theDelayedScenarioGoesSilentLongEnoughToStall() {
        let number = (0..<500).map { SandboxCarrier.number(handedOverAt: start, serial: $0) }.first { SandboxCarrier.scenario($0) == .delayedInTransit }!
        let rule = StallRule(carrier: BuiltInCarriers.sandbox)
        let events = SandboxCarrier.events(for: number, now: start.addingTimeInterval(5 * 86_400))
        let last = events.last!.at.date
        let now = last.addingTimeInterval(5.5 * 86_400)
        #expect(rule.isStalled(lastScan: last, now: now))
        #expect(SandboxCarrier.events(for: number, now: now).count == events.count)
    }
}
