import Foundation

/// The carriers one shop can use: the built-ins plus the ones it configured, checked together.
public struct CarrierRegistry: Sendable {
    public let carriers: [CarrierDefinition]
    public let detector: TrackingNumberDetector
    private let index: [CarrierCode: Int]

    /// Refuses the whole set, listing every problem, if any custom definition is invalid or
    /// reuses a code; `field` paths read `carriers[i]…` with `i` counting custom entries.
    public init(custom: [CarrierDefinition] = []) throws(CarrierConfigFailure) {
        var errors: [CarrierConfigError] = []
        var seen = Set(BuiltInCarriers.all.map(\.code))
        for (i, definition) in custom.enumerated() {
            let path = "carriers[\(i)]"
            errors += definition.validationErrors(at: path)
            if !seen.insert(definition.code).inserted {
                errors.append(.duplicateCode(field: path + ".code", code: definition.code))
            }
        }
        guard errors.isEmpty else { throw CarrierConfigFailure(errors: errors) }
        self.init(trusted: BuiltInCarriers.all + custom)
    }

    private init(trusted carriers: [CarrierDefinition]) {
        self.carriers = carriers
        self.index = Dictionary(uniqueKeysWithValues: carriers.enumerated().map { ($1.code, $0) })
        self.detector = TrackingNumberDetector(carriers: carriers)
    }

    /// Only the built-in carriers, which the tests prove valid.
    public static let builtIn = CarrierRegistry(trusted: BuiltInCarriers.all)

    public func carrier(_ code: CarrierCode) -> CarrierDefinition? {
        index[code].map { carriers[$0] }
    }

    /// The zone a carrier's offset-less local times are read in.
    public func timeZone(for code: CarrierCode) -> TimeZone? {
        carrier(code).flatMap { TimeZone(identifier: $0.timeZone) }
    }
}

/// Thrown when a shop's carrier configuration is refused; carries every problem found.
public struct CarrierConfigFailure: Error, Hashable, Sendable {
    public var errors: [CarrierConfigError]
    public init(errors: [CarrierConfigError]) { self.errors = errors }

    /// The same refusal as the `ValidationFailure` the API layer already knows how to render.
    public var validationFailure: ValidationFailure { ValidationFailure(errors.map(\.fieldIssue)) }
}
