/// Where an order is in its life. Raw values are the wire and database spelling.
public enum OrderStatus: String, Sendable, Codable, CaseIterable {
    case placed
    case onHold = "on_hold"
    case ready
    case partiallyFulfilled = "partially_fulfilled"
    case fulfilled
    case delivered
    case cancelled

    public var isTerminal: Bool { self == .delivered || self == .cancelled }
}

/// What can happen to an order. Each event is legal only from some statuses.
public enum OrderEvent: String, Sendable, Codable, CaseIterable {
    /// Intake found nothing doubtful.
    case accept
    /// Intake or an operator put the order on hold (another reason on an order already held is fine).
    case hold
    /// The last open hold was released.
    case release
    case fulfilPartially = "fulfil_partially"
    case fulfil
    case deliver
    case cancel
}

/// Refused transitions are typed errors, never silent no-ops.
public struct IllegalTransition: Error, Equatable, Sendable, CustomStringConvertible {
    public let from: OrderStatus
    public let event: OrderEvent

    public init(from: OrderStatus, event: OrderEvent) {
        self.from = from
        self.event = event
    }

    public var description: String {
        "an order that is \(from.rawValue) cannot \(event.rawValue)"
    }
}

/// The order status machine (F3). Later capabilities (shipping, returns) drive the same table.
public enum OrderStateMachine {
    public static func next(_ status: OrderStatus, on event: OrderEvent) throws(IllegalTransition) -> OrderStatus {
        switch (status, event) {
        case (.placed, .accept): return .ready
        case (.placed, .hold), (.ready, .hold), (.onHold, .hold): return .onHold
        case (.onHold, .release): return .ready
        case (.ready, .fulfilPartially), (.partiallyFulfilled, .fulfilPartially): return .partiallyFulfilled
        case (.ready, .fulfil), (.partiallyFulfilled, .fulfil): return .fulfilled
        case (.fulfilled, .deliver): return .delivered
        case (.placed, .cancel), (.onHold, .cancel), (.ready, .cancel): return .cancelled
        default: throw IllegalTransition(from: status, event: event)
        }
    }

    public static func canApply(_ event: OrderEvent, to status: OrderStatus) -> Bool {
        (try? next(status, on: event)) != nil
    }
}
