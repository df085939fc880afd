import Foundation
import Testing
import WaybillCore

@Suite("Codes clients send")
struct CodeTextTests {
    @Test func agreesWithTheRegularExpressionItReplaces() {
        let alphabet = Array("abcxyz019-_.AZ 한/") + ["\u{301}"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let text = String((0..<Int.random(in: 0...44, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            #expect(CodeText.isCode(text) == (text.range(of: "^[a-z0-9_-]{1,40}$", options: .regularExpression) != nil), "\(text)")
            #expect(CodeText.isCode(text, punctuation: "-_.") == (text.range(of: "^[a-z0-9_.-]{1,40}$", options: .regularExpression) != nil), "\(text)")
        }
        #expect(CodeText.isCode("cj") && CodeText.isCode("dhl_express") && !CodeText.isCode("") && !CodeText.isCode("CJ"))
        #expect(CodeText.isCode(String(repeating: "a", count: 40)) && !CodeText.isCode(String(repeating: "a", count: 41)))
    }
}
