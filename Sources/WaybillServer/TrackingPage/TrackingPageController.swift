import Foundation
import SQLKit
import Vapor
import WaybillCore

/// `/t/{token}`: the order's tracking page, and the customer's own changes to the order from it (cancel,
/// address, updates, a message to the shop). Every view and change is recorded as a fact.
struct TrackingPageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("t", ":token", use: show)
        for action in ["cancel", "address", "updates", "contact"] {
            routes.on(.POST, "t", ":token", .constant(action), body: .collect(maxSize: "16kb")) { req in try await act(req, action) }
        }
    }

    static let customer = Actor(name: "customer", source: "tracking_page")

    /// The page's language: the switch, else the order's, else the browser's.
    static func language(_ req: Request, order: String?) -> String {
        language(chosen: (try? req.query.get(String.self, at: "lang")) ?? (try? req.content.get(String.self, at: "lang")),
                 order: order, browser: req.headers.first(name: .acceptLanguage))
    }

    static func language(chosen: String?, order: String?, browser: String?) -> String {
        if let chosen = supported(chosen) { return chosen }
        if let order { return order.lowercased().hasPrefix("ko") ? "ko" : "en" }
        return (browser ?? "").lowercased().hasPrefix("ko") ? "ko" : "en"
    }

    /// `ko` or `en` as asked for, else nil (anything else is ignored, and never becomes a kept page's key).
    static func supported(_ language: String?) -> String? { language == "ko" || language == "en" ? language : nil }

    private func link(_ req: Request) async throws -> Result<TrackingLink, TrackingLink.Refusal> {
        TrackingLink.verify(req.parameters.get("token") ?? "", secret: try await req.application.linkSecret(), now: req.now)
    }

    /// The page. A page rendered for the same link and language switch in the last few seconds, from the
    /// order as currently kept, is sent again without checking the link's signature or rendering (the
    /// token was checked when it was kept; its expiry is checked on every view).
    func show(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let query = PageQuery(req.url.query)
        let state = req.application.trackingPage
        let chosen = Self.supported(query.lang)
        let key = TrackingPageState.pageKey(token: token, language: chosen)
        if query.done == nil, let kept = state.page(key, now: req.now) {
            recordView(req, orderID: kept.orderID, shopID: kept.shopID, language: kept.language, via: query.via)
            return Self.html(kept.body)
        }
        let link: TrackingLink
        switch try await self.link(req) {
        case .success(let l): link = l
        case .failure(let refusal): return Self.linkError(req, refusal)
        }
        guard let (data, serial) = try await state.read(link.orderID, application: req.application, now: req.now) else {
            return Self.linkError(req, .tampered)
        }
        let language = Self.language(chosen: chosen, order: data.locale, browser: req.headers.first(name: .acceptLanguage))
        let notice = query.done.flatMap { Self.doneText($0, ko: language == "ko") }.map { TrackingPageView.Notice(text: $0, alert: false) }
        recordView(req, orderID: data.orderID, shopID: data.shopID, language: language, via: query.via)
        let body = try await render(req, data: data, language: language, notice: notice)
        if notice == nil { state.keep(body, key: key, data: data, serial: serial, language: language, linkExpires: link.expires) }
        return Self.html(body)
    }

    private func recordView(_ req: Request, orderID: UUID, shopID: UUID, language: String, via: String?) {
        _ = req.application.trackingPage.facts.add(ShopFacts.row(
            id: req.newID(), shopID: shopID, .trackingPageViewed, subject: "order:\(orderID.uuidString.lowercased())",
            json: Self.viewPayload(language: language, lookup: via == "lookup"), actor: Self.customer, at: req.now))
    }

    /// A view's payload, written directly (both values come from fixed sets, nothing to escape): encoding a
    /// dictionary per view showed in the profile.
    static func viewPayload(language: String, lookup: Bool) -> String {
        #"{"language":"\#(language == "ko" ? "ko" : "en")","via":"\#(lookup ? "lookup" : "link")"}"#
    }

    private func render(_ req: Request, data: TrackingPageData, language: String, notice: TrackingPageView.Notice?) async throws -> ByteBuffer {
        let settings = try await req.application.trackingPage.settings(shopID: data.shopID, application: req.application, now: req.now)
        let registry = try await req.application.trackingPage.carriers(shopID: data.shopID, application: req.application, now: req.now)
        let view = TrackingPageView(data: data, settings: settings, language: language, now: req.now, path: "/t/" + (req.parameters.get("token") ?? ""),
                                    notice: notice, carrierName: { code in
                                        registry.carrier(CarrierCode(code)).map { language == "ko" ? ($0.nameKo ?? $0.nameEn) : $0.nameEn } ?? code })
        return ByteBuffer(string: view.render())
    }

    private func page(_ req: Request, data: TrackingPageData, language: String, notice: TrackingPageView.Notice?, status: HTTPStatus) async throws -> Response {
        Self.html(try await render(req, data: data, language: language, notice: notice), status: status)
    }

    static func html(_ text: String, status: HTTPStatus = .ok) -> Response { html(ByteBuffer(string: text), status: status) }

    static func html(_ body: ByteBuffer, status: HTTPStatus = .ok) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        headers.add(name: .cacheControl, value: "no-store")
        headers.add(name: "Referrer-Policy", value: "no-referrer")
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        // Nothing runs on the page and nothing loads from elsewhere but the shop's own images.
        headers.add(name: "Content-Security-Policy", value: "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
        return Response(status: status, headers: headers, body: .init(buffer: body))
    }
    static func linkError(_ req: Request, _ refusal: TrackingLink.Refusal) -> Response {
        let ko = language(req, order: nil) == "ko"
        let expired = refusal == .expired
        let text = expired
            ? (ko ? "이 링크는 기간이 지났습니다. 주문 번호와 이메일로 다시 조회해 주세요." : "This link has expired. Look the order up again with its number and your e-mail.")
            : (ko ? "링크가 올바르지 않습니다. 메시지에 있는 링크를 그대로 열어 주세요." : "This link is not valid. Please open the link from your message exactly as it is.")
        let body = "<section class=\"card\"><h1>\(ko ? "배송 조회" : "Order tracking")</h1><p id=\"link-error\" role=\"alert\">\(text)</p></section>"
        let frame = TrackingPageFrame(shopName: "Waybill", settings: TrackingPageSettings(), language: ko ? "ko" : "en", path: req.url.path)
        return html(frame.document(title: ko ? "배송 조회" : "Order tracking", body: body), status: expired ? .gone : .notFound)
    }

    static func doneText(_ done: String, ko: Bool) -> String? {
        switch done {
        case "cancelled": return ko ? "주문이 취소되었습니다. 확인 메일을 보내 드립니다." : "Your order is cancelled. We'll send you a confirmation."
        case "address": return ko ? "배송지를 바꿨습니다." : "The delivery address is changed."
        case "updates": return ko ? "알림 설정을 저장했습니다." : "Your update choices are saved."
        case "contact": return ko ? "문의를 보냈습니다. 곧 답해 드리겠습니다." : "Your message is sent. We'll get back to you soon."
        default: return nil
        }
    }

    // MARK: Self-service

    func act(_ req: Request, _ action: String) async throws -> Response {
        let link: TrackingLink
        switch try await self.link(req) {
        case .success(let l): link = l
        case .failure(let refusal): return Self.linkError(req, refusal)
        }
        let state = req.application.trackingPage
        guard let data = try await TrackingPageData.load(orderID: link.orderID, application: req.application, sql: req.db as! any SQLDatabase) else {
            return Self.linkError(req, .tampered)
        }
        let language = Self.language(req, order: data.locale)
        let ko = language == "ko"
        do {
            try await SelfService(req: req, data: data, language: language).perform(action)
        } catch let refusal as SelfService.Refusal {
            return try await page(req, data: data, language: language, notice: .init(text: refusal.text, alert: true), status: refusal.status)
        } catch let failure as ValidationFailure {
            let text = (ko ? "입력을 확인해 주세요: " : "Please check: ") + failure.issues.map { "\($0.field) — \($0.message)" }.joined(separator: "; ")
            return try await page(req, data: data, language: language, notice: .init(text: text, alert: true), status: .unprocessableEntity)
        }
        state.forget(order: link.orderID)
        let token = req.parameters.get("token") ?? ""
        return req.redirect(to: "/t/\(token)?done=\(action == "cancel" ? "cancelled" : action)&lang=\(language)", redirectType: .normal)
    }
}

/// The page's query (`lang`, `done`, `via`), read from the raw query string: Vapor's decoder cost as much per
/// view as checking the link's signature.
struct PageQuery: Equatable {
    var lang: String?
    var done: String?
    var via: String?

    init(lang: String? = nil, done: String? = nil, via: String? = nil) {
        self.lang = lang
        self.done = done
        self.via = via
    }

    init(_ query: String?) {
        guard let query, !query.isEmpty else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count == 2
                ? String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding : ""
            // The first of a repeated name wins.
            switch parts[0] {
            case "lang" where lang == nil: lang = value
            case "done" where done == nil: done = value
            case "via" where via == nil: via = value
            default: continue
            }
        }
    }
}
