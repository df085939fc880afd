/// Kinds of fact on an order's timeline. Append-only: a fact is never edited or removed.
public enum TimelineKind: String, Sendable, Codable, CaseIterable {
    case orderPlaced = "order_placed"
    case orderReady = "order_ready"
    case orderHeld = "order_held"
    case holdReleased = "hold_released"
    case orderCorrected = "order_corrected"
    case orderCancelled = "order_cancelled"
    case orderEdited = "order_edited"
    case stockReserved = "stock_reserved"
    case stockReleased = "stock_released"
}
