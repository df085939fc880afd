import Foundation
import WaybillCore

/// The order's tracking page: headline, promise and freshness, problems and what to do, each parcel's
/// progress and scans, items, address, promotions (good news only), self-service, FAQ and contact.
struct TrackingPageView {
    var data: TrackingPageData
    var settings: TrackingPageSettings
    var language: String
    var now: Date
    var path: String
    var notice: Notice?
    var carrierName: (String) -> String

    struct Notice {
        var text: String
        var alert: Bool
    }

    var ko: Bool { language == "ko" }
    var days: DayFormat { DayFormat(language: language) }
    var today: LocalDay { LocalDay(now, in: data.zone) }
    var live: [TrackingPageData.Parcel] { data.parcels.filter { $0.state != "voided" } }

    var headline: TrackingHeadline {
        let promise = data.promise
        let promised = promise.flatMap { p in LocalDay(iso: p.earliest).flatMap { e in LocalDay(iso: p.latest).map { (e, $0) } } }
        let expected = promise?.prediction?.expected.flatMap(LocalDay.init(iso:)) ?? promise.flatMap { LocalDay(iso: $0.mostLikely) }
        return TrackingHeadline.make(TrackingSituation(
            cancelled: data.status == .cancelled, onHold: data.status == .onHold, unshipped: !data.unshipped.isEmpty,
            parcels: live.map { .init(step: TrackingProgress.step(state: $0.state, status: $0.status),
                                      problem: TrackingProgress.problem(status: $0.status, substatus: $0.substatus),
                                      deliveredOn: $0.deliveredAt.map { LocalDay($0, in: data.zone) }) },
            promised: promised, expected: expected, atRisk: promise?.prediction?.atRisk ?? false, today: today), language: language)
    }

    func render() -> String {
        let top = headline
        var body = ""
        if let notice {
            body += "<div id=\"notice\" class=\"notice\(notice.alert ? " alert" : "")\" role=\"\(notice.alert ? "alert" : "status")\">\(esc(notice.text))</div>\n"
        }
        body += "<section class=\"card \(top.tone.rawValue)\" aria-labelledby=\"headline\">"
        body += "<p class=\"muted\">\(ko ? "주문" : "Order") #\(data.number) · \(ko ? "주문일" : "placed") \(esc(days.date(data.placedAt, zone: data.zone)))</p>"
        body += "<h1 id=\"headline\">\(esc(top.text))</h1>"
        body += promiseBlock()
        body += freshness()
        body += "</section>\n"
        body += problems()
        if let code = data.compensation {
            body += "<section class=\"card\" id=\"compensation\"><h2>\(ko ? "늦어져서 죄송합니다" : "Sorry for the delay")</h2><p>"
            body += ko ? "사과의 뜻으로 쿠폰을 드립니다: " : "As an apology, here is a code for your next order: "
            body += "<strong>\(esc(code))</strong></p></section>\n"
        }
        for (i, parcel) in live.enumerated() { body += ParcelView(parcel: parcel, index: i + 1, count: live.count, language: language,
                                                                 zone: data.zone, carrierName: carrierName(parcel.carrier)).render() }
        body += itemsBlock()
        if top.tone == .good && !settings.promotions.isEmpty { body += promotions() }
        body += SelfServiceView(page: self).render()
        body += faq()
        body += contact()
        let frame = TrackingPageFrame(shopName: data.shopName, settings: settings, language: language, path: path)
        return frame.document(title: (ko ? "주문 #\(data.number) 배송 조회" : "Order #\(data.number) tracking"), body: body)
    }

    private func promiseBlock() -> String {
        guard let p = data.promise, let earliest = LocalDay(iso: p.earliest), let latest = LocalDay(iso: p.latest) else { return "" }
        var s = "<dl id=\"promise\"><dt>\(ko ? "주문할 때 약속한 도착일" : "Promised when you ordered")</dt><dd>\(esc(days.range(earliest, latest)))</dd>"
        if let delivered = p.deliveredOn.flatMap(LocalDay.init(iso:)) {
            let late = delivered.ordinal - latest.ordinal
            let verdict = late > 0 ? (ko ? "약속보다 \(late)일 늦게" : "\(late) day\(late == 1 ? "" : "s") late") : (ko ? "약속대로" : "on time")
            s += "<dt>\(ko ? "도착" : "Delivered")</dt><dd>\(esc(days.day(delivered))) (\(verdict))</dd>"
        } else if data.status != .cancelled {
            let expected = p.prediction?.expected.flatMap(LocalDay.init(iso:)) ?? LocalDay(iso: p.mostLikely)
            let chance = Int(((p.prediction?.probabilityOnTime ?? p.confidence) * 100).rounded())
            if let expected {
                s += "<dt>\(ko ? "지금 예상 도착일" : "Now expected")</dt><dd>\(esc(days.day(expected))) · "
                s += ko ? "\(esc(days.day(latest)))까지 도착할 확률 \(chance)%" : "\(chance)% likely by \(esc(days.day(latest)))"
                s += "</dd>"
            }
        }
        return s + "</dl>"
    }

    /// "Last scan 2 h ago in Icheon hub; we check again within 1 h".
    private func freshness() -> String {
        let open = live.filter { $0.status != .delivered && $0.state == "handed_over" }
        guard let parcel = open.max(by: { ($0.lastScanAt ?? .distantPast) < ($1.lastScanAt ?? .distantPast) }) else { return "" }
        var parts: [String] = []
        if let scan = parcel.lastScanAt {
            let place = parcel.scans.first?.location.flatMap { $0.isEmpty ? nil : $0 }
            parts.append(ko ? "마지막 스캔 \(RelativeTime.ago(now.timeIntervalSince(scan), language: language))\(place.map { " (\(esc($0)))" } ?? "")"
                            : "Last scan \(RelativeTime.ago(now.timeIntervalSince(scan), language: language))\(place.map { " in \(esc($0))" } ?? "")")
        } else {
            parts.append(ko ? "아직 택배사 스캔이 없습니다" : "No carrier scan yet")
        }
        if let next = parcel.nextCheckAt {
            parts.append(next <= now ? (ko ? "지금 택배사에 확인하는 중" : "checking with the carrier now")
                                     : (ko ? "\(RelativeTime.within(next.timeIntervalSince(now), language: language)) 다시 확인합니다"
                                           : "we check again \(RelativeTime.within(next.timeIntervalSince(now), language: language))"))
        } else if let checked = parcel.lastCheckedAt {
            parts.append(ko ? "\(RelativeTime.ago(now.timeIntervalSince(checked), language: language)) 확인" : "checked \(RelativeTime.ago(now.timeIntervalSince(checked), language: language))")
        }
        return "<p id=\"freshness\" class=\"muted\">\(parts.joined(separator: ko ? " · " : "; "))</p>"
    }

    private func problems() -> String {
        var s = ""
        for parcel in live {
            guard let problem = TrackingProgress.problem(status: parcel.status, substatus: parcel.substatus) else { continue }
            let advice = ProblemAdvice.make(problem, carrierName: carrierName(parcel.carrier), language: language)
            s += "<section class=\"card problem\" aria-labelledby=\"problem-\(esc(parcel.number))\"><h2 id=\"problem-\(esc(parcel.number))\">"
            s += (ko ? "무슨 일이 있었나요" : "What happened") + (live.count > 1 ? " · \(esc(parcel.number))" : "") + "</h2>"
            s += "<p>\(esc(advice.happened))</p><h3>\(ko ? "저희가 하고 있는 일" : "What we are doing")</h3><p>\(esc(advice.shopDoing))</p>"
            s += "<h3>\(ko ? "고객님이 하실 수 있는 일" : "What you can do")</h3><p>\(esc(advice.youCanDo))</p>"
            if problem == .exception || problem == .stalled || problem == .returning {
                s += "<p><a href=\"#contact\">\(ko ? "문의하기" : "Contact us")</a></p>"
            }
            s += "</section>\n"
        }
        return s
    }

    private func itemsBlock() -> String {
        var s = "<section class=\"card\" id=\"items\" aria-labelledby=\"items-h\"><h2 id=\"items-h\">\(ko ? "주문 상품" : "Your items")</h2><ul class=\"items\">"
        for item in data.items { s += "<li>\(esc(item.name)) × \(item.quantity)</li>" }
        s += "</ul>"
        let left = data.unshipped
        if !left.isEmpty && !live.isEmpty && data.status != .cancelled {
            s += "<p class=\"muted\">\(ko ? "아직 발송 전: " : "Not shipped yet: ")"
            s += data.items.filter { left[$0.sku] != nil }.map { "\(esc($0.name)) × \(left[$0.sku]!)" }.joined(separator: ", ") + "</p>"
        }
        s += "<h3>\(ko ? "배송지" : "Delivery address")</h3><address id=\"address\">"
        let a = data.address
        s += [a.name, a.line1, a.line2, [a.postalCode, a.city, a.region].compactMap { $0 }.joined(separator: " "), a.country]
            .compactMap { $0 }.filter { !$0.isEmpty }.map(esc).joined(separator: "<br>")
        return s + "</address></section>\n"
    }

    private func promotions() -> String {
        var s = "<section class=\"card\" id=\"promotions\" aria-labelledby=\"promo-h\"><h2 id=\"promo-h\">\(ko ? "이런 상품은 어떠세요?" : "You might also like")</h2><div class=\"promos\">"
        for p in settings.promotions {
            s += "<a href=\"\(esc(p.linkUrl))\">"
            if let image = p.imageUrl { s += "<img src=\"\(esc(image))\" alt=\"\" loading=\"lazy\">" }
            s += "<strong>\(esc(p.title.text(language)))</strong></a>"
            if let text = p.text?.text(language), !text.isEmpty { s += "<p class=\"muted\">\(esc(text))</p>" }
        }
        return s + "</div></section>\n"
    }

    private func faq() -> String { TrackingPageFrame.faq(settings.faq, language: language) }

    private func contact() -> String {
        """
        <section class="card" id="contact" aria-labelledby="contact-h"><h2 id="contact-h">\(ko ? "문의하기" : "Contact us")</h2>
        <form id="contact-form" method="post" action="\(esc(path))/contact"><input type="hidden" name="lang" value="\(language)">
        <label for="message">\(ko ? "문의 내용" : "Your message")</label><textarea id="message" name="message" rows="4" maxlength="2000" required></textarea>
        <button type="submit">\(ko ? "보내기" : "Send")</button></form></section>

        """
    }
}
