/// The carriers Waybill knows out of the box (F5): the five big Korean parcel carriers, Korea
/// Post's international services, and the four global integrators.
///
/// Confidences encode how much a match says. A verified check digit is ≥ 0.6 (a random number
/// passes a mod-10 check one time in ten, mod 7 one in seven, so these stay well below 1 unless a
/// prefix such as `1Z` or an S10 country suffix adds evidence). Korean domestic numbers are bare
/// digit runs with no published check digit (CJ 10/12, Hanjin 10/12, Lotte 12, Logen 11, Korea
/// Post 13 — lengths as the carriers' tracking pages accept them), so they sit at ≤ 0.45 and are
/// ordered by market share, CJ first.
public enum BuiltInCarriers {
    public static let all: [CarrierDefinition] = [cj, kpost, kpostEMS, hanjin, lotte, logen, ups, fedex, usps, dhlExpress, sandbox]

    /// Waybill's own test carrier (`SandboxCarrier`): numbers it issues start `SBX`.
    public static let sandbox = CarrierDefinition(
        code: .sandbox, nameEn: "Waybill sandbox carrier", nameKo: "웨이빌 테스트 택배", country: "KR", timeZone: "Asia/Seoul",
        trackingURLTemplate: "/console/shipments?q={number}",
        numberPatterns: [NumberPattern(name: "Sandbox", mask: "SBX##############", confidence: 0.99)],
        stalledAfterBusinessDays: 2)

    public static let cj = CarrierDefinition(
        code: .cj, nameEn: "CJ Logistics", nameKo: "CJ대한통운", country: "KR", timeZone: "Asia/Seoul",
        trackingURLTemplate: "https://trace.cjlogistics.com/next/tracking.html?wblNo={number}",
        numberPatterns: [
            NumberPattern(name: "CJ 12", mask: "############", confidence: 0.45),
            NumberPattern(name: "CJ 10", mask: "##########", confidence: 0.4),
        ],
        stalledAfterBusinessDays: 2)

    public static let kpost = CarrierDefinition(
        code: .kpost, nameEn: "Korea Post Parcel", nameKo: "우체국택배", country: "KR", timeZone: "Asia/Seoul",
        trackingURLTemplate: "https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1={number}",
        numberPatterns: [NumberPattern(name: "Korea Post domestic 13", mask: "#############", confidence: 0.45)],
        stalledAfterBusinessDays: 2)

    /// EMS (`E?`), K-Packet (`L?`), registered (`R?`) and parcels (`C?`) posted in Korea carry
    /// S10 numbers ending `KR`. Any other valid S10 number is a postal item that Korea Post
    /// delivers once it reaches Korea, hence the low-confidence catch-all ranked up by destination.
    public static let kpostEMS = CarrierDefinition(
        code: .kpostEMS, nameEn: "Korea Post EMS / K-Packet", nameKo: "우체국 EMS·K-Packet", country: "KR",
        timeZone: "Asia/Seoul",
        trackingURLTemplate: "https://service.epost.go.kr/trace.RetrieveEmsRigiTraceList.comm?POST_CODE={number}",
        numberPatterns: [
            NumberPattern(name: "EMS", mask: "E@#########KR", checkDigit: .upuS10, confidence: 0.97),
            NumberPattern(name: "K-Packet", mask: "L@#########KR", checkDigit: .upuS10, confidence: 0.97),
            NumberPattern(name: "Registered", mask: "R@#########KR", checkDigit: .upuS10, confidence: 0.95),
            NumberPattern(name: "Parcel post", mask: "C@#########KR", checkDigit: .upuS10, confidence: 0.95),
            NumberPattern(name: "UPU S10 inbound", mask: "@@#########@@", checkDigit: .upuS10, confidence: 0.6),
        ],
        stalledAfterBusinessDays: 5)

    public static let hanjin = CarrierDefinition(
        code: .hanjin, nameEn: "Hanjin Transportation", nameKo: "한진택배", country: "KR", timeZone: "Asia/Seoul",
        trackingURLTemplate:
            "https://www.hanjin.com/kor/CMS/DeliveryMgr/WaybillResult.do?mCode=MN038&schLang=KR&wblnumText2={number}",
        numberPatterns: [
            NumberPattern(name: "Hanjin 12", mask: "############", confidence: 0.35),
            NumberPattern(name: "Hanjin 10", mask: "##########", confidence: 0.35),
        ],
        stalledAfterBusinessDays: 2)

    public static let lotte = CarrierDefinition(
        code: .lotte, nameEn: "Lotte Global Logistics", nameKo: "롯데택배", country: "KR", timeZone: "Asia/Seoul",
        trackingURLTemplate: "https://www.lotteglogis.com/home/reservation/tracking/linkView?InvNo={number}",
        numberPatterns: [NumberPattern(name: "Lotte 12", mask: "############", confidence: 0.33)],
        stalledAfterBusinessDays: 2)

    public static let logen = CarrierDefinition(
        code: .logen, nameEn: "Logen", nameKo: "로젠택배", country: "KR", timeZone: "Asia/Seoul",
        trackingURLTemplate: "https://www.ilogen.com/web/personal/trace/{number}",
        numberPatterns: [NumberPattern(name: "Logen 11", mask: "###########", confidence: 0.4)],
        stalledAfterBusinessDays: 2)

    public static let ups = CarrierDefinition(
        code: .ups, nameEn: "UPS", country: "US", timeZone: "America/New_York",
        trackingURLTemplate: "https://www.ups.com/track?tracknum={number}",
        numberPatterns: [NumberPattern(name: "UPS 1Z", mask: "1Z****************", checkDigit: .ups1Z, confidence: 0.99)])

    public static let fedex = CarrierDefinition(
        code: .fedex, nameEn: "FedEx", country: "US", timeZone: "America/Chicago",
        trackingURLTemplate: "https://www.fedex.com/fedextrack/?trknbr={number}",
        numberPatterns: [
            NumberPattern(name: "FedEx Ground 96 (22)", mask: "96####################",
                          checkDigit: .fedexGround96, confidence: 0.9),
            NumberPattern(name: "FedEx Ground (15)", mask: "###############", checkDigit: .gs1Mod10, confidence: 0.8),
            NumberPattern(name: "FedEx Express (12)", mask: "############", checkDigit: .fedexMod11, confidence: 0.75),
            // The `00` application identifier is evidence USPS's own 20-digit numbers lack.
            NumberPattern(name: "FedEx SSCC (20)", mask: "00##################", checkDigit: .gs1Mod10, confidence: 0.8),
            NumberPattern(name: "FedEx SmartPost (22)", mask: "92####################",
                          checkDigit: .gs1Mod10, confidence: 0.7),
            NumberPattern(name: "FedEx SmartPost (20)", mask: "####################",
                          checkDigit: .gs1Mod10Implied92, confidence: 0.65),
        ])

    public static let usps = CarrierDefinition(
        code: .usps, nameEn: "USPS", country: "US", timeZone: "America/New_York",
        trackingURLTemplate: "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
        numberPatterns: [
            NumberPattern(name: "USPS IMpb (22)", mask: "9#####################", checkDigit: .gs1Mod10, confidence: 0.9),
            NumberPattern(name: "USPS IMpb (26)", mask: "9#########################",
                          checkDigit: .gs1Mod10, confidence: 0.9),
            NumberPattern(name: "USPS S10", mask: "@@#########US", checkDigit: .upuS10, confidence: 0.95),
            NumberPattern(name: "USPS (20)", mask: "####################", checkDigit: .gs1Mod10, confidence: 0.75),
            NumberPattern(name: "USPS IMpb without AI (20)", mask: "####################",
                          checkDigit: .gs1Mod10Implied91, confidence: 0.75),
            NumberPattern(name: "UPU S10 inbound", mask: "@@#########@@", checkDigit: .upuS10, confidence: 0.6),
        ],
        stalledAfterBusinessDays: 4)

    public static let dhlExpress = CarrierDefinition(
        code: .dhlExpress, nameEn: "DHL Express", country: "DE", timeZone: "Europe/Berlin",
        trackingURLTemplate: "https://www.dhl.com/en/express/tracking.html?AWB={number}&brand=DHL",
        numberPatterns: [
            NumberPattern(name: "DHL Express (10)", mask: "##########", checkDigit: .mod7, confidence: 0.65),
            NumberPattern(name: "DHL Express (11)", mask: "###########", checkDigit: .mod7, confidence: 0.6),
        ],
        stalledAfterBusinessDays: 4)
}
