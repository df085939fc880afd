/// When something is wrong with a parcel: what happened, what the shop is doing about it, and what the
/// customer can do — the three questions a customer would otherwise write in to ask.
public struct ProblemAdvice: Sendable, Equatable {
    public var happened: String
    public var shopDoing: String
    public var youCanDo: String

    public static func make(_ problem: ParcelProblem, carrierName: String, language: String) -> ProblemAdvice {
        let ko = language == "ko"
        switch problem {
        case .failedAttempt:
            return ko ? .init(happened: "\(carrierName) 기사님이 방문했지만 상품을 전달하지 못했습니다.",
                              shopDoing: "택배사가 보통 다음 영업일에 다시 배송합니다. 저희도 재배송 여부를 확인하고 있습니다.",
                              youCanDo: "택배사 안내 문자에 답하거나 택배사에 재배송을 요청하실 수 있고, 가까운 편의점·보관함 수령을 선택하실 수도 있습니다. 주소가 잘못되었다면 아래 문의하기로 알려 주세요.")
                      : .init(happened: "\(carrierName) tried to deliver your parcel but could not hand it over.",
                              shopDoing: "The carrier usually tries again on the next working day; we are keeping an eye on it.",
                              youCanDo: "Ask the carrier for a redelivery on a day that suits you, or choose a pick-up point near you. If the address is wrong, tell us below.")
        case .availableForPickup:
            return ko ? .init(happened: "상품이 보관 장소에 도착했습니다.",
                              shopDoing: "보관 기간이 지나면 상품이 반송될 수 있어 기간을 확인하고 있습니다.",
                              youCanDo: "신분증이나 택배사 안내 번호를 가지고 보관 장소에서 찾아가세요.")
                      : .init(happened: "Your parcel is waiting at a pick-up point.",
                              shopDoing: "Parcels not collected in time go back to us, so we are watching the deadline.",
                              youCanDo: "Collect it with your ID or the carrier's pick-up code.")
        case .exception:
            return ko ? .init(happened: "\(carrierName)에서 배송 중 문제가 생겼다고 알려 왔습니다.",
                              shopDoing: "택배사와 함께 원인을 확인하고 있으며, 새 도착 예정일이 나오면 바로 알려 드립니다.",
                              youCanDo: "기다려 주시면 됩니다. 궁금한 점은 아래 문의하기로 남겨 주세요.")
                      : .init(happened: "\(carrierName) reported a problem with your parcel on its way.",
                              shopDoing: "We are finding out what happened with the carrier and will tell you the new date as soon as we have it.",
                              youCanDo: "Nothing for now. If you have a question, write to us below.")
        case .stalled:
            return ko ? .init(happened: "\(carrierName)에서 한동안 새 배송 소식이 없습니다.",
                              shopDoing: "택배사에 상품 위치를 문의하고 있습니다.",
                              youCanDo: "기다려 주시면 됩니다. 급하시면 아래 문의하기로 알려 주세요.")
                      : .init(happened: "\(carrierName) has not scanned your parcel for a while.",
                              shopDoing: "We have asked the carrier where it is.",
                              youCanDo: "Nothing for now. If it is urgent, write to us below.")
        case .returning:
            return ko ? .init(happened: "상품이 판매자에게 반송되고 있습니다.",
                              shopDoing: "상품이 도착하면 재발송 또는 환불을 진행합니다.",
                              youCanDo: "아래 문의하기로 재발송과 환불 중 원하시는 것을 알려 주세요.")
                      : .init(happened: "Your parcel is being returned to us.",
                              shopDoing: "When it arrives we will send it again or refund you.",
                              youCanDo: "Tell us below whether you would like it sent again or a refund.")
        }
    }
}
