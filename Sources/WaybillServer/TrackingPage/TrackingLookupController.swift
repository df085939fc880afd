import Crypto
import Foundation
import SQLKit
import Vapor
import WaybillCore

/// `/track/{shop}`: the shop's lookup form (order number with the e-mail or postal code it was placed with)
/// and `/track/{shop}/parcel?number=…`, a parcel's progress from its tracking number alone, with nothing
/// personal on it. A wrong combination answers exactly like an unknown order — same page, same status, the
/// same queries — and lookups are limited per client and per order number, so the form cannot be used to
/// find orders.
struct TrackingLookupController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("track", ":shop", use: form)
        routes.on(.POST, "track", ":shop", body: .collect(maxSize: "4kb"), use: lookup)
        routes.get("track", ":shop", "parcel", use: parcel)
    }

    private func shop(_ req: Request) async throws -> (id: UUID, name: String, locale: String)? {
        guard let slug = req.parameters.get("shop"), slug.count <= 100 else { return nil }
        guard let row = try await (req.db as! any SQLDatabase).raw("SELECT id, name, locale FROM shops WHERE slug = \(bind: slug)").first() else { return nil }
        return (try row.decode(column: "id", as: UUID.self), try row.decode(column: "name", as: String.self), try row.decode(column: "locale", as: String.self))
    }

    /// The client's address for the limits: the connection's, or the trusted proxy's header (`WAYBILL_CLIENT_IP_HEADER`).
    static func client(_ req: Request) -> String {
        if let header = req.application.settings.clientIPHeader, let value = req.headers.first(name: header) {
            if let last = value.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty { return String(last.prefix(64)) }
        }
        return req.remoteAddress?.ipAddress ?? "unknown"
    }

    func form(req: Request) async throws -> Response {
        guard let shop = try await shop(req) else { throw Abort(.notFound) }
        let language = TrackingPageController.language(req, order: nil)
        return try await page(req, shop: shop, language: language, error: nil, status: .ok)
    }

    func lookup(req: Request) async throws -> Response {
        guard let shop = try await shop(req) else { throw Abort(.notFound) }
        let language = TrackingPageController.language(req, order: nil)
        let ko = language == "ko"
        let state = req.application.trackingPage
        let now = req.now
        let given = (try? req.content.get(String.self, at: "order_number")) ?? ""
        let contact = String(((try? req.content.get(String.self, at: "contact")) ?? "").prefix(320))
        let digits = given.filter { !"# \t".contains($0) }
        let number = digits.count <= 18 ? Int64(digits) ?? -1 : -1
        let numberKey = "\(shop.id.uuidString):\(number)"
        let limited = state.clients.withLockedValue { $0.attempt(Self.client(req), at: now) }
            ?? state.orderNumbers.withLockedValue { $0.wait(numberKey, at: now) }
        func record(_ result: String, order: UUID?) {
            _ = state.facts.add(ShopFacts.row(id: req.newID(), shopID: shop.id, .trackingLookup, subject: order.map { "order:\($0.uuidString.lowercased())" } ?? "lookup",
                                              payload: ["result": result, "by": contact.contains("@") ? "email" : "postal_code"],
                                              actor: TrackingPageController.customer, at: now))
        }
        if let wait = limited {
            record("limited", order: nil)
            let response = try await page(req, shop: shop, language: language,
                                          error: ko ? "조회를 너무 많이 하셨습니다. 잠시 뒤에 다시 시도해 주세요." : "Too many lookups. Please wait a moment and try again.",
                                          status: .tooManyRequests)
            response.headers.replaceOrAdd(name: .retryAfter, value: String(Int(wait.rounded(.up))))
            return response
        }
        // The same query and the same comparisons whether or not the order exists.
        let row = try await (req.db as! any SQLDatabase).raw("""
            SELECT id, customer_email, shipping_address FROM orders WHERE shop_id = \(bind: shop.id) AND number = \(bind: number)
            """).first()
        let email = try row?.decode(column: "customer_email", as: String.self) ?? "-"
        let address = (try? row.map { try JSONCoding.decoder.decode(Address.self, from: Data(try $0.decode(column: "shipping_address", as: String.self).utf8)) } ?? nil)
        let byEmail = Self.same(contact.lowercased().trimmingCharacters(in: .whitespaces), email.lowercased())
        let byPostal = Self.same(Self.postal(contact), Self.postal(address?.postalCode ?? "-")) && !Self.postal(contact).isEmpty
        if let row, byEmail || byPostal {
            let id = try row.decode(column: "id", as: UUID.self)
            record("found", order: id)
            let url = "/t/" + TrackingLink(orderID: id, issuedAt: now).signed(secret: try await req.application.linkSecret())
            return req.redirect(to: url + "?via=lookup&lang=\(language)", redirectType: .normal)
        }
        _ = state.orderNumbers.withLockedValue { $0.attempt(numberKey, at: now) }
        record("not_found", order: nil)
        return try await page(req, shop: shop, language: language,
                              error: ko ? "입력하신 정보와 맞는 주문을 찾지 못했습니다. 주문 번호와 주문할 때 쓰신 이메일 또는 우편번호를 확인해 주세요."
                                        : "We couldn't find an order with those details. Check the order number and the e-mail or postal code you ordered with.",
                              status: .notFound)
    }

    /// Compares digests, so the time taken says nothing about how much of the guess was right.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(SHA256.hash(data: Data(a.utf8))), y = Array(SHA256.hash(data: Data(b.utf8)))
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func postal(_ text: String) -> String { String(text.uppercased().filter { $0.isLetter || $0.isNumber }.prefix(16)) }

    private func page(_ req: Request, shop: (id: UUID, name: String, locale: String), language: String, error: String?, status: HTTPStatus) async throws -> Response {
        let ko = language == "ko"
        let settings = try await req.application.trackingPage.settings(shopID: shop.id, application: req.application, now: req.now)
        let slug = req.parameters.get("shop") ?? ""
        var body = "<section class=\"card\" aria-labelledby=\"lookup-h\"><h1 id=\"lookup-h\">\(ko ? "주문 배송 조회" : "Track your order")</h1>"
        if let error { body += "<p id=\"lookup-error\" class=\"notice alert\" role=\"alert\">\(esc(error))</p>" }
        body += """
            <form id="lookup-form" method="post" action="/track/\(esc(slug))"><input type="hidden" name="lang" value="\(language)">
            <label for="order_number">\(ko ? "주문 번호" : "Order number")</label><input id="order_number" name="order_number" inputmode="numeric" maxlength="30" required>
            <label for="contact">\(ko ? "주문할 때 쓰신 이메일 또는 우편번호" : "E-mail or postal code you ordered with")</label>
            <input id="contact" name="contact" autocomplete="email" maxlength="320" required>
            <button type="submit">\(ko ? "조회하기" : "Find my order")</button></form></section>
            <section class="card" aria-labelledby="parcel-h"><h2 id="parcel-h">\(ko ? "송장 번호로 조회" : "Track by tracking number")</h2>
            <form id="parcel-form" method="get" action="/track/\(esc(slug))/parcel"><input type="hidden" name="lang" value="\(language)">
            <label for="number">\(ko ? "송장 번호" : "Tracking number")</label><input id="number" name="number" maxlength="40" required>
            <button type="submit">\(ko ? "조회하기" : "Track")</button></form></section>
            """
        body += TrackingPageFrame.faq(settings.faq, language: language)
        let frame = TrackingPageFrame(shopName: shop.name, settings: settings, language: language, path: "/track/\(slug)")
        return TrackingPageController.html(frame.document(title: ko ? "배송 조회" : "Track your order", body: body), status: status)
    }

    func parcel(req: Request) async throws -> Response {
        guard let shop = try await shop(req) else { throw Abort(.notFound) }
        let language = TrackingPageController.language(req, order: nil)
        let ko = language == "ko"
        let state = req.application.trackingPage
        let slug = req.parameters.get("shop") ?? ""
        let settings = try await state.settings(shopID: shop.id, application: req.application, now: req.now)
        let raw = (try? req.query.get(String.self, at: "number")) ?? ""
        let query = raw.count <= 60 ? (raw.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") : ""
        let frame = TrackingPageFrame(shopName: shop.name, settings: settings, language: language, path: "/track/\(slug)/parcel?number=\(query)")
        func answer(_ body: String, _ status: HTTPStatus) -> Response {
            TrackingPageController.html(frame.document(title: ko ? "송장 조회" : "Parcel tracking", body: body), status: status)
        }
        func record(_ result: String) {
            _ = state.facts.add(ShopFacts.row(id: req.newID(), shopID: shop.id, .parcelLookup, subject: "parcel", payload: ["result": result],
                                              actor: TrackingPageController.customer, at: req.now))
        }
        if let wait = state.parcelClients.withLockedValue({ $0.attempt(Self.client(req), at: req.now) }) {
            record("limited")
            let response = answer("<section class=\"card\"><h1>\(ko ? "송장 조회" : "Parcel tracking")</h1><p id=\"parcel-error\" role=\"alert\">"
                                  + (ko ? "조회를 너무 많이 하셨습니다. 잠시 뒤에 다시 시도해 주세요." : "Too many lookups. Please wait a moment and try again.")
                                  + "</p></section>", .tooManyRequests)
            response.headers.replaceOrAdd(name: .retryAfter, value: String(Int(wait.rounded(.up))))
            return response
        }
        guard raw.count <= 60, let number = TrackingNumberNormalizer.normalize(raw),
              let (parcel, _) = try await TrackingPageData.parcel(shopID: shop.id, trackingNumber: number, sql: req.db as! any SQLDatabase) else {
            record("not_found")
            return answer("<section class=\"card\"><h1>\(ko ? "송장 조회" : "Parcel tracking")</h1><p id=\"parcel-error\" role=\"alert\">"
                          + (ko ? "이 송장 번호의 택배를 찾지 못했습니다. 번호를 확인해 주세요." : "We couldn't find a parcel with that tracking number. Please check it.")
                          + "</p><p><a href=\"/track/\(esc(slug))?lang=\(language)\">\(ko ? "다시 조회하기" : "Try again")</a></p></section>", .notFound)
        }
        record("found")
        let registry = try await state.carriers(shopID: shop.id, application: req.application, now: req.now)
        let carrier = registry.carrier(CarrierCode(parcel.carrier)).map { ko ? ($0.nameKo ?? $0.nameEn) : $0.nameEn } ?? parcel.carrier
        let zone = TimeZone(identifier: try await (req.db as! any SQLDatabase).raw("SELECT timezone FROM shops WHERE id = \(bind: shop.id)").first()?
            .decode(column: "timezone", as: String.self) ?? "UTC") ?? .gmt
        let step = TrackingProgress.step(state: parcel.state, status: parcel.status)
        let headline = TrackingHeadline.make(TrackingSituation(
            unshipped: false, parcels: [.init(step: step, problem: TrackingProgress.problem(status: parcel.status, substatus: parcel.substatus),
                                              deliveredOn: parcel.deliveredAt.map { LocalDay($0, in: zone) })],
            promised: nil, expected: nil, today: LocalDay(req.now, in: zone)), language: language)
        var body = "<section class=\"card \(headline.tone.rawValue)\"><p class=\"muted\">\(ko ? "송장" : "Tracking number") \(esc(number))</p>"
        body += "<h1 id=\"headline\">\(esc(headline.text))</h1>"
        body += "<p class=\"muted\">\(ko ? "주문 내용과 배송지는 주문 조회나 메시지의 링크에서 보실 수 있습니다." : "Order details and the address are on the page your order's messages link to.")</p></section>"
        var view = ParcelView(parcel: parcel, index: 1, count: 1, language: language, zone: zone, carrierName: carrier)
        view.showItems = false
        body += view.render()
        return answer(body, .ok)
    }
}
