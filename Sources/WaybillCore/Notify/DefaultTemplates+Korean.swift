import Foundation

/// The Korean defaults. Values are never followed by a particle whose form depends on the last
/// syllable (은/는, 이/가, 을/를, 으로/로): shop names, carriers and dates end in anything.
enum KoreanCopy {
    static func email(_ trigger: NotificationTrigger) -> EmailCopy {
        switch trigger {
        case .orderConfirmed:
            return EmailCopy(
                subject: "[{{shop.name}}] 주문이 접수되었어요 (주문번호 {{order.number}})",
                heading: "주문이 접수되었어요",
                blocks: [greeting, .paragraph("{{shop.name}}에서 주문해 주셔서 감사합니다. 주문 내용을 확인해 주세요."),
                         .facts([orderNumber, ("주문일", "{{order.placed_on}}", nil), ("결제 금액", "{{order.total}}", nil), arrival]),
                         orderItems("주문 상품"),
                         .paragraph("상품을 꼼꼼히 준비해 보내 드리고, 출발하면 운송장 번호와 함께 다시 알려 드릴게요."),
                         statusLink] + closing())
        case .shipped:
            return EmailCopy(
                subject: "[{{shop.name}}] 주문하신 상품의 배송이 시작되었습니다",
                heading: "배송이 시작되었습니다",
                blocks: [greeting, .paragraph("주문하신 상품이 출발했어요. 택배사와 운송장 번호를 알려 드려요."),
                         .facts([orderNumber, carrier, trackingNumber, arrival]),
                         shipmentItems("이번에 보내 드린 상품"), trackLink] + closing())
        case .outForDelivery:
            return EmailCopy(
                subject: "[{{shop.name}}] 오늘 상품이 도착할 예정이에요",
                heading: "오늘 도착할 예정이에요",
                blocks: [greeting, .paragraph("택배 기사님이 주문하신 상품을 싣고 배송을 시작했어요. 오늘 안에 받아 보실 수 있을 거예요."),
                         .facts([orderNumber, carrier, trackingNumber]), trackLink] + closing())
        case .delivered:
            return EmailCopy(
                subject: "[{{shop.name}}] 상품이 배송 완료되었어요",
                heading: "배송이 완료되었어요",
                blocks: [greeting, .paragraph("주문하신 상품의 배송이 완료되었어요. {{shop.name}}에서 주문해 주셔서 감사합니다."),
                         .facts([orderNumber, ("배송 위치", "{{event.location}}", "event.location"), ("완료 시각", "{{event.time}}", "event.time")]),
                         .paragraph("상품을 받지 못하셨거나 상품에 문제가 있다면 {{#if shop.support_email}}{{shop.support_email}} 주소로 {{/if}}알려 주세요. 바로 확인해 드릴게요."),
                         statusLink] + closing(askForHelp: false))
        case .failedAttempt:
            return EmailCopy(
                subject: "[{{shop.name}}] 상품을 전해 드리지 못했어요",
                heading: "상품을 전해 드리지 못했어요",
                blocks: [greeting, .paragraph("택배 기사님이 방문했지만 상품을 전해 드리지 못했어요."),
                         .facts([orderNumber, ("사유", "{{event.text}}", "event.text"), ("시각", "{{event.time}}", "event.time"), carrier, trackingNumber]),
                         .paragraph("보통은 택배사에서 다음 영업일에 다시 배송해요. 받으실 날짜나 장소(경비실, 무인 택배함 등)를 바꾸시려면 운송장 번호로 택배사에 요청해 주세요. 가까운 대리점에서 직접 찾아가실 수도 있어요."),
                         .link("택배사에서 배송 조회하기", url: "shipment.tracking_url"), compensation] + closing())
        case .exception:
            return EmailCopy(
                subject: "[{{shop.name}}] 배송 중 문제가 생겨 확인하고 있어요",
                heading: "배송 중 문제가 생겨 확인하고 있어요",
                blocks: [greeting, .paragraph("택배사에서 주문하신 상품의 배송에 문제가 생겼다고 알려 왔어요. 저희가 바로 택배사와 함께 확인하고 있으니 따로 하실 일은 없어요. 주소 확인처럼 도움이 필요하면 저희가 먼저 연락드릴게요."),
                         .facts([orderNumber, ("택배사 안내", "{{event.text}}", "event.text"), carrier, trackingNumber]),
                         .paragraph("해결되는 대로 다시 알려 드릴게요.{{#if shop.support_email}} 그사이 궁금한 점이 있으시면 주문번호와 함께 {{shop.support_email}} 주소로 문의해 주세요.{{/if}}"),
                         compensation, trackLink] + closing(askForHelp: false))
        case .atRisk:
            return EmailCopy(
                subject: "[{{shop.name}}] 죄송합니다, 배송이 늦어질 것 같아요",
                heading: "배송이 늦어질 것 같아 죄송합니다",
                blocks: [greeting, .paragraph("먼저 죄송하다는 말씀을 드려요. 주문하신 상품이 처음 안내해 드린 날짜보다 늦게 도착할 것 같아요."),
                         .facts([orderNumber, ("처음 안내한 도착일", "{{promise.latest}}", "promise.latest"), revisedDate, carrier, trackingNumber]),
                         .paragraph("택배사와 함께 배송 상황을 계속 살피고, 달라지는 점이 있으면 바로 알려 드릴게요. 기다리게 해 드려 정말 죄송합니다."),
                         compensation, trackLink] + closing())
        case .stalled:
            return EmailCopy(
                subject: "[{{shop.name}}] 배송 상황을 확인하고 있어요",
                heading: "배송 상황을 확인하고 있어요",
                blocks: [greeting, .paragraph("주문하신 상품의 배송 기록이 {{#if event.time}}{{event.time}} 이후로{{else}}며칠째{{/if}} 업데이트되지 않고 있어요. 저희가 먼저 알아차리고 택배사에 상품 위치를 확인하고 있어요. 소식이 들어오는 대로 바로 알려 드릴게요."),
                         .facts([orderNumber, ("마지막 기록", "{{event.text}}{{#if event.location}} · {{event.location}}{{/if}}", "event.text"),
                                 revisedDate, carrier, trackingNumber]),
                         .paragraph("기다리게 해 드려 죄송합니다."), compensation, trackLink] + closing())
        case .fulfillmentLate:
            return EmailCopy(
                subject: "[{{shop.name}}] 상품 발송이 늦어지고 있어요",
                heading: "발송이 늦어지고 있어요",
                blocks: [greeting, .paragraph("주문하신 상품의 발송 준비가 예상보다 늦어지고 있어요. 기다리게 해 드려 죄송합니다."),
                         .when("promise.range", [.paragraph("그래서 처음 안내해 드린 도착 예정일보다 늦게 도착할 수 있어요.")]),
                         .paragraph("상품이 출발하면 운송장 번호와 함께 바로 알려 드릴게요."),
                         .facts([orderNumber, ("주문일", "{{order.placed_on}}", nil), ("처음 안내한 도착 예정", "{{promise.range}}", "promise.range")]), orderItems("주문 상품"),
                         compensation, statusLink] + closing())
        case .cancelled:
            return EmailCopy(
                subject: "[{{shop.name}}] 주문이 취소되었어요 (주문번호 {{order.number}})",
                heading: "주문이 취소되었어요",
                blocks: [greeting, .paragraph("아래 주문이 취소되었어요."),
                         .facts([orderNumber, ("주문일", "{{order.placed_on}}", nil), ("결제 금액", "{{order.total}}", nil),
                                 ("취소 사유", "{{cancellation.reason}}", "cancellation.reason")]),
                         orderItems("취소된 상품"),
                         .paragraph("결제하신 금액은 결제 수단에 따라 취소되며, 카드사나 은행에 따라 며칠 걸릴 수 있어요. 다음에 다시 찾아 주시면 정성껏 준비하겠습니다.")]
                    + closing())
        }
    }

    /// Short enough for one 90-byte SMS with a short shop name and link; the link carries the detail.
    static func sms(_ trigger: NotificationTrigger) -> String {
        let body = switch trigger {
        case .orderConfirmed: "주문이 접수되었어요. 주문번호 {{order.number}}"
        case .shipped: "주문하신 상품이 출발했어요. 배송 조회:"
        case .outForDelivery: "주문하신 상품이 오늘 도착할 예정이에요."
        case .delivered: "주문하신 상품이 배송 완료되었어요{{#if event.location}}({{event.location}}){{/if}}."
        case .failedAttempt: "상품을 전해 드리지 못했어요. 재배송 안내:"
        case .exception: "배송 중 문제가 생겨 저희가 확인하고 있어요."
        case .atRisk: "배송이 늦어져 죄송합니다.{{#if revised.expected}} 새 예정일 {{revised.expected}}{{/if}}"
        case .stalled: "배송 기록이 멈춰 있어 택배사에 확인하고 있어요."
        case .fulfillmentLate: "주문 상품 발송이 늦어지고 있어요. 죄송합니다."
        case .cancelled: "주문번호 {{order.number}} 주문이 취소되었어요."
        }
        return "[{{shop.name}}] \(body)\n{{links.order_status}}"
    }

    private static let greeting = CopyBlock.paragraph("안녕하세요, {{customer.name}} 님.")
    private static let orderNumber = (label: "주문번호", value: "{{order.number}}", when: String?.none)
    private static let carrier = (label: "택배사", value: "{{shipment.carrier}}", when: String?.none)
    private static let trackingNumber = (label: "운송장 번호", value: "{{shipment.tracking_number}}", when: String?.none)
    private static let revisedDate = (label: "새 도착 예정일", value: "{{revised.expected}}{{#if revised.latest}}, 늦어도 {{revised.latest}}{{/if}}",
                                      when: String?("revised.expected"))
    private static let arrival = (label: "도착 예정", value: "{{promise.range}}", when: String?("promise.range"))
    private static let statusLink = CopyBlock.link("주문 상태 보기", url: "links.order_status")
    private static let trackLink = CopyBlock.link("배송 조회하기", url: "links.order_status")

    private static func orderItems(_ title: String) -> CopyBlock {
        .items(title: title, list: "order.items", line: "{{name}} · 수량 {{quantity}}")
    }

    private static func shipmentItems(_ title: String) -> CopyBlock {
        .items(title: title, list: "shipment.items", line: "{{name}} · 수량 {{quantity}}")
    }

    private static let compensation = CopyBlock.when("compensation", [
        .paragraph("불편을 드려 죄송한 마음을 담아 작은 혜택을 준비했어요."),
        .facts([("혜택", "{{compensation.description}}", nil), ("쿠폰 코드", "{{compensation.code}}", "compensation.code")]),
    ])

    private static func closing(askForHelp: Bool = true) -> [CopyBlock] {
        (askForHelp ? [.when("shop.support_email", [.paragraph("궁금한 점이 있으시면 {{shop.support_email}} 주소로 편하게 문의해 주세요.")])] : [])
            + [.paragraph("{{shop.name}} 드림")]
            // The unsubscribe link is the layout's footer (EmailLayout), on every e-mail, custom templates too.
    }
}
