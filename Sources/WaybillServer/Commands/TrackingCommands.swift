import Foundation
import Vapor
import WaybillCore

/// `waybill tracking detect NUMBER [--country KR]` names the likely carriers; `--bench N` instead times
/// detection over N numbers of a realistic mix (UPS, FedEx, USPS, DHL, S10, Korean domestic, noise) in
/// process and prints numbers per second.
struct TrackingDetectCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "number", help: "A tracking number (ignored with --bench)") var number: String
        @Option(name: "country", help: "Destination country (ISO 3166-1 alpha-2)") var country: String?
        @Option(name: "bench", help: "Time detection over this many numbers instead") var bench: Int?
        init() {}
    }

    var help: String { "Names the likely carriers of a tracking number, or times detection (--bench N)." }

    /// Public sample numbers (jkeen/tracking_number_data, the UPU S10 example, CJ) and near-misses.
    static let mix = [
        "1Z5R89390357567127", "986578788855", "041441760228964", "9611020987654312345672", "9400111201080805483016",
        "03071790000523483741", "3318810025", "RB123456785GB", "EE123456785KR", "623012590022", "6230125900", "1234567890123",
        "1Z5R89390357567128", "HELLO-WORLD", "12345", "SBX17950000000042",
    ]

    func run(using context: CommandContext, signature: Signature) async throws {
        let detector = CarrierRegistry.builtIn.detector
        guard let count = signature.bench else {
            let matches = detector.detect(signature.number, destinationCountry: signature.country?.uppercased())
            if matches.isEmpty { context.console.warning("No known carrier issues numbers like \(signature.number).") }
            for m in matches {
                context.console.output("\(m.carrier.rawValue)\t\(m.format)\tconfidence \(String(format: "%.2f", m.confidence))\t\(m.checkDigitVerified ? "check digit verified" : "pattern only")".consoleText())
            }
            return
        }
        guard (1...1_000_000_000).contains(count) else { throw CommandError("--bench must be 1–1,000,000,000") }
        var found = 0
        let start = ContinuousClock.now
        for i in 0..<count {
            found &+= detector.detect(Self.mix[i % Self.mix.count], destinationCountry: i % 3 == 0 ? "KR" : nil).count
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        context.console.output(String(format: "%d numbers in %.3f s: %.0f numbers/s (%d candidates)", count, seconds,
                                      Double(count) / seconds, found).consoleText())
    }
}
