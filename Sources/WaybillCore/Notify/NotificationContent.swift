import Foundation

/// What a notification's template can show, per trigger, and a full sample of it for previews.
///
/// Every value is a ready-to-show string (dates, money and counts are formatted by the sender
/// for the customer's language); `order.items` and `shipment.items` are lists of
/// `name`, `quantity`, `sku`. Optional groups (`promise`, `compensation`, `revised`, …) are left out
/// of the context when there is nothing to say, so a template can test them with `{{#if}}`.
public enum NotificationContent {
    public static func schema(for trigger: NotificationTrigger) -> TemplateSchema {
        schemas[trigger] ?? common
    }

    /// "ko", "ko-KR", "ko_KR" → "ko"; anything else → "en": the languages the defaults are written in.
    public static func language(_ locale: String) -> String {
        let lower = locale.lowercased()
        return lower == "ko" || lower.hasPrefix("ko-") || lower.hasPrefix("ko_") ? "ko" : "en"
    }

    /// A day as customers read it: "3월 14일(금)", "Fri, Mar 14".
    public static func dayText(_ day: LocalDay, locale: String) -> String {
        if language(locale) == "ko" { return "\(day.month)월 \(day.day)일(\(koreanWeekdays[day.weekday]))" }
        return "\(englishWeekdays[day.weekday]), \(englishMonths[day.month - 1]) \(day.day)"
    }

    /// "3월 14일(금)~17일(월)", "Fri, Mar 14 – Mon, Mar 17"; a single day when both ends are the same.
    public static func rangeText(_ first: LocalDay, _ last: LocalDay, locale: String) -> String {
        guard first != last else { return dayText(first, locale: locale) }
        guard language(locale) == "ko" else { return "\(dayText(first, locale: locale)) – \(dayText(last, locale: locale))" }
        let end = first.month == last.month && first.year == last.year
            ? "\(last.day)일(\(koreanWeekdays[last.weekday]))" : dayText(last, locale: locale)
        return "\(dayText(first, locale: locale))~\(end)"
    }

    /// A complete context for `trigger`: every value its schema offers, optional groups included, in
    /// the customer's language. The console previews templates with it and tests render every default.
    public static func sample(for trigger: NotificationTrigger, locale: String) -> TemplateValue {
        let ko = language(locale) == "ko"
        func march(_ day: Int) -> LocalDay { LocalDay(year: 2025, month: 3, day: day) ?? LocalDay(ordinal: 0) }
        func day(_ n: Int) -> TemplateValue { .string(dayText(march(n), locale: locale)) }
        let items: TemplateValue = ko
            ? [["name": "유기농 현미 2kg", "quantity": "2", "sku": "RICE-2KG"], ["name": "국산 들기름 350ml", "quantity": "1", "sku": "OIL-350"]]
            : [["name": "Organic brown rice, 2 kg", "quantity": "2", "sku": "RICE-2KG"],
               ["name": "Cold-pressed perilla oil, 350 ml", "quantity": "1", "sku": "OIL-350"]]
        var context = TemplateValue(paths: [
            "shop.name": ko ? "소담상회" : "Sodam Pantry", "shop.support_email": "help@sodam.example",
            "shop.brand_color": "#2F6F4E", "shop.logo_url": "https://sodam.example/logo.png",
            "customer.name": ko ? "김지은" : "Jamie Lee",
            "order.number": "#1042", "order.placed_on": day(12), "order.total": ko ? "38,500원" : "$42.00", "order.items": items,
            "links.order_status": "https://sodam.example/t/8HK2QX", "links.unsubscribe": "https://sodam.example/t/8HK2QX/mute",
            "promise.earliest": day(14), "promise.most_likely": day(14), "promise.latest": day(17),
            "promise.range": .string(rangeText(march(14), march(17), locale: locale)),
        ])
        if trigger.concernsShipment {
            let event = sampleEvent(trigger, ko: ko)
            context.set("shipment", TemplateValue(paths: [
                "number": "1042-1", "carrier": ko ? "CJ대한통운" : "CJ Logistics", "tracking_number": "689123450012",
                "tracking_url": "https://trace.cjlogistics.com/next/tracking.html?wblNo=689123450012", "items": items,
            ]))
            context.set("event", ["text": .string(event.text), "location": .string(event.location), "time": .string(event.time)])
        }
        if trigger.carriesRevisedDate {
            context.set("revised", ["expected": day(18), "latest": day(19)])
            context.set("delay.days", "2")
        }
        if trigger.offersCompensation {
            context.set("compensation", [
                "code": "SORRY3000", "description": ko ? "다음 주문에 쓸 수 있는 3,000원 할인 쿠폰" : "$3 off your next order",
            ])
        }
        if trigger == .cancelled {
            context.set("cancellation.reason", ko ? "고객님 요청" : "Requested by you")
        }
        return context
    }

    private static func sampleEvent(_ trigger: NotificationTrigger, ko: Bool) -> (text: String, location: String, time: String) {
        switch trigger {
        case .outForDelivery:
            ko ? ("배송 출발", "서울송파B 대리점", "3월 14일(금) 오전 8:12") : ("Out for delivery", "Songpa B depot, Seoul", "Fri, Mar 14, 8:12 AM")
        case .delivered:
            ko ? ("배송 완료", "문 앞", "3월 14일(금) 오후 2:05") : ("Delivered", "Front door", "Fri, Mar 14, 2:05 PM")
        case .failedAttempt:
            ko ? ("수취인 부재", "서울송파B 대리점", "3월 14일(금) 오후 4:30") : ("Nobody home", "Songpa B depot, Seoul", "Fri, Mar 14, 4:30 PM")
        case .exception:
            ko ? ("주소 확인 필요", "서울송파B 대리점", "3월 14일(금) 오전 9:40") : ("Address needs checking", "Songpa B depot, Seoul", "Fri, Mar 14, 9:40 AM")
        case .stalled, .atRisk:
            ko ? ("간선 하차", "대전 허브", "3월 13일(목) 오후 11:20") : ("Arrived at hub", "Daejeon hub", "Thu, Mar 13, 11:20 PM")
        default:
            ko ? ("집화 처리", "이천 물류센터", "3월 13일(목) 오후 6:40") : ("Picked up", "Icheon fulfilment centre", "Thu, Mar 13, 6:40 PM")
        }
    }

    static let item = TemplateSchema(values: ["name", "quantity", "sku"])

    static let common = TemplateSchema(
        values: [
            "shop.name", "shop.support_email", "shop.brand_color", "shop.logo_url", "customer.name",
            "order.number", "order.placed_on", "order.total", "links.order_status", "links.unsubscribe",
            "promise.earliest", "promise.latest", "promise.most_likely", "promise.range",
        ],
        lists: ["order.items": item])

    static let shipment = TemplateSchema(
        values: [
            "shipment.number", "shipment.carrier", "shipment.tracking_number", "shipment.tracking_url",
            "event.text", "event.location", "event.time",
        ],
        lists: ["shipment.items": item])

    static let revised = TemplateSchema(values: ["revised.expected", "revised.latest", "delay.days"])
    static let compensation = TemplateSchema(values: ["compensation.code", "compensation.description"])
    static let cancellation = TemplateSchema(values: ["cancellation.reason"])

    private static let schemas: [NotificationTrigger: TemplateSchema] = Dictionary(
        uniqueKeysWithValues: NotificationTrigger.allCases.map { trigger in
            var schema = common
            if trigger.concernsShipment { schema = schema.merging(shipment) }
            if trigger.carriesRevisedDate { schema = schema.merging(revised) }
            if trigger.offersCompensation { schema = schema.merging(compensation) }
            if trigger == .cancelled { schema = schema.merging(cancellation) }
            return (trigger, schema)
        })

    private static let koreanWeekdays = ["일", "월", "화", "수", "목", "금", "토"]
    private static let englishWeekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let englishMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
