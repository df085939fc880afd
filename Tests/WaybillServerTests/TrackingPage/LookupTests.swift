import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer
@testable import WaybillCore

@Suite("Finding an order without its link: lookup form and tracking number (W5)")
struct LookupTests {
    @Test func theRightDetailsOpenTheOrderAndWrongOnesAnswerLikeAnUnknownOrder() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1, email: "Mina@Example.com")
            let byEmail = try await t.form("/track/test", [("order_number", "#\(order)"), ("contact", "mina@example.com ")])
            #expect(byEmail.status == .seeOther)
            let location = try #require(byEmail.headers.first(name: .location))
            #expect(location.hasPrefix("/t/"))
            #expect(try await t.page(String(location)).text.contains("#\(order)"))
            #expect(try await t.form("/track/test", [("order_number", "\(order)"), ("contact", "06-236")]).status == .seeOther)

            let wrong = try await t.form("/track/test", [("order_number", "\(order)"), ("contact", "other@example.com")])
            let unknown = try await t.form("/track/test", [("order_number", "\(order + 500)"), ("contact", "mina@example.com")])
            #expect(wrong.status == .notFound && unknown.status == .notFound)
            #expect(wrong.text == unknown.text)
            #expect(wrong.text.contains("id=\"lookup-error\""))
            #expect(try await t.factCount("tracking_lookup") == 4)
            #expect(try await t.factCount("tracking_page_viewed") == 1)
        }
    }

    @Test func tenThousandGuessesRevealNothingAndAreSlowed() async throws {
        try await withTestApp { t in
            let order = try await t.stockedOrder(quantity: 1, email: "mina@example.com")
            var found = 0, limited = 0, refused = 0
            var bodies: Set<String> = []
            for i in 0..<10_000 {
                let r = try await t.form("/track/test", [("order_number", "\(order + i % 50)"), ("contact", "guess\(i)@example.com")])
                switch r.status {
                case .seeOther: found += 1
                case .tooManyRequests:
                    limited += 1
                    #expect(r.headers.first(name: .retryAfter) != nil)
                case .notFound: refused += 1
                default: Issue.record("unexpected \(r.status)")
                }
                if r.status == .notFound { bodies.insert(r.text) }
            }
            #expect(found == 0)
            // Ten tries at once from one client, then one every 6 s (the clock stands still here).
            #expect(refused == 10)
            #expect(limited == 9_990)
            #expect(bodies.count == 1)
        }
    }

    @Test func wrongGuessesForOneOrderAreLimitedWhoeverMakesThem() async throws {
        try await withTestApp(settings: { $0.clientIPHeader = "X-Forwarded-For" }) { t in
            let order = try await t.stockedOrder(quantity: 1, email: "mina@example.com")
            for i in 0..<5 {
                let r = try await t.form("/track/test", [("order_number", "\(order)"), ("contact", "x\(i)@example.com")],
                                         headers: ["X-Forwarded-For": "10.0.0.\(i)"])
                #expect(r.status == .notFound)
            }
            // From a sixth address, even the right details wait: the order number has had its tries.
            let r = try await t.form("/track/test", [("order_number", "\(order)"), ("contact", "mina@example.com")], headers: ["X-Forwarded-For": "10.0.0.99"])
            #expect(r.status == .tooManyRequests)
            t.time.advance(by: 200)
            let later = try await t.form("/track/test", [("order_number", "\(order)"), ("contact", "mina@example.com")], headers: ["X-Forwarded-For": "10.0.0.99"])
            #expect(later.status == .seeOther)
        }
    }

    @Test func aTrackingNumberAloneShowsTheParcelAndNothingPersonal() async throws {
        try await withTestApp { t in
            let order = try await t.shippedCJOrder(email: "secret.person@example.com")
            let page = try await t.page("/track/test/parcel?number=6230-1259-0022&lang=en")
            #expect(page.status == .ok)
            #expect(page.text.contains("class=\"card shipment\""))
            #expect(page.text.contains("상품인수"))
            for personal in ["secret.person", "테헤란로", "06236", "#\(order)", "Onggi jar"] { #expect(!page.text.contains(personal)) }
            let none = try await t.page("/track/test/parcel?number=999999999999&lang=en")
            #expect(none.status == .notFound)
            #expect(none.text.contains("id=\"parcel-error\""))
            #expect(try await t.page("/track/no-such-shop").status == .notFound)
        }
    }
}
