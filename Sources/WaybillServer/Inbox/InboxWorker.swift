import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Processes stored inbox messages off the request path, so a webhook is answered as soon as it is durable.
/// Messages are taken in arrival order, as many as have queued up to `batchSize`, and applied in one
/// transaction (`Inbox.process(ids:)`): under load the batches grow and each message costs a fraction of a
/// commit and of a turn at SQLite's writer; a lone message goes through at once. One batch at a time, so two
/// batches never lock the same orders in opposite orders. Nothing here needs to survive a crash: a message
/// still `received` after two minutes is picked up again by the background job (`Inbox.retryPending`), and
/// processing is idempotent.
actor InboxWorker {
    private let application: Application
    private let batchSize: Int
    private var queue: [UUID] = []
    /// Queued or being processed: a message is never in the pipeline twice.
    private var inFlight: Set<UUID> = []
    private var running = false
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    init(application: Application, batchSize: Int = 100) {
        self.application = application
        self.batchSize = batchSize
    }

    func enqueue(_ id: UUID) {
        guard inFlight.insert(id).inserted else { return }
        queue.append(id)
        startIfPossible()
    }

    func isPending(_ id: UUID) -> Bool { inFlight.contains(id) }

    /// Returns once every queued message has been processed (tests, shutdown).
    func waitUntilIdle() async {
        if queue.isEmpty && !running { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private func startIfPossible() {
        guard !running, !queue.isEmpty else { return }
        let batch = Array(queue.prefix(batchSize))
        queue.removeFirst(batch.count)
        running = true
        let inbox = Inbox(application: application)
        let logger = application.logger
        Task {
            do { try await inbox.process(ids: batch) } catch {
                logger.warning("inbox batch of \(batch.count) left for retry: \(String(reflecting: error))")
            }
            self.finished(batch)
        }
    }

    private func finished(_ batch: [UUID]) {
        inFlight.subtract(batch)
        running = false
        startIfPossible()
        if queue.isEmpty && !running {
            let waiters = idleWaiters
            idleWaiters = []
            for waiter in waiters { waiter.resume() }
        }
    }
}

extension Application {
    private struct InboxWorkerKey: StorageKey { typealias Value = InboxWorker }

    var inboxWorker: InboxWorker { shared(InboxWorkerKey.self) { InboxWorker(application: self) } }
}
