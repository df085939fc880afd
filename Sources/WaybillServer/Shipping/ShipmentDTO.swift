import Foundation
import WaybillCore

/// What a shipment request may carry.
struct CreateShipmentRequest: Decodable, Sendable {
    typealias Line = StockMovementRequest.Line

    /// Nil: everything on the order not yet in a shipment.
    var lines: [Line]?
    /// Stock location code; nil when the lines' stock is reserved at one location.
    var location: String?
    /// Carrier code (`cj`, `ups`, …); nil to detect it from the tracking number.
    var carrier: String?
    var service: String?
    var trackingNumber: String?
    var packages: [ShipmentPackage]?
    /// Hand the parcel to the carrier at once (the label was printed at the pick-up).
    var handedOver: Bool?

    init(lines: [Line]? = nil, location: String? = nil, carrier: String? = nil, service: String? = nil,
         trackingNumber: String? = nil, packages: [ShipmentPackage]? = nil, handedOver: Bool? = nil) {
        self.lines = lines
        self.location = location
        self.carrier = carrier
        self.service = service
        self.trackingNumber = trackingNumber
        self.packages = packages
        self.handedOver = handedOver
    }
}

struct ShipmentPackage: Codable, Sendable, Equatable {
    var weightGrams: Int64?
    var lengthMm: Int64?
    var widthMm: Int64?
    var heightMm: Int64?
}

/// A shipment as the API shows it, with its events when asked.
struct ShipmentDTO: Codable, Sendable {
    struct Line: Codable, Sendable {
        var sku: String
        var quantity: Int64
    }

    struct Event: Codable, Sendable {
        var status: String
        var substatus: String?
        var rawCode: String?
        var rawText: String?
        var location: String?
        var occurredAt: Date
        var utcOffsetSeconds: Int?
        var source: String
        var receivedAt: Date
    }

    var number: String
    var orderNumber: Int64
    var state: String
    var trackingStatus: String
    var trackingSubstatus: String?
    var carrier: String
    var carrierName: String?
    var service: String?
    var trackingNumber: String?
    var trackingUrl: String?
    var location: String
    var lines: [Line]
    var packages: [ShipmentPackage]
    var createdAt: Date
    var handedOverAt: Date?
    var deliveredAt: Date?
    /// The carrier's latest scan, and when Waybill last heard from or asked the carrier.
    var lastScanAt: Date?
    var lastCheckedAt: Date?
    /// The order's delivery promise (made at order time) and its current prediction and freshness.
    var promise: OrderPromiseDTO?
    var events: [Event]?
}
