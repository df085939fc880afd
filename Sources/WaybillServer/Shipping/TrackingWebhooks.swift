import Foundation
import WaybillCore

/// Reads the tracking webhooks Waybill accepts into `TrackingUpdate`s: AfterShip `tracking_update`,
/// EasyPost `tracker.updated`, Karrio `tracker_updated`, and Waybill's own format (docs/api.md). Parsing
/// is strict about what matters (a tracking number, dates that exist) and ignores everything else.
enum TrackingWebhooks {
    struct Unreadable: Error, Sendable {
        var reason: String
    }

    /// The sender's id for the event (the inbox's duplicate key), when the payload has one.
    static func eventID(_ source: WebhookSignature.Scheme, body: Data) throws -> String? {
        struct Envelope: Decodable { var id: String?; var eventId: String? }
        guard let envelope = try? JSONCoding.decoder.decode(Envelope.self, from: body) else {
            throw Unreadable(reason: "the body is not a JSON object")
        }
        let id = source == .aftership ? envelope.eventId : envelope.id
        return id.map { String($0.prefix(200)) }
    }

    static func updates(_ source: WebhookSignature.Scheme, body: Data) throws -> [TrackingUpdate] {
        do {
            switch source {
            case .aftership: return try afterShip(body)
            case .easypost: return try easyPost(body)
            case .karrio: return try karrio(body)
            case .waybill: return try waybill(body)
            }
        } catch let error as Unreadable {
            throw error
        } catch let error as DecodingError {
            let issue = APIError.fromDecoding(error)
            throw Unreadable(reason: "unexpected payload at \(issue.fields.first?.field ?? "the top"): \(issue.message)")
        }
    }

    /// The carrier an aggregator names (`usps`, `FedEx`, `DHLExpress`, `cj-logistics`, …), for its time zone.
    static func carrier(named name: String?) -> CarrierCode? {
        guard let name else { return nil }
        let key = name.lowercased().filter { $0.isLetter || $0.isNumber }
        let aliases: [String: CarrierCode] = [
            "ups": .ups, "fedex": .fedex, "usps": .usps, "dhl": .dhlExpress, "dhlexpress": .dhlExpress,
            "cj": .cj, "cjlogistics": .cj, "cjkorea": .cj, "cjgls": .cj, "koreapost": .kpost, "kpost": .kpost, "epost": .kpost,
            "kpostems": .kpostEMS, "koreapostems": .kpostEMS, "hanjin": .hanjin, "lotte": .lotte, "lotteglobal": .lotte,
            "logen": .logen, "ilogen": .logen,
        ]
        return aliases[key] ?? CarrierRegistry.builtIn.carrier(CarrierCode(key)).map(\.code)
    }

    static func zone(_ carrier: CarrierCode?) -> TimeZone {
        carrier.flatMap { CarrierRegistry.builtIn.timeZone(for: $0) } ?? TimeZone(identifier: "UTC")!
    }

    static func time(_ text: String?, _ carrier: CarrierCode?, field: String) throws -> CarrierTimestamp {
        guard let text, let stamp = CarrierTimestamp.parse(text, carrierZone: zone(carrier)) else {
            throw Unreadable(reason: "\(field) '\((text ?? "").prefix(40))' is not a date and time")
        }
        return stamp
    }

    static func number(_ text: String?, field: String) throws -> String {
        guard let text, let number = TrackingNumberNormalizer.normalize(text), number.count <= 40 else {
            throw Unreadable(reason: "\(field) is missing or not a tracking number")
        }
        return number
    }

    // MARK: AfterShip

    private struct AfterShipBody: Decodable {
        struct Message: Decodable {
            var trackingNumber: String?
            var slug: String?
            var tag: String?
            var subtag: String?
            var subtagMessage: String?
            var updatedAt: String?
            var checkpoints: [Checkpoint]?
        }
        struct Checkpoint: Decodable {
            var checkpointTime: String?
            var tag: String?
            var subtag: String?
            var message: String?
            var location: String?
            var city: String?
        }
        var event: String?
        var msg: Message?
    }

    static func afterShip(_ body: Data) throws -> [TrackingUpdate] {
        let payload = try JSONCoding.decoder.decode(AfterShipBody.self, from: body)
        guard payload.event == nil || payload.event == "tracking_update" else { return [] }
        guard let msg = payload.msg else { throw Unreadable(reason: "msg is missing") }
        let carrier = carrier(named: msg.slug)
        var events = try (msg.checkpoints ?? []).enumerated().map { i, c in
            IncomingTrackingEvent(reading: StatusMapper.afterShip(tag: c.tag ?? "", subtag: c.subtag, message: c.message),
                                  timestamp: try time(c.checkpointTime, carrier, field: "msg.checkpoints[\(i)].checkpoint_time"),
                                  location: c.location ?? c.city)
        }
        // Some couriers report only a status, no checkpoints: it is still news, as of the tracking's update.
        if events.isEmpty, let tag = msg.tag, tag != "Pending" {
            events = [IncomingTrackingEvent(reading: StatusMapper.afterShip(tag: tag, subtag: msg.subtag, message: msg.subtagMessage),
                                            timestamp: try time(msg.updatedAt, carrier, field: "msg.updated_at"), location: nil)]
        }
        return [TrackingUpdate(carrier: nil, trackingNumber: try number(msg.trackingNumber, field: "msg.tracking_number"),
                               events: events, source: "aftership")]
    }

    // MARK: EasyPost

    private struct EasyPostBody: Decodable {
        struct Tracker: Decodable {
            var trackingCode: String?
            var carrier: String?
            var trackingDetails: [Detail]?
        }
        struct Detail: Decodable {
            struct Location: Decodable { var city: String?; var state: String?; var country: String? }
            var message: String?
            var status: String?
            var statusDetail: String?
            var datetime: String?
            var trackingLocation: Location?
        }
        var description: String?
        var result: Tracker?
    }

    static func easyPost(_ body: Data) throws -> [TrackingUpdate] {
        let payload = try JSONCoding.decoder.decode(EasyPostBody.self, from: body)
        guard payload.description == nil || payload.description!.hasPrefix("tracker.") else { return [] }
        guard let tracker = payload.result else { throw Unreadable(reason: "result is missing") }
        let carrier = carrier(named: tracker.carrier)
        let events = try (tracker.trackingDetails ?? []).enumerated().map { i, d in
            let place = [d.trackingLocation?.city, d.trackingLocation?.state, d.trackingLocation?.country].compactMap { $0 }.joined(separator: ", ")
            return IncomingTrackingEvent(reading: StatusMapper.easyPost(status: d.status ?? "unknown", detail: d.statusDetail, message: d.message),
                                         timestamp: try time(d.datetime, carrier, field: "result.tracking_details[\(i)].datetime"),
                                         location: place.isEmpty ? nil : place)
        }
        return [TrackingUpdate(carrier: nil, trackingNumber: try number(tracker.trackingCode, field: "result.tracking_code"),
                               events: events, source: "easypost")]
    }

    // MARK: Karrio

    private struct KarrioBody: Decodable {
        struct Tracker: Decodable {
            var trackingNumber: String?
            var carrierName: String?
            var status: String?
            var events: [Event]?
        }
        struct Event: Decodable {
            var code: String?
            var date: String?
            var time: String?
            var description: String?
            var location: String?
            var status: String?
        }
        var type: String?
        var data: Tracker?
    }

    static func karrio(_ body: Data) throws -> [TrackingUpdate] {
        let payload = try JSONCoding.decoder.decode(KarrioBody.self, from: body)
        guard payload.type == nil || payload.type!.hasPrefix("tracker") else { return [] }
        guard let tracker = payload.data else { throw Unreadable(reason: "data is missing") }
        let carrier = carrier(named: tracker.carrierName)
        // Karrio lists the newest event first. Older Karrio events carry no status of their own: the newest
        // takes the tracker's, the others count as in transit; the carrier's code and words are kept either way.
        let events = try (tracker.events ?? []).enumerated().map { i, e in
            guard let date = e.date, let stamp = CarrierTimestamp.parse(date: date, time: e.time, carrierZone: zone(carrier)) else {
                throw Unreadable(reason: "data.events[\(i)] has no valid date and time")
            }
            var reading: TrackingReading
            if let status = e.status ?? (i == 0 ? tracker.status : nil) {
                reading = StatusMapper.karrio(status: status, description: e.description)
            } else {
                reading = TrackingReading(.inTransit, nil, rawCode: nil, rawText: e.description)
            }
            reading.rawCode = e.code ?? reading.rawCode
            return IncomingTrackingEvent(reading: reading, timestamp: stamp, location: e.location)
        }
        return [TrackingUpdate(carrier: nil, trackingNumber: try number(tracker.trackingNumber, field: "data.tracking_number"),
                               events: events, source: "karrio")]
    }

    // MARK: Waybill's own format

    private struct WaybillBody: Decodable {
        struct Event: Decodable {
            var occurredAt: String?
            var status: String?
            var code: String?
            var text: String?
            var location: String?
        }
        var trackingNumber: String?
        var carrier: String?
        var events: [Event]?
    }

    /// `{"id", "tracking_number", "carrier"?, "events": [{"occurred_at", "status"? | "code"?/"text"?, "location"?}]}`:
    /// a normalised `status`, or a carrier's own code and text mapped like its webhooks (CJ codes, Korean texts).
    static func waybill(_ body: Data) throws -> [TrackingUpdate] {
        let payload = try JSONCoding.decoder.decode(WaybillBody.self, from: body)
        let carrier = carrier(named: payload.carrier)
        guard let list = payload.events, !list.isEmpty else { throw Unreadable(reason: "events is missing or empty") }
        let events = try list.enumerated().map { i, e in
            let reading: TrackingReading
            if let raw = e.status {
                guard let status = TrackingStatus(rawValue: raw) else { throw Unreadable(reason: "events[\(i)].status '\(raw.prefix(40))' is not a status") }
                reading = TrackingReading(status, nil, rawCode: e.code, rawText: e.text)
            } else if carrier == .cj {
                reading = StatusMapper.cj(code: e.code, text: e.text)
            } else if let text = e.text {
                reading = StatusMapper.koreanText(text, code: e.code)
            } else {
                throw Unreadable(reason: "events[\(i)] needs status, or code and text")
            }
            return IncomingTrackingEvent(reading: reading, timestamp: try time(e.occurredAt, carrier, field: "events[\(i)].occurred_at"),
                                         location: e.location)
        }
        return [TrackingUpdate(carrier: carrier, trackingNumber: try number(payload.trackingNumber, field: "tracking_number"),
                               events: events, source: "waybill")]
    }
}
