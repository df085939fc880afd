import Foundation
import SQLKit
import Vapor
import WaybillCore

/// Everything the tracking page shows about one order, read in a handful of queries.
struct TrackingPageData: Sendable {
    struct Item: Sendable {
        var sku: String
        var name: String
        var quantity: Int64
    }

    struct Scan: Sendable {
        var status: TrackingStatus
        var text: String?
        var location: String?
        var occurredAt: Date
    }

    struct Parcel: Sendable {
        var id: UUID
        var number: String
        var state: String
        var status: TrackingStatus
        var substatus: TrackingSubstatus?
        var carrier: String
        var trackingNumber: String?
        var createdAt: Date
        var handedOverAt: Date?
        var deliveredAt: Date?
        var lastScanAt: Date?
        var lastCheckedAt: Date?
        var nextCheckAt: Date?
        var items: [Item]
        /// Newest first.
        var scans: [Scan]
    }

    var orderID: UUID
    var shopID: UUID
    var shopName: String
    var shopSlug: String
    var shopTimezone: String
    var number: Int64
    var status: OrderStatus
    var locale: String
    var customerName: String
    var customerEmail: String
    var customerPhone: String?
    var address: Address
    var placedAt: Date
    var items: [Item]
    var promise: OrderPromiseDTO?
    var parcels: [Parcel]
    var compensation: String?
    var preferences: NotificationPreferences

    /// The customer's zone for dates and times: Korea's for Korean addresses, else the shop's.
    var zone: TimeZone {
        if address.country == "KR" { return TimeZone(identifier: "Asia/Seoul")! }
        return TimeZone(identifier: shopTimezone) ?? .gmt
    }

    /// Quantities of each SKU not yet in any shipment.
    var unshipped: [String: Int64] {
        var left = Dictionary(items.map { ($0.sku, $0.quantity) }, uniquingKeysWith: +)
        for parcel in parcels where parcel.state != "voided" {
            for item in parcel.items { left[item.sku, default: 0] -= item.quantity }
        }
        return left.filter { $0.value > 0 }
    }

    var handedOver: Bool { parcels.contains { $0.state == "handed_over" } }
    var packed: Bool { parcels.contains { $0.state == "packed" } }

    static func load(orderID: UUID, application: Application, sql: any SQLDatabase) async throws -> TrackingPageData? {
        guard let row = try await sql.raw("""
            SELECT o.id, o.shop_id, o.number, o.status, o.locale, o.customer_name, o.customer_email, o.customer_phone, o.shipping_address,
            o.placed_at, s.name AS shop_name, s.slug AS shop_slug, s.timezone AS shop_timezone, p.order_id AS promise_order,
            \(PromiseService.columns(prefix: "p.", as: "p_")),
            (SELECT code FROM coupon_codes c WHERE c.order_id = o.id ORDER BY c.assigned_at LIMIT 1) AS coupon,
            (SELECT email FROM notification_preferences n WHERE n.shop_id = o.shop_id AND n.subject = \(bind: NotificationPreferences.subject(orderID: orderID))) AS order_email,
            (SELECT sms FROM notification_preferences n WHERE n.shop_id = o.shop_id AND n.subject = \(bind: NotificationPreferences.subject(orderID: orderID))) AS order_sms,
            (SELECT email FROM notification_preferences n WHERE n.shop_id = o.shop_id AND n.subject = 'customer:' || LOWER(o.customer_email)) AS customer_email_pref,
            (SELECT sms FROM notification_preferences n WHERE n.shop_id = o.shop_id AND n.subject = 'customer:' || LOWER(o.customer_email)) AS customer_sms_pref
            FROM orders o JOIN shops s ON s.id = o.shop_id LEFT JOIN order_promises p ON p.order_id = o.id
            WHERE o.id = \(bind: orderID)
            """).first() else { return nil }
        let shopID = try row.decode(column: "shop_id", as: UUID.self)
        let names = try await sql.raw("SELECT sku, name, quantity FROM order_lines WHERE order_id = \(bind: orderID) ORDER BY position").all()
            .map { Item(sku: try $0.decode(column: "sku", as: String.self), name: try $0.decode(column: "name", as: String.self),
                        quantity: try $0.decode(column: "quantity", as: Int64.self)) }
        let email = try row.decode(column: "customer_email", as: String.self)
        let address = try JSONCoding.decoder.decode(Address.self, from: Data(try row.decode(column: "shipping_address", as: String.self).utf8))
        return TrackingPageData(
            orderID: orderID, shopID: shopID, shopName: try row.decode(column: "shop_name", as: String.self),
            shopSlug: try row.decode(column: "shop_slug", as: String.self), shopTimezone: try row.decode(column: "shop_timezone", as: String.self),
            number: try row.decode(column: "number", as: Int64.self),
            status: OrderStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .placed,
            locale: try row.decode(column: "locale", as: String.self), customerName: try row.decode(column: "customer_name", as: String.self),
            customerEmail: email, customerPhone: try row.decode(column: "customer_phone", as: String?.self), address: address,
            placedAt: try row.decode(column: "placed_at", as: Date.self), items: names,
            promise: try row.decode(column: "promise_order", as: UUID?.self) == nil ? nil : try PromiseService.dto(row, prefix: "p_"),
            parcels: try await parcels(orderID: orderID, names: names, sql: sql),
            compensation: try row.decode(column: "coupon", as: String?.self),
            // In one query with the order: the order's own choice over the customer's (`NotificationPreferences.resolve`).
            preferences: NotificationPreferences.resolve(
                order: NotificationPreferences(email: try row.decode(column: "order_email", as: Bool?.self), sms: try row.decode(column: "order_sms", as: Bool?.self)),
                customer: NotificationPreferences(email: try row.decode(column: "customer_email_pref", as: Bool?.self),
                                                  sms: try row.decode(column: "customer_sms_pref", as: Bool?.self))))
    }

    /// The order's shipments with their items and up to 200 newest scans each.
    private static func parcels(orderID: UUID, names: [Item], sql: any SQLDatabase) async throws -> [Parcel] {
        let rows = try await sql.raw("""
            SELECT id, number, state, tracking_status, tracking_substatus, carrier, tracking_number, created_at, handed_over_at, delivered_at,
            last_scan_at, last_checked_at, next_check_at FROM shipments WHERE order_id = \(bind: orderID) ORDER BY created_at, number
            """).all()
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.decode(column: "id", as: UUID.self) }
        let nameOf = Dictionary(names.map { ($0.sku, $0.name) }, uniquingKeysWith: { a, _ in a })
        var items: [UUID: [Item]] = [:]
        for line in try await sql.raw("SELECT shipment_id, sku, quantity FROM shipment_lines WHERE shipment_id IN (\(binds: ids)) ORDER BY sku").all() {
            let sku = try line.decode(column: "sku", as: String.self)
            items[try line.decode(column: "shipment_id", as: UUID.self), default: []].append(
                Item(sku: sku, name: nameOf[sku] ?? sku, quantity: try line.decode(column: "quantity", as: Int64.self)))
        }
        var scans: [UUID: [Scan]] = [:]
        for event in try await sql.raw("""
            SELECT shipment_id, status, raw_text, location, occurred_at FROM tracking_events WHERE shipment_id IN (\(binds: ids))
            ORDER BY occurred_at DESC, arrival_seq DESC
            """).all() {
            let id = try event.decode(column: "shipment_id", as: UUID.self)
            guard scans[id, default: []].count < 200 else { continue }
            scans[id, default: []].append(Scan(
                status: TrackingStatus(rawValue: try event.decode(column: "status", as: String.self)) ?? .unknown,
                text: try event.decode(column: "raw_text", as: String?.self), location: try event.decode(column: "location", as: String?.self),
                occurredAt: try event.decode(column: "occurred_at", as: Date.self)))
        }
        return try rows.map { row in
            let id = try row.decode(column: "id", as: UUID.self)
            return Parcel(
                id: id, number: try row.decode(column: "number", as: String.self), state: try row.decode(column: "state", as: String.self),
                status: TrackingStatus(rawValue: try row.decode(column: "tracking_status", as: String.self)) ?? .unknown,
                substatus: try row.decode(column: "tracking_substatus", as: String?.self).flatMap(TrackingSubstatus.init(rawValue:)),
                carrier: try row.decode(column: "carrier", as: String.self), trackingNumber: try row.decode(column: "tracking_number", as: String?.self),
                createdAt: try row.decode(column: "created_at", as: Date.self), handedOverAt: try row.decode(column: "handed_over_at", as: Date?.self),
                deliveredAt: try row.decode(column: "delivered_at", as: Date?.self), lastScanAt: try row.decode(column: "last_scan_at", as: Date?.self),
                lastCheckedAt: try row.decode(column: "last_checked_at", as: Date?.self), nextCheckAt: try row.decode(column: "next_check_at", as: Date?.self),
                items: items[id] ?? [], scans: scans[id] ?? [])
        }
    }

    /// One shipment found by its tracking number in a shop, for the page that shows a parcel without its order.
    static func parcel(shopID: UUID, trackingNumber: String, sql: any SQLDatabase) async throws -> (Parcel, shopName: String)? {
        guard let row = try await sql.raw("""
            SELECT order_id FROM shipments WHERE shop_id = \(bind: shopID) AND tracking_number = \(bind: trackingNumber) AND state <> 'voided'
            ORDER BY created_at DESC LIMIT 1
            """).first() else { return nil }
        let orderID = try row.decode(column: "order_id", as: UUID.self)
        let names = try await sql.raw("SELECT sku, name, quantity FROM order_lines WHERE order_id = \(bind: orderID)").all()
            .map { Item(sku: try $0.decode(column: "sku", as: String.self), name: try $0.decode(column: "name", as: String.self),
                        quantity: try $0.decode(column: "quantity", as: Int64.self)) }
        guard let parcel = try await parcels(orderID: orderID, names: names, sql: sql).first(where: { $0.trackingNumber == trackingNumber }) else { return nil }
        let shop = try await sql.raw("SELECT name FROM shops WHERE id = \(bind: shopID)").first()?.decode(column: "name", as: String.self) ?? ""
        return (parcel, shop)
    }
}
