import Foundation
import NIOConcurrencyHelpers
import Vapor
import WaybillCore

/// A carrier Waybill has to ask (F5). A live client (an HTTP API behind AsyncHTTPClient) and the sandbox
/// implement the same protocol, so the poller cannot tell them apart.
protocol CarrierTracker: Sendable {
    var carrier: CarrierCode { get }
    /// What the carrier allows; the poller never asks more often.
    var requestsPerMinute: Int { get }
    /// Numbers per request.
    var batchSize: Int { get }
    /// The whole known history of each number (the poller stores only what is new).
    func track(_ numbers: [String], now: Date) async throws -> [TrackingUpdate]
    /// How much faster than life this carrier's parcels move (the sandbox in the demo); polls scale with it.
    var timeScale: Double { get }
}

extension CarrierTracker {
    var timeScale: Double { 1 }
}

/// The sandbox carrier behind the tracker protocol: Core's `SandboxCarrier` scripts, read at `now`.
struct SandboxTracker: CarrierTracker {
    /// > 1 runs parcels faster than life (the demo: an hour of journey a minute).
    var speed: Double = 1
    var carrier: CarrierCode { .sandbox }
    var requestsPerMinute: Int { 600 }
    var batchSize: Int { 50 }
    var timeScale: Double { speed }

    func track(_ numbers: [String], now: Date) async throws -> [TrackingUpdate] {
        numbers.map { number in
            TrackingUpdate(carrier: .sandbox, trackingNumber: number,
                           events: SandboxCarrier.events(for: number, now: now, speed: speed).map {
                               IncomingTrackingEvent(reading: $0.reading, timestamp: $0.at, location: $0.location)
                           }, source: "sandbox")
        }
    }
}

extension Application {
    private struct TrackersKey: StorageKey { typealias Value = [CarrierCode: any CarrierTracker] }

    /// The carriers the poller can ask, by code: the sandbox always; the Korean carriers through sweettracker
    /// when its key is set (the key's rate shared among them).
    var carrierTrackers: [CarrierCode: any CarrierTracker] {
        get {
            if let set = storage[TrackersKey.self] { return set }
            var trackers: [CarrierCode: any CarrierTracker] = [.sandbox: SandboxTracker(speed: settings.sandboxSpeed ?? 1)]
            if let sweet = settings.sweetTracker {
                let share = max(1, sweet.requestsPerMinute / SweetTrackerTracker.codes.count)
                for (carrier, code) in SweetTrackerTracker.codes {
                    trackers[carrier] = SweetTrackerTracker(carrier: carrier, code: code, key: sweet.key, baseURL: sweet.url, client: client,
                                                            requestsPerMinute: share)
                }
            }
            return trackers
        }
        set { storage[TrackersKey.self] = newValue }
    }
}
