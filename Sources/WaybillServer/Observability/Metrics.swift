import NIOConcurrencyHelpers
import Prometheus
import WaybillCore
import Vapor

/// This instance's Prometheus registry and the metrics Waybill records. Per application, not global,
/// so tests that build several apps never share counters.
final class WaybillMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let ordersCreated: Counter

    init() {
        ordersCreated = registry.makeCounter(descriptor: .init(namespace: "waybill", metricName: "orders_created", unitName: "total", helpText: "Orders accepted by intake"))
    }

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered")
    }
    static var durations: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "http_request_duration", unitName: "seconds", helpText: "Time to answer HTTP requests")
    }

    private struct RequestKey: Hashable {
        var route: ObjectIdentifier?
        var method: String
        var status: UInt
    }

    /// Each route's counter and histogram, found once: making them through the registry checks and cleans the
    /// names and labels on every call, for every request.
    private let requestSeries = NIOLockedValueBox<[RequestKey: (requests: Counter, durations: DurationHistogram)]>([:])

    /// One answered request, by route pattern (`/api/v1/orders/:order`, never the raw path).
    func recordRequest(method: String, route: Route?, status: UInt, duration: Duration) {
        let key = RequestKey(route: route.map(ObjectIdentifier.init), method: method, status: status)
        let series = requestSeries.withLockedValue { $0[key] } ?? {
            let pattern = route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
            let made = (requests: registry.makeCounter(descriptor: Self.requests, labels: [("method", method), ("route", pattern), ("status", String(status))]),
                        durations: registry.makeDurationHistogram(
                            descriptor: Self.durations, labels: [("method", method), ("route", pattern)],
                            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1)]))
            requestSeries.withLockedValue { $0[key] = made }
            return made
        }()
        series.requests.increment()
        series.durations.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// One accepted order, and each hold it was given (`waybill_orders_held_total{reason}`).
    func recordIntake(holds: [HoldReason]) {
        ordersCreated.increment()
        for reason in holds {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "waybill", metricName: "orders_held", unitName: "total",
                                                 helpText: "Orders placed on hold at intake, by reason"),
                labels: [("reason", reason.rawValue)]
            ).increment()
        }
    }

    /// Tracking events stored, by source and normalised status; `status="unknown"` counts carrier codes no
    /// mapper knows yet, for an operator to map (`waybill_tracking_events_total{source,status}`).
    func recordTrackingEvents(source: String, statuses: [String]) {
        for status in statuses {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "waybill", metricName: "tracking_events", unitName: "total",
                                                 helpText: "Tracking events stored, by source and normalised status"),
                labels: [("source", source), ("status", status)]
            ).increment()
        }
    }

    /// Outbox outcomes by kind (`dispatch`, `email`, `sms`, `webhook`) and result (`sent`, `retry`, `parked`),
    /// and the time from a message's creation to its send (`waybill_outbox_lag_seconds`).
    func recordOutbox(kind: String, result: String, lag: TimeInterval? = nil) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "waybill", metricName: "outbox_messages", unitName: "total",
                                             helpText: "Outbox messages handled, by kind and result"),
            labels: [("kind", kind), ("result", result)]
        ).increment()
        if let lag {
            registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(namespace: "waybill", metricName: "outbox_lag", unitName: "seconds",
                                                 helpText: "Time from an outbox message's creation to its send"),
                labels: [("kind", kind)],
                buckets: [.milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(30),
                          .seconds(300), .seconds(3_600)]
            ).recordNanoseconds(Int64(max(lag, 0) * 1_000_000_000))
        }
    }

    /// SQLite's write gate (`GroupCommit`): writes per transaction, each write's wait for its transaction to
    /// start, and groups that failed as a whole and were run again write by write.
    struct WriteGateSeries: Sendable {
        let writesPerTransaction: ValueHistogram
        let wait: DurationHistogram
        let failedGroups: Counter
    }

    func writeGateSeries() -> WriteGateSeries {
        WriteGateSeries(
            writesPerTransaction: registry.makeValueHistogram(
                descriptor: MetricNameDescriptor(namespace: "waybill", metricName: "sqlite_write_transaction", unitName: "writes",
                                                 helpText: "Writes run together in one SQLite transaction by the write gate (group commit)"),
                buckets: [1, 2, 4, 8, 16, 32]),
            wait: registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(namespace: "waybill", metricName: "sqlite_write_wait", unitName: "seconds",
                                                 helpText: "Time a write waited in SQLite's write gate for its transaction to start"),
                labels: [],
                buckets: [.microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                          .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1)]),
            failedGroups: registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "waybill", metricName: "sqlite_write_groups_failed", unitName: "total",
                                                 helpText: "Groups of writes whose shared transaction failed as a whole and ran again write by write"))
        )
    }

    func exposition() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

extension Application {
    private struct MetricsKey: StorageKey { typealias Value = WaybillMetrics }

    var waybillMetrics: WaybillMetrics { shared(MetricsKey.self) { WaybillMetrics() } }
}

/// Counts and times every request by route pattern (never by raw path, which would explode cardinality),
/// and answers with the request id so a log line can be found from a client's report.
struct RequestMetricsMiddleware: AsyncMiddleware {
    let metrics: WaybillMetrics

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next.respond(to: request)
        let elapsed = ContinuousClock.now - start
        metrics.recordRequest(method: request.method.rawValue, route: request.route, status: response.status.code, duration: elapsed)
        // One access line per request; `request-id` is in the logger's metadata. Debug, so benchmarks and busy
        // servers are not slowed by it unless LOG_LEVEL asks.
        request.logger.debug("\(request.method.rawValue) \(request.url.path) \(response.status.code) \(elapsed)")
        response.headers.replaceOrAdd(name: "X-Request-Id", value: request.id)
        return response
    }
}
