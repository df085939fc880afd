import Foundation
import SQLKit
import Vapor
import WaybillCore

/// The customer's own changes from the tracking page. Each goes through the same service an operator's
/// would (inventory released, facts appended, messages sent through the outbox), inside the order's lock, so
/// a parcel handed over a moment earlier wins and the customer is told why.
struct SelfService {
    let req: Request
    let data: TrackingPageData
    let language: String

    struct Refusal: Error {
        var text: String
        var status: HTTPStatus = .conflict
    }

    var ko: Bool { language == "ko" }

    func perform(_ action: String) async throws {
        let settings = try await req.application.trackingPage.settings(shopID: data.shopID, application: req.application, now: req.now)
        let policy = SelfServicePolicy(data: data, settings: settings)
        switch action {
        case "cancel":
            if let refusal = policy.cancelRefusal(language: language) { throw Refusal(text: refusal) }
            let reason = (try? req.content.get(String.self, at: "reason")).map { String($0.prefix(40)) } ?? "customer"
            do {
                _ = try await OrderService(application: req.application, db: req.db).cancel(orderID: data.orderID, shopID: data.shopID, reason: reason,
                                                                                 actor: TrackingPageController.customer)
            } catch is IllegalTransition {
                throw Refusal(text: SelfServicePolicy(data: with(status: .fulfilled), settings: settings).cancelRefusal(language: language) ?? "")
            }
        case "address":
            if let refusal = policy.addressRefusal(language: language) { throw Refusal(text: refusal) }
            let form = try req.content.decode(AddressForm.self)
            let address = Address(name: form.name ?? "", line1: form.line1 ?? "", line2: form.line2.nonEmpty, city: form.city ?? "",
                                  region: form.region.nonEmpty, postalCode: form.postal_code.nonEmpty, country: (form.country ?? "").uppercased(),
                                  phone: form.phone.nonEmpty)
            guard let shop = try await Shop.find(data.shopID, on: req.db) else { throw APIError.notFound("shop") }
            do {
                _ = try await OrderService(application: req.application, db: req.db).correct(
                    orderID: data.orderID, shop: shop, patch: CorrectOrderRequest(shippingAddress: address), actor: TrackingPageController.customer,
                    beforePacking: true)
            } catch let error as APIError where error.status == .conflict {
                throw Refusal(text: policy.addressRefusal(language: language)
                              ?? (ko ? "상품이 이미 포장되어 배송지를 바꿀 수 없습니다. 문의하기로 알려 주세요." : "Your parcel is already packed, so the address can no longer be changed here. Write to us below."))
            }
        case "updates":
            guard data.status != .cancelled else { throw Refusal(text: ko ? "취소된 주문입니다." : "This order is cancelled.") }
            let email = (try? req.content.get(String.self, at: "email")) == "on", sms = (try? req.content.get(String.self, at: "sms")) == "on"
            let (shopID, orderID, now) = (data.shopID, data.orderID, req.now)
            _ = try await OrderService(application: req.application, db: req.db).withLockedOrder(orderID, shopID: shopID) { _, db in
                var change = NotificationPreferences()
                change.email = email
                change.sms = sms
                try await NotificationPreferences.update(shopID: shopID, subject: NotificationPreferences.subject(orderID: orderID), change, at: now,
                                                         on: db as! any SQLDatabase)
                try await Timeline(db: db, newID: req.application.dependencies.ids.next).append(
                    shopID: shopID, orderID: orderID, [(.preferencesChanged, PreferencesFact(email: email, sms: sms))],
                    actor: TrackingPageController.customer, at: now)
            }
        case "contact":
            let message = ((try? req.content.get(String.self, at: "message")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !message.isEmpty else { throw ValidationFailure([FieldIssue(field: "message", code: "required", message: ko ? "내용을 적어 주세요" : "write a message")]) }
            guard message.count <= 2_000 else {
                throw ValidationFailure([FieldIssue(field: "message", code: "too_long", message: ko ? "2,000자 이내로 적어 주세요" : "at most 2,000 characters")])
            }
            let key = "contact:\(data.orderID.uuidString)"
            if req.application.trackingPage.contacts.withLockedValue({ $0.attempt(key, at: req.now) }) != nil {
                throw Refusal(text: ko ? "문의를 잠시 뒤에 다시 보내 주세요." : "You have sent several messages just now; please try again a little later.",
                              status: .tooManyRequests)
            }
            let (shopID, orderID, now) = (data.shopID, data.orderID, req.now)
            _ = try await OrderService(application: req.application, db: req.db).withLockedOrder(orderID, shopID: shopID) { _, db in
                try await Timeline(db: db, newID: req.application.dependencies.ids.next).append(
                    shopID: shopID, orderID: orderID, [(.customerContacted, ContactFact(message: message, channel: "tracking_page"))],
                    actor: TrackingPageController.customer, at: now)
            }
        default:
            throw Abort(.notFound)
        }
    }

    private func with(status: OrderStatus) -> TrackingPageData {
        var copy = data
        copy.status = status
        return copy
    }

    /// The address form's fields, named as the form names them.
    struct AddressForm: Decodable {
        var name, line1, line2, city, region, postal_code, country, phone: String?
    }
}

struct PreferencesFact: Codable, Sendable {
    var email: Bool
    var sms: Bool
}

struct ContactFact: Codable, Sendable {
    var message: String
    var channel: String
}

private extension Optional where Wrapped == String {
    var nonEmpty: String? { self.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
}
