import Foundation
import WaybillCore

/// What the customer can do about the order from the page, each form present only while it is allowed,
/// and a plain reason when it no longer is.
struct SelfServiceView {
    var page: TrackingPageView

    var ko: Bool { page.ko }
    var data: TrackingPageData { page.data }

    func render() -> String {
        let policy = SelfServicePolicy(data: data, settings: page.settings)
        var s = "<section class=\"card\" id=\"self-service\" aria-labelledby=\"self-h\"><h2 id=\"self-h\">\(ko ? "주문 관리" : "Manage your order")</h2>"
        if data.status == .delivered || (!page.live.isEmpty && page.live.allSatisfy { $0.status == .delivered }) {
            s += "<h3>\(ko ? "반품하기" : "Return an item")</h3>"
            s += "<p>" + esc(page.settings.returnPolicy.map { $0.text(page.language) }.flatMap { $0.isEmpty ? nil : $0 }
                ?? (ko ? "반품하시려면 아래 문의하기로 주문 번호와 상품을 알려 주세요. 반품 방법을 안내해 드립니다."
                       : "To return an item, write to us below with the item and the reason; we will tell you how to send it back.")) + "</p>"
            s += "<p><a href=\"#contact\">\(ko ? "반품 문의하기" : "Ask for a return")</a></p>"
        }
        if let refusal = policy.cancelRefusal(language: page.language) {
            if data.status != .cancelled && data.status != .delivered { s += "<p class=\"muted\">\(esc(refusal))</p>" }
        } else {
            s += cancelForm()
        }
        if policy.addressRefusal(language: page.language) == nil { s += addressForm() }
        if data.status != .cancelled { s += updatesForm() }
        return s + "</section>\n"
    }

    private func cancelForm() -> String {
        let reasons: [(String, String, String)] = [
            ("changed_mind", "마음이 바뀌었어요", "I changed my mind"), ("ordered_by_mistake", "잘못 주문했어요", "I ordered by mistake"),
            ("too_slow", "배송이 너무 늦어요", "Delivery takes too long"), ("found_elsewhere", "다른 곳에서 샀어요", "I found it elsewhere"),
            ("other", "기타", "Another reason"),
        ]
        var s = "<details><summary>\(ko ? "주문 취소" : "Cancel the order")</summary>"
        s += "<form id=\"cancel-form\" method=\"post\" action=\"\(esc(page.path))/cancel\"><input type=\"hidden\" name=\"lang\" value=\"\(page.language)\">"
        s += "<p>\(ko ? "택배사에 넘기기 전까지 취소할 수 있습니다. 결제는 판매자 정책에 따라 환불됩니다." : "You can cancel until the parcel is handed to the carrier. Payment is refunded under the shop's policy.")</p>"
        s += "<label for=\"reason\">\(ko ? "취소 이유" : "Reason")</label><select id=\"reason\" name=\"reason\">"
        for (code, k, e) in reasons { s += "<option value=\"\(code)\">\(ko ? k : e)</option>" }
        s += "</select><button type=\"submit\" id=\"cancel-button\">\(ko ? "주문 취소하기" : "Cancel my order")</button></form></details>"
        return s
    }

    private func addressForm() -> String {
        let a = data.address
        let fields: [(String, String, String, String?, String)] = [
            ("name", "받는 분", "Recipient", a.name, "name"), ("line1", "주소", "Address", a.line1, "address-line1"),
            ("line2", "상세 주소", "Address line 2", a.line2, "address-line2"), ("city", "시/군/구", "City", a.city, "address-level2"),
            ("region", "시/도", "Region", a.region, "address-level1"), ("postal_code", "우편번호", "Postal code", a.postalCode, "postal-code"),
            ("country", "국가 코드 (예: KR)", "Country code (e.g. KR)", a.country, "country"), ("phone", "연락처", "Phone", a.phone, "tel"),
        ]
        var s = "<details><summary>\(ko ? "배송지 변경" : "Change the delivery address")</summary>"
        s += "<form id=\"address-form\" method=\"post\" action=\"\(esc(page.path))/address\"><input type=\"hidden\" name=\"lang\" value=\"\(page.language)\">"
        for (name, k, e, value, auto) in fields {
            let required = ["name", "line1", "city", "country"].contains(name)
            s += "<label for=\"addr-\(name)\">\(ko ? k : e)</label><input id=\"addr-\(name)\" name=\"\(name)\" autocomplete=\"\(auto)\" maxlength=\"200\""
            s += " value=\"\(esc(value ?? ""))\"\(required ? " required" : "")>"
        }
        s += "<button type=\"submit\">\(ko ? "배송지 변경하기" : "Change the address")</button></form></details>"
        return s
    }

    private func updatesForm() -> String {
        let email = data.preferences.email ?? true, sms = data.preferences.sms ?? true
        var s = "<details><summary>\(ko ? "배송 알림 설정" : "Delivery updates")</summary>"
        s += "<form id=\"updates-form\" method=\"post\" action=\"\(esc(page.path))/updates\"><input type=\"hidden\" name=\"lang\" value=\"\(page.language)\">"
        s += "<label class=\"check\" for=\"upd-email\"><input type=\"checkbox\" id=\"upd-email\" name=\"email\" value=\"on\"\(email ? " checked" : "")>"
        s += "\(ko ? "이메일로 받기" : "By e-mail")</label>"
        s += "<label class=\"check\" for=\"upd-sms\"><input type=\"checkbox\" id=\"upd-sms\" name=\"sms\" value=\"on\"\(sms ? " checked" : "")>"
        s += "\(ko ? "문자로 받기" : "By SMS")</label>"
        s += "<button type=\"submit\" class=\"secondary\">\(ko ? "저장" : "Save")</button></form></details>"
        return s
    }
}

/// When the customer may still change the order themselves, and in plain words why not once it is too late.
struct SelfServicePolicy {
    var data: TrackingPageData
    var settings: TrackingPageSettings

    private var open: Bool { [.placed, .onHold, .ready].contains(data.status) }

    func cancelRefusal(language: String) -> String? {
        let ko = language == "ko"
        if data.status == .cancelled { return ko ? "이미 취소된 주문입니다." : "This order is already cancelled." }
        if !settings.selfService.cancel { return ko ? "이 상점은 온라인 취소를 받지 않습니다. 아래 문의하기로 알려 주세요." : "This shop takes cancellations by message: write to us below." }
        if data.handedOver || !open {
            return ko ? "상품이 이미 택배사에 넘어가 취소할 수 없습니다. 받으신 뒤 반품하시거나 아래 문의하기로 알려 주세요."
                      : "Your parcel is already with the carrier, so the order can no longer be cancelled. You can return it after delivery, or write to us below."
        }
        return nil
    }

    func addressRefusal(language: String) -> String? {
        let ko = language == "ko"
        if let refusal = cancelRefusal(language: language), data.status == .cancelled || data.handedOver || !open { return refusal }
        if !settings.selfService.addressChange { return ko ? "배송지 변경은 문의하기로 알려 주세요." : "To change the address, write to us below." }
        if data.packed || data.handedOver {
            return ko ? "상품이 이미 포장되어 송장이 붙었기 때문에 배송지를 바꿀 수 없습니다. 아래 문의하기로 알려 주세요."
                      : "Your parcel is already packed with its label, so the address can no longer be changed here. Write to us below."
        }
        return nil
    }
}
