/// What the tracking page knows about an order, reduced to what its one-line headline depends on.
public struct TrackingSituation: Sendable {
    public struct Parcel: Sendable {
        public var step: ProgressStep
        public var problem: ParcelProblem?
        public var deliveredOn: LocalDay?

        public init(step: ProgressStep, problem: ParcelProblem? = nil, deliveredOn: LocalDay? = nil) {
            self.step = step
            self.problem = problem
            self.deliveredOn = deliveredOn
        }
    }

    public var cancelled: Bool
    public var onHold: Bool
    /// Some of the order's items are in no shipment yet.
    public var unshipped: Bool
    public var parcels: [Parcel]
    /// The promise made at order time (nil when none could be made).
    public var promised: (earliest: LocalDay, latest: LocalDay)?
    /// The current expectation: the latest re-prediction, else the promise's most likely day.
    public var expected: LocalDay?
    /// The re-prediction says the promise will probably be missed.
    public var atRisk: Bool
    public var today: LocalDay

    public init(cancelled: Bool = false, onHold: Bool = false, unshipped: Bool, parcels: [Parcel],
                promised: (earliest: LocalDay, latest: LocalDay)?, expected: LocalDay?, atRisk: Bool = false, today: LocalDay) {
        self.cancelled = cancelled
        self.onHold = onHold
        self.unshipped = unshipped
        self.parcels = parcels
        self.promised = promised
        self.expected = expected
        self.atRisk = atRisk
        self.today = today
    }
}

/// The page's headline: one plain sentence, and whether the news is good (the promotions slot shows only then).
public struct TrackingHeadline: Sendable, Equatable {
    public enum Tone: String, Sendable { case good, neutral, bad }

    public var tone: Tone
    public var text: String

    public static func make(_ s: TrackingSituation, language: String) -> TrackingHeadline {
        let ko = language == "ko"
        func day(_ d: LocalDay) -> String {
            if d == s.today { return ko ? "오늘" : "today" }
            if d == s.today.adding(days: 1) { return ko ? "내일" : "tomorrow" }
            return NotificationContent.dayText(d, locale: language)
        }
        if s.cancelled { return .init(tone: .neutral, text: ko ? "주문이 취소되었습니다" : "This order has been cancelled") }
        let open = s.parcels.filter { $0.step != .delivered }
        if !s.parcels.isEmpty, open.isEmpty, !s.unshipped {
            let last = s.parcels.compactMap(\.deliveredOn).max()
            return .init(tone: .good, text: last.map { ko ? "\(day($0)) 배송 완료" : "Delivered \($0 == s.today || $0 == s.today.adding(days: -1) ? "" : "on ")\(dayOrYesterday($0, s.today, language))" }
                         ?? (ko ? "배송이 완료되었습니다" : "Delivered"))
        }
        let later = s.expected.map { ko ? "\(day($0)) 도착 예정입니다" : "now expected \(day($0))" }
        if let problem = open.compactMap(\.problem).first {
            switch problem {
            case .failedAttempt:
                return .init(tone: .bad, text: ko ? "배송 시도가 실패했습니다 — 택배사가 다시 배송합니다" : "A delivery attempt failed — the carrier will try again")
            case .availableForPickup:
                return .init(tone: .neutral, text: ko ? "보관 장소에서 찾아가실 수 있습니다" : "Ready for pick-up")
            case .exception:
                return .init(tone: .bad, text: ko ? "배송에 문제가 생겼습니다" + (later.map { " — \($0). 죄송합니다" } ?? ". 죄송합니다")
                                                  : "There is a problem with your parcel" + (later.map { " — \($0); we're sorry" } ?? "; we're sorry"))
            case .stalled:
                return .init(tone: .bad, text: ko ? "택배사 소식이 끊겼습니다 — 확인하고 있습니다" : "No news from the carrier — we're looking into it")
            case .returning:
                return .init(tone: .bad, text: ko ? "상품이 판매자에게 돌아가고 있습니다" : "Your parcel is on its way back to the shop")
            }
        }
        let overdue = s.promised.map { promised in (s.expected ?? promised.latest) > promised.latest } ?? false
        if s.atRisk || overdue, let expected = s.expected {
            return .init(tone: .bad, text: ko ? "배송 지연 — \(day(expected)) 도착 예정입니다. 죄송합니다" : "Delayed — now expected \(day(expected)); we're sorry")
        }
        if let expected = s.expected, expected < s.today {
            return .init(tone: .bad, text: ko ? "예정보다 늦어지고 있습니다 — 택배사에 확인하고 있습니다" : "Running late — we're checking with the carrier")
        }
        if open.contains(where: { $0.step == .outForDelivery }) {
            return .init(tone: .good, text: ko ? "배송 출발 — 오늘 도착 예정입니다" : "Out for delivery — arriving today")
        }
        if s.onHold {
            return .init(tone: .neutral, text: ko ? "주문을 확인하고 있습니다" + (s.expected.map { " — \(day($0)) 도착 예정" } ?? "")
                                                 : "We're checking your order" + (s.expected.map { " — expected \(day($0))" } ?? ""))
        }
        guard let expected = s.expected else {
            return .init(tone: .neutral, text: open.isEmpty ? (ko ? "상품을 준비하고 있습니다" : "We're preparing your order")
                                                            : (ko ? "배송 중입니다" : "Your parcel is on its way"))
        }
        if open.allSatisfy({ $0.step <= .packed }) {
            return .init(tone: .good, text: ko ? "상품 준비 중 — \(day(expected)) 도착 예정" : "Preparing your order — arriving \(day(expected))")
        }
        return .init(tone: .good, text: ko ? "\(day(expected)) 도착 예정" : "Arriving \(day(expected))")
    }

    private static func dayOrYesterday(_ d: LocalDay, _ today: LocalDay, _ language: String) -> String {
        if d == today { return "today" }
        if d == today.adding(days: -1) { return "yesterday" }
        return NotificationContent.dayText(d, locale: language)
    }
}
