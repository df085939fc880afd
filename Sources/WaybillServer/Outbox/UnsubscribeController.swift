import Foundation
import SQLKit
import Vapor
import WaybillCore

/// `/u/{token}`: the link at the foot of every e-mail. GET shows what it will do with one button (mail
/// scanners follow links, so a GET never unsubscribes); POST — the button, or a mail client's RFC 8058
/// one-click request — turns that channel off for the customer at that shop. Korean or English from the
/// browser's `Accept-Language`.
struct UnsubscribeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("u", ":token", use: show)
        routes.on(.POST, "u", ":token", body: .collect(maxSize: "4kb"), use: unsubscribe)
    }

    private func token(_ req: Request) async throws -> UnsubscribeToken? {
        guard let text = req.parameters.get("token") else { return nil }
        return UnsubscribeToken.verify(text, secret: try await req.application.linkSecret())
    }

    private func language(_ req: Request) -> String {
        let header = req.headers.first(name: .acceptLanguage) ?? ""
        return header.lowercased().hasPrefix("ko") ? "ko" : "en"
    }

    func show(req: Request) async throws -> Response {
        let ko = language(req) == "ko"
        guard let token = try await token(req) else { return page(invalid: true, ko: ko, body: "") }
        let channel = token.channel == .email ? (ko ? "이메일" : "e-mail") : "SMS"
        let body = ko
            ? "<p>\(MessageTemplate.escapeHTML(token.email)) 주소로 보내는 배송 안내 \(channel)을 더 이상 받지 않으시겠어요?</p>"
            : "<p>Stop delivery updates by \(channel) to \(MessageTemplate.escapeHTML(token.email))?</p>"
        let button = ko ? "수신 거부" : "Unsubscribe"
        return page(invalid: false, ko: ko, body: body + """
            <form method="post"><button type="submit">\(button)</button></form>
            """)
    }

    func unsubscribe(req: Request) async throws -> Response {
        let ko = language(req) == "ko"
        guard let token = try await token(req) else { return page(invalid: true, ko: ko, body: "") }
        let now = req.now
        var change = NotificationPreferences()
        if token.channel == .email { change.email = false } else { change.sms = false }
        let off = change
        try await req.application.writeGate.singleStatement(on: req.db) { db in
            try await NotificationPreferences.update(shopID: token.shopID, subject: NotificationPreferences.subject(email: token.email), off,
                                                     at: now, on: db as! any SQLDatabase)
        }
        let body = ko ? "<p>수신 거부가 완료되었습니다. 주문과 배송에는 영향이 없습니다.</p>"
            : "<p>You are unsubscribed. Your orders and deliveries are not affected.</p>"
        return page(invalid: false, ko: ko, body: body)
    }

    private func page(invalid: Bool, ko: Bool, body: String) -> Response {
        let title = ko ? "배송 안내 수신 설정" : "Delivery updates"
        let content = invalid
            ? (ko ? "<p>링크가 올바르지 않습니다. 메일에 있는 링크를 그대로 열어 주세요.</p>" : "<p>This link is not valid. Please open the link from the e-mail as it is.</p>")
            : body
        let html = """
            <!doctype html><html lang="\(ko ? "ko" : "en")"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>\(title)</title><style>body{font-family:system-ui,'Apple SD Gothic Neo','Malgun Gothic',sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.6}
            button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#1f4b99;color:#fff;cursor:pointer}button:focus{outline:3px solid #f59e0b}</style></head>
            <body><main><h1>\(title)</h1>\(content)</main></body></html>
            """
        var headers = HTTPHeaders()
        headers.contentType = .html
        headers.add(name: .cacheControl, value: "no-store")
        return Response(status: invalid ? .notFound : .ok, headers: headers, body: .init(string: html))
    }
}
