import Foundation

/// An amount in minor units of one currency (원, cents). Arithmetic refuses to mix currencies or overflow.
public struct Money: Hashable, Sendable, Codable {
    public var minorUnits: Int64
    public var currency: CurrencyCode

    public init(_ minorUnits: Int64, _ currency: CurrencyCode) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public enum ArithmeticError: Error, Equatable, Sendable {
        case currencyMismatch
        case overflow
    }

    public func adding(_ other: Money) throws(ArithmeticError) -> Money {
        guard other.currency == currency else { throw .currencyMismatch }
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(sum, currency)
    }

    public func subtracting(_ other: Money) throws(ArithmeticError) -> Money {
        guard other.currency == currency else { throw .currencyMismatch }
        let (difference, overflow) = minorUnits.subtractingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(difference, currency)
    }

    public func multiplied(by quantity: Int64) throws(ArithmeticError) -> Money {
        let (product, overflow) = minorUnits.multipliedReportingOverflow(by: quantity)
        guard !overflow else { throw .overflow }
        return Money(product, currency)
    }

    public func formatted(locale: String) -> String {
        currency.format(minorUnits: minorUnits, locale: locale)
    }
}

/// Checked sums over Int64 minor units, used where a validator must report rather than trap.
enum CheckedSum {
    static func add(_ a: Int64, _ b: Int64) -> Int64? {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? nil : r
    }

    static func multiply(_ a: Int64, _ b: Int64) -> Int64? {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : r
    }
}
