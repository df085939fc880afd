import NIOConcurrencyHelpers

/// Values kept for a few seconds per instance, so a hot path does not cost a database read per request.
/// Whatever is cached can be stale on an instance for at most `ttl`; the caller decides what is safe to
/// keep (a verified key, a webhook secret) and never caches a miss. Full: emptied, not evicted one by one.
final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = NIOLockedValueBox<[Key: (value: Value, expires: ContinuousClock.Instant)]>([:])
    let ttl: Duration
    let capacity: Int

    init(ttl: Duration = .seconds(10), capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    func lookup(_ key: Key) -> Value? {
        let now = ContinuousClock.now
        return entries.withLockedValue { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > now else {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    func store(_ key: Key, _ value: Value) {
        let expires = ContinuousClock.now + ttl
        entries.withLockedValue { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (value, expires)
        }
    }

    func remove(_ key: Key) { _ = entries.withLockedValue { $0.removeValue(forKey: key) } }

    func removeAll() { entries.withLockedValue { $0.removeAll() } }
}
