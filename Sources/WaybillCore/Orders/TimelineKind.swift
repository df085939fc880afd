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
    /// A shipment was packed for some of the order's lines (payload: number, carrier, tracking, lines).
    case shipmentCreated = "shipment_created"
    /// The carrier took the parcel; its stock left the building (payload: number, lines).
    case shipmentHandedOver = "shipment_handed_over"
    /// A shipment's normalised tracking status changed (payload: number, from, to, the event).
    case trackingUpdated = "tracking_updated"
    /// The order was not handed to a carrier by its handling deadline (nobody had to say so).
    case fulfillmentLate = "fulfillment_late"
    /// Every shipment of a fully shipped order was delivered.
    case orderDelivered = "order_delivered"
    /// The delivery promise made at order time (payload: earliest, most likely, latest, confidence, reasons).
    case orderPromised = "order_promised"
    /// The promised day is unlikely to be kept, before it passes (payload: latest, expected, probability).
    case deliveryAtRisk = "delivery_at_risk"
    /// The customer turned e-mail or SMS updates for this order on or off (payload: email, sms).
    case preferencesChanged = "preferences_changed"
    /// The customer wrote to the shop from the tracking page (payload: message, channel); the support issue routes it.
    case customerContacted = "customer_contacted"
}
