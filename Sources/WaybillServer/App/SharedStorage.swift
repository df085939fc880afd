import NIOConcurrencyHelpers
import Vapor

extension Application {
    private static let sharedStorageLock = NIOLock()

    /// The instance-wide value stored under `key` (a cache, a worker), made on first use. `make` runs outside
    /// the lock, so it may itself use storage; if two callers race, the first value stored wins and the
    /// other is dropped unused.
    func shared<Key: StorageKey>(_ key: Key.Type, _ make: () -> Key.Value) -> Key.Value {
        if let existing = Self.sharedStorageLock.withLock({ storage[key] }) { return existing }
        let made = make()
        return Self.sharedStorageLock.withLock {
            if let existing = storage[key] { return existing }
            storage[key] = made
            return made
        }
    }
}
