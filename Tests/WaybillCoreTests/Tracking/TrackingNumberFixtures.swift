@testable import WaybillCore

/// Real tracking numbers, each from where it was published.
///
/// Unless noted: `jkeen/tracking_number_data` (`couriers/*.json`, `test_numbers.valid`), the data
/// behind the `tracking_number` Ruby gem, whose numbers come from carrier documentation and labels.
enum TrackingNumberFixtures {
    static let ups = ["1Z5R89390357567127", "1Z879E930346834440", "1Z410E7W0392751591", "1Z8V92A70367203024"]
    static let fedex12 = ["986578788855", "477179081230", "799531274483", "790535312317", "974367662710"]
    static let fedex15 = ["041441760228964", "568283610012000", "568283610012734"]
    static let fedexGround96 = ["9611020987654312345672"]
    static let fedexSmartPost20 = ["61299998820821171811"]
    static let fedexSmartPost22 = ["9261292700768711948021"]
    /// jkeen's SSCC-18 example `00 0123 4500 0000 0027` with its GS1 application identifier `00`
    /// in front, as it is printed on a FedEx label (the leading zeros do not change the check).
    static let fedexSSCC20 = ["00000123450000000027"]
    static let usps20 = ["03071790000523483741", "71123456789123456787"]
    /// IMpb printed without its `91` application identifier (jkeen's "USPS 91" format).
    static let usps20Implied91 = ["71969010756003077385"]
    static let usps22 = [
        "9505511069605048600624", "9101123456789000000013", "9400111201080805483016",
        "9361289878700317633795", "9405803699300124287899",
    ]
    static let usps26 = ["92748931507708513018050063"]
    static let dhl10 = ["3318810025", "8487135506", "1099255990", "3821724944", "3318810036", "3318810014"]
    static let dhl11 = ["73891051146"]
    /// The UPU S10 standard's worked example (serial 12345678, check digit 5).
    static let s10 = ["RB123456785GB", "RB123456785US"]
    /// The same worked serial with Korea Post's EMS and K-Packet prefixes and KR suffix;
    /// constructed, as no real Korean S10 number with its check digit was found in public sources.
    static let koreaS10 = ["EE123456785KR", "LK123456785KR"]
    /// CJ대한통운 invoices in two public 스마트택배 (sweettracker) responses
    /// (../shared/data/carriers/korea/, personal data masked there).
    static let cj12 = ["623012590022", "631693783814"]
}
