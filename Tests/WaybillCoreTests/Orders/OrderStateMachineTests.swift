import Testing
@testable import WaybillCore

@Suite("Order status machine")
struct OrderStateMachineTests {
    @Test(arguments: [
        (OrderStatus.placed, OrderEvent.accept, OrderStatus.ready),
        (.placed, .hold, .onHold), (.ready, .hold, .onHold), (.onHold, .hold, .onHold),
        (.onHold, .release, .ready), (.ready, .fulfilPartially, .partiallyFulfilled),
        (.partiallyFulfilled, .fulfil, .fulfilled), (.ready, .fulfil, .fulfilled), (.fulfilled, .deliver, .delivered),
        (.placed, .cancel, .cancelled), (.onHold, .cancel, .cancelled), (.ready, .cancel, .cancelled),
    ])
    func legalTransitions(from: OrderStatus, event: OrderEvent, to: OrderStatus) throws {
        #expect(try OrderStateMachine.next(from, on: event) == to)
    }

    @Test(arguments: [
        (OrderStatus.cancelled, OrderEvent.cancel), (.cancelled, .release), (.delivered, .cancel),
        (.fulfilled, .cancel), (.ready, .release), (.onHold, .fulfil), (.placed, .deliver),
    ])
    func illegalTransitionsAreTypedErrors(from: OrderStatus, event: OrderEvent) {
        #expect(throws: IllegalTransition(from: from, event: event)) { try OrderStateMachine.next(from, on: event) }
    }

    @Test func terminalStatusesAcceptNothingButTheirOwnFuture() {
        for event in OrderEvent.allCases {
            #expect(!OrderStateMachine.canApply(event, to: .cancelled))
        }
    }
}

@Suite("Money")
struct MoneyTests {
    let krw = CurrencyCode("KRW")!
    let usd = CurrencyCode("USD")!

    @Test func arithmeticIsExactInMinorUnits() throws {
        let a = Money(1_250, usd)
        #expect(try a.multiplied(by: 3).adding(Money(5, usd)).minorUnits == 3_755)
        #expect(try a.subtracting(Money(1_250, usd)).minorUnits == 0)
    }

    @Test func currenciesDoNotMix() {
        #expect(throws: Money.ArithmeticError.currencyMismatch) { try Money(1, krw).adding(Money(1, usd)) }
    }

    @Test func overflowIsAnErrorNotATrap() {
        #expect(throws: Money.ArithmeticError.overflow) { try Money(.max, krw).adding(Money(1, krw)) }
        #expect(throws: Money.ArithmeticError.overflow) { try Money(.max / 2, krw).multiplied(by: 3) }
    }
}
