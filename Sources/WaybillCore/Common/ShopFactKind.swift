/// Kinds of fact about a shop that belong to no single order (stock alerts now; later carrier and
/// integration health). Append-only like the order timeline; notification rules read both streams.
public enum ShopFactKind: String, Sendable, Codable, CaseIterable {
    /// A stock alert began to hold for a SKU at a location (payload: the alert with its figures).
    case stockAlertRaised = "stock_alert_raised"
    /// A raised stock alert no longer holds (stock arrived, demand changed, an order was placed).
    case stockAlertCleared = "stock_alert_cleared"
    /// Someone opened an order's tracking page (payload: how they came — link or lookup — and the language).
    case trackingPageViewed = "tracking_page_viewed"
    /// A lookup by order number and e-mail or postal code (payload: result found, not_found or limited).
    case trackingLookup = "tracking_lookup"
    /// A lookup by tracking number alone (payload: result).
    case parcelLookup = "parcel_lookup"
}
