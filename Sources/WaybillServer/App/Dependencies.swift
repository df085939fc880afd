import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The current time, injected so tests and the demo control it.
public struct WaybillClock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) { self.now = now }

    public static let system = WaybillClock { Date() }

    /// A clock that stands still until `advance` moves it.
    public static func manual(_ start: Date) -> (WaybillClock, ManualTime) {
        let time = ManualTime(start)
        return (WaybillClock { time.current }, time)
    }
}

/// Shared, lock-protected time for a manual clock.
public final class ManualTime: Sendable {
    private let value: NIOLockedValueBox<Date>
    init(_ start: Date) { value = .init(start) }
    public var current: Date { value.withLockedValue { $0 } }
    public func advance(by seconds: TimeInterval) { value.withLockedValue { $0 += seconds } }
    public func set(_ date: Date) { value.withLockedValue { $0 = date } }
}

/// Where new identifiers come from; deterministic in tests.
public struct IDGenerator: Sendable {
    public var next: @Sendable () -> UUID

    public init(next: @escaping @Sendable () -> UUID) { self.next = next }

    public static let random = IDGenerator { UUID() }

    /// 00000000-0000-0000-0000-000000000001, …002, … — stable output for tests and snapshots.
    public static func incrementing() -> IDGenerator {
        let counter = NIOLockedValueBox<UInt64>(0)
        return IDGenerator {
            let n = counter.withLockedValue { $0 += 1; return $0 }
            return UUID(uuidString: String(format: "00000000-0000-0000-0000-%012llX", n))!
        }
    }
}

/// The outside-world dependencies one application instance runs with.
public struct AppDependencies: Sendable {
    public var clock: WaybillClock
    public var ids: IDGenerator

    public init(clock: WaybillClock = .system, ids: IDGenerator = .random) {
        self.clock = clock
        self.ids = ids
    }
}

extension Application {
    private struct DependenciesKey: StorageKey { typealias Value = AppDependencies }

    public var dependencies: AppDependencies {
        get { storage[DependenciesKey.self] ?? AppDependencies() }
        set { storage[DependenciesKey.self] = newValue }
    }

    private struct SettingsKey: StorageKey { typealias Value = Settings }

    public var settings: Settings {
        get { storage[SettingsKey.self] ?? Settings() }
        set { storage[SettingsKey.self] = newValue }
    }
}

extension Request {
    var now: Date { application.dependencies.clock.now() }
    func newID() -> UUID { application.dependencies.ids.next() }
}
