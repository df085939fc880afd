import Foundation

/// Token buckets per key: `capacity` attempts at once, refilled at one per `refillSeconds`. Guards the
/// tracking page's lookups so nobody can walk through order numbers. Memory is bounded: past `maxKeys`
/// the buckets that have refilled completely (they carry no information) are dropped, then the oldest.
public struct AttemptLimiter: Sendable {
    public let capacity: Double
    public let refillSeconds: Double
    public let maxKeys: Int
    private var buckets: [String: (tokens: Double, at: Date)] = [:]

    public init(capacity: Int, refillSeconds: Double, maxKeys: Int = 100_000) {
        self.capacity = Double(capacity)
        self.refillSeconds = refillSeconds
        self.maxKeys = maxKeys
    }

    /// Whether `key` may try now; nil when it may, else the seconds until it may. Trying spends a token.
    public mutating func attempt(_ key: String, at now: Date) -> TimeInterval? {
        var bucket = current(key, at: now)
        guard bucket.tokens >= 1 else {
            buckets[key] = bucket
            return (1 - bucket.tokens) * refillSeconds
        }
        bucket.tokens -= 1
        buckets[key] = bucket
        if buckets.count > maxKeys { prune(at: now) }
        return nil
    }

    /// Seconds until `key` may try again, without spending anything; nil when it may now.
    public func wait(_ key: String, at now: Date) -> TimeInterval? {
        let bucket = current(key, at: now)
        return bucket.tokens >= 1 ? nil : (1 - bucket.tokens) * refillSeconds
    }

    public var keyCount: Int { buckets.count }

    private func current(_ key: String, at now: Date) -> (tokens: Double, at: Date) {
        guard let old = buckets[key] else { return (capacity, now) }
        let refilled = max(0, now.timeIntervalSince(old.at)) / refillSeconds
        return (min(capacity, old.tokens + refilled), now)
    }

    private mutating func prune(at now: Date) {
        buckets = buckets.filter { current($0.key, at: now).tokens < capacity }
        if buckets.count > maxKeys {
            let keep = buckets.sorted { $0.value.at > $1.value.at }.prefix(maxKeys * 3 / 4)
            buckets = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }
}
