import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Processes stored inbox messages off the request path, a few at a time, so a webhook is answered as soon
/// as it is durable. Nothing here needs to survive a crash: a message still `received` after two minutes is
/// picked up again by the background job (`Inbox.retryPending`), and processing is idempotent.
actor InboxWorker {
    private let application: Application
    private let concurrency: Int
    private var queue: [UUID] = []
    /// Queued or being processed: a message is never in the pipeline twice.
    private var inFlight: Set<UUID> = []
    private var running = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    init(application: Application, concurrency: Int = 4) {
        self.application = application
        self.concurrency = concurrency
    }

    func enqueue(_ id: UUID) {
        guard inFlight.insert(id).inserted else { return }
        queue.append(id)
        startIfPossible()
    }

    func isPending(_ id: UUID) -> Bool { inFlight.contains(id) }

    /// Returns once every queued message has been processed (tests, shutdown).
    func waitUntilIdle() async {
        if queue.isEmpty && running == 0 { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private func startIfPossible() {
        while running < concurrency, !queue.isEmpty {
            let id = queue.removeFirst()
            running += 1
            let inbox = Inbox(application: application)
            let logger = application.logger
            Task {
                do { try await inbox.process(id: id) } catch {
                    logger.warning("inbox message \(id) left for retry: \(String(reflecting: error))")
                }
                self.finished(id)
            }
        }
    }

    private func finished(_ id: UUID) {
        inFlight.remove(id)
        running -= 1
        startIfPossible()
        if queue.isEmpty && running == 0 {
            let waiters = idleWaiters
            idleWaiters = []
            for waiter in waiters { waiter.resume() }
        }
    }
}

extension Application {
    private struct InboxWorkerKey: StorageKey { typealias Value = InboxWorker }
    private static let inboxWorkerLock = NIOLock()

    var inboxWorker: InboxWorker {
        Self.inboxWorkerLock.withLock {
            if let worker = storage[InboxWorkerKey.self] { return worker }
            let worker = InboxWorker(application: self)
            storage[InboxWorkerKey.self] = worker
            return worker
        }
    }
}
