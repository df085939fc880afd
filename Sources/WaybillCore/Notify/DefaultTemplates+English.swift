import Foundation

/// The English defaults: plain words, one thing per sentence, the next step spelled out.
enum EnglishCopy {
    static func email(_ trigger: NotificationTrigger) -> EmailCopy {
        switch trigger {
        case .orderConfirmed:
            return EmailCopy(
                subject: "Thanks for your order {{order.number}}",
                heading: "We've got your order",
                blocks: [greeting, .paragraph("Thank you for shopping with {{shop.name}}. Here's what you ordered."),
                         .facts([orderNumber, ("Placed on", "{{order.placed_on}}", nil), ("Total", "{{order.total}}", nil), arrival]),
                         orderItems("Your items"),
                         .paragraph("We'll pack everything carefully and email you the tracking number as soon as it ships."),
                         statusLink] + closing())
        case .shipped:
            return EmailCopy(
                subject: "Your order {{order.number}} is on its way",
                heading: "Your order is on its way",
                blocks: [greeting, .paragraph("Good news: your order has left us. Here are the carrier and tracking number."),
                         .facts([orderNumber, carrier, trackingNumber, arrival]),
                         shipmentItems("In this shipment"), trackLink] + closing())
        case .outForDelivery:
            return EmailCopy(
                subject: "Your order {{order.number}} arrives today",
                heading: "Arriving today",
                blocks: [greeting, .paragraph("Your order is out for delivery with {{shipment.carrier}} and should reach you today."),
                         .facts([orderNumber, trackingNumber]), trackLink] + closing())
        case .delivered:
            return EmailCopy(
                subject: "Your order {{order.number}} has been delivered",
                heading: "Delivered",
                blocks: [greeting, .paragraph("{{shipment.carrier}} has delivered your order. Thank you for shopping with {{shop.name}}."),
                         .facts([orderNumber, ("Left at", "{{event.location}}", "event.location"), ("Delivered", "{{event.time}}", "event.time")]),
                         .paragraph("Can't find it, or something isn't right? Let us know{{#if shop.support_email}} at {{shop.support_email}}{{/if}} and we'll sort it out."),
                         statusLink] + closing(askForHelp: false))
        case .failedAttempt:
            return EmailCopy(
                subject: "We couldn't deliver your order {{order.number}}",
                heading: "Delivery attempted",
                blocks: [greeting, .paragraph("{{shipment.carrier}} tried to deliver your order but couldn't hand it over."),
                         .facts([orderNumber, ("Reason", "{{event.text}}", "event.text"), ("Attempted", "{{event.time}}", "event.time"), carrier, trackingNumber]),
                         .paragraph("Carriers usually try again on the next working day. To choose another day or a safe place, or to pick the parcel up from the local depot, contact the carrier with your tracking number."),
                         .link("Manage the delivery with the carrier", url: "shipment.tracking_url"), compensation] + closing())
        case .exception:
            return EmailCopy(
                subject: "A problem with the delivery of order {{order.number}}",
                heading: "We're looking into a delivery problem",
                blocks: [greeting, .paragraph("The carrier has reported a problem with your delivery. We're already working on it with them, so there's nothing you need to do. If we need anything from you, such as an address detail, we'll get in touch."),
                         .facts([orderNumber, ("Carrier update", "{{event.text}}", "event.text"), carrier, trackingNumber]),
                         .paragraph("We'll update you as soon as it's resolved.{{#if shop.support_email}} In the meantime, you can reach us at {{shop.support_email}}; please include your order number.{{/if}}"),
                         compensation, trackLink] + closing(askForHelp: false))
        case .atRisk:
            return EmailCopy(
                subject: "Sorry, your order {{order.number}} is running late",
                heading: "Your order is running late",
                blocks: [greeting, .paragraph("We're sorry: your order is going to arrive later than the date we gave you{{#if promise.latest}} ({{promise.latest}}){{/if}}."),
                         .facts([orderNumber, revisedDate, carrier, trackingNumber]),
                         .paragraph("We're keeping an eye on it with the carrier and will tell you straight away if anything changes. Thank you for your patience."),
                         compensation, trackLink] + closing())
        case .stalled:
            return EmailCopy(
                subject: "We're checking on your order {{order.number}}",
                heading: "We're checking on your parcel",
                blocks: [greeting, .paragraph("The tracking for your order hasn't moved {{#if event.time}}since {{event.time}}{{else}}for a few days{{/if}}. We noticed, and we're asking the carrier where your parcel is. We'll let you know as soon as we hear back."),
                         .facts([orderNumber, ("Last update", "{{event.text}}{{#if event.location}}, {{event.location}}{{/if}}", "event.text"),
                                 revisedDate, carrier, trackingNumber]),
                         .paragraph("Sorry for the wait."), compensation, trackLink] + closing())
        case .fulfillmentLate:
            return EmailCopy(
                subject: "Your order {{order.number}} is taking longer to ship",
                heading: "Your order is taking longer to ship",
                blocks: [greeting, .paragraph("Getting your order ready is taking longer than we planned. We're sorry for the wait."),
                         .when("promise.range", [.paragraph("It may now arrive after the delivery window we first gave you ({{promise.range}}).")]),
                         .paragraph("We'll email you the tracking number as soon as it ships."),
                         .facts([orderNumber, ("Placed on", "{{order.placed_on}}", nil)]), orderItems("Your items"),
                         compensation, statusLink] + closing())
        case .cancelled:
            return EmailCopy(
                subject: "Your order {{order.number}} has been cancelled",
                heading: "Your order has been cancelled",
                blocks: [greeting, .paragraph("Your order has been cancelled. Here are the details for your records."),
                         .facts([orderNumber, ("Placed on", "{{order.placed_on}}", nil), ("Total", "{{order.total}}", nil),
                                 ("Reason", "{{cancellation.reason}}", "cancellation.reason")]),
                         orderItems("Cancelled items"),
                         .paragraph("Any payment will be refunded to your original payment method; depending on your bank, it can take a few days to appear. We hope to see you again soon.")]
                    + closing())
        }
    }

    /// Fits one GSM-7 segment (160 characters) with a short shop name and link.
    static func sms(_ trigger: NotificationTrigger) -> String {
        let body = switch trigger {
        case .orderConfirmed: "thanks for your order {{order.number}}! We're getting it ready."
        case .shipped: "your order {{order.number}} is on its way with {{shipment.carrier}}. Track it:"
        case .outForDelivery: "your order {{order.number}} is out for delivery and should arrive today."
        case .delivered: "your order {{order.number}} has been delivered{{#if event.location}} ({{event.location}}){{/if}}."
        case .failedAttempt: "{{shipment.carrier}} couldn't deliver order {{order.number}}. Redelivery or pick-up:"
        case .exception: "there's a problem with the delivery of order {{order.number}}. We're on it with the carrier."
        case .atRisk: "sorry, order {{order.number}} is running late.{{#if revised.expected}} New estimate: {{revised.expected}}.{{/if}}"
        case .stalled: "tracking for order {{order.number}} has stopped updating. We're chasing the carrier."
        case .fulfillmentLate: "sorry, order {{order.number}} is taking longer to ship. We'll update you when it's on its way."
        case .cancelled: "your order {{order.number}} has been cancelled."
        }
        return "{{shop.name}}: \(body) {{links.order_status}}"
    }

    private static let greeting = CopyBlock.paragraph("Hi {{customer.name}},")
    private static let orderNumber = (label: "Order", value: "{{order.number}}", when: String?.none)
    private static let carrier = (label: "Carrier", value: "{{shipment.carrier}}", when: String?.none)
    private static let trackingNumber = (label: "Tracking number", value: "{{shipment.tracking_number}}", when: String?.none)
    private static let revisedDate = (label: "New estimated delivery", value: "{{revised.expected}}{{#if revised.latest}} (at the latest {{revised.latest}}){{/if}}",
                                      when: String?("revised.expected"))
    private static let arrival = (label: "Estimated delivery", value: "{{promise.range}}", when: String?("promise.range"))
    private static let statusLink = CopyBlock.link("View your order", url: "links.order_status")
    private static let trackLink = CopyBlock.link("Track your parcel", url: "links.order_status")

    private static func orderItems(_ title: String) -> CopyBlock {
        .items(title: title, list: "order.items", line: "{{name}} × {{quantity}}")
    }

    private static func shipmentItems(_ title: String) -> CopyBlock {
        .items(title: title, list: "shipment.items", line: "{{name}} × {{quantity}}")
    }

    private static let compensation = CopyBlock.when("compensation", [
        .paragraph("To make up for the trouble, we'd like you to have this:"),
        .facts([("Offer", "{{compensation.description}}", nil), ("Code", "{{compensation.code}}", "compensation.code")]),
    ])

    private static func closing(askForHelp: Bool = true) -> [CopyBlock] {
        (askForHelp ? [.when("shop.support_email", [.paragraph("Questions? Just write to {{shop.support_email}}.")])] : [])
            + [.paragraph("The {{shop.name}} team")]
            // The unsubscribe link is the layout's footer (EmailLayout), on every e-mail, custom templates too.
    }
}
