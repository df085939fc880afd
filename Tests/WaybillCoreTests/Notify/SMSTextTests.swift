import Foundation
import Testing
@testable import WaybillCore

@Suite("SMS length")
struct SMSTextTests {
    @Test(arguments: [
        ("", 0), ("abc 123", 7), ("가", 2), ("주문이 접수되었어요", 19), ("[소담상회] 1042", 15),
        ("똠방각하", 8),            // Hangul outside the 2,350 of KS X 1001: CP949 still takes them in 2 bytes
        ("漢字", 4), ("①②", 4), ("※→", 4), ("ㄱㅏ", 4), ("€", 2), ("Ａ", 2),
        ("😀", 2), ("👨‍👩‍👧", 2), ("é", 2), ("ｱ", 2),     // outside EUC-KR: 2 each, and reported
        ("\r\n", 2), ("\u{1112}\u{1161}\u{11AB}", 2),  // decomposed 한 is composed first
    ])
    func koreanBytes(text: String, bytes: Int) {
        #expect(SMSText.koreanBytes(text) == bytes)
    }

    @Test func charactersOutsideEUCKRAreReportedOnce() {
        #expect(SMSText.unsupportedCharacters("배송 🚚 완료 😀🚚 é") == ["🚚", "😀", "é"])
        #expect(SMSText.unsupportedCharacters("주문 ①번, 漢字 ※ \u{1112}\u{1161}\u{11AB} ok").isEmpty)
        #expect(SMSText.plan("도착 😀").unsupported == ["😀"])
    }

    @Test(arguments: [
        (String(repeating: "가", count: 45), SMSPlan.Kind.sms, 90),
        (String(repeating: "가", count: 45) + "a", .lms, 91),
        (String(repeating: "a", count: 90), .sms, 90),
        (String(repeating: "가", count: 1000), .lms, 2000),
        ("", .sms, 0),
    ])
    func smsUpTo90BytesThenLMS(text: String, kind: SMSPlan.Kind, bytes: Int) {
        let plan = SMSText.plan(text)
        #expect(plan.kind == kind)
        #expect(plan.bytes == bytes)
        #expect(plan.parts == [text])
    }

    @Test func longKoreanTextSplitsAtSpacesIntoLMSPartsOfAtMost2000Bytes() {
        let words = (0..<625).map { ["배송이", "시작", "되었어요"][$0 % 3] + "\($0 % 10)" }
        let text = words.joined(separator: " ") + "."
        #expect(SMSText.koreanBytes(text) == 5000)
        let plan = SMSText.plan(text)
        #expect(plan.kind == .lms)
        #expect(plan.parts.count == 3)
        for part in plan.parts {
            #expect(SMSText.koreanBytes(part) <= 2000)
            #expect(part.first?.isWhitespace == false && part.last?.isWhitespace == false)
        }
        #expect(plan.parts.joined(separator: " ") == text)
    }

    @Test func aLineBreakInTheSecondHalfIsPreferredToTheLastSpace() {
        let paragraph = String(repeating: "가나다 ", count: 200) + "끝.\n"   // 1,404 bytes
        let text = paragraph + String(repeating: "라마바 ", count: 300)
        let plan = SMSText.plan(text)
        #expect(plan.parts.first == String(paragraph.dropLast()))
        #expect(plan.parts.allSatisfy { SMSText.koreanBytes($0) <= 2000 })
        #expect(plan.parts.joined(separator: " ").split(whereSeparator: \.isWhitespace) == text.split(whereSeparator: \.isWhitespace))
    }

    @Test func textWithoutSpacesIsCutBetweenCharacters() {
        let text = String(repeating: "가", count: 2500)
        let plan = SMSText.plan(text)
        #expect(plan.parts.map { SMSText.koreanBytes($0) } == [2000, 2000, 1000])
        #expect(plan.parts.joined() == text)
    }

    @Test func aCutNeverSplitsACharacter() {
        let family = "👨‍👩‍👧", decomposed = "\u{1112}\u{1161}\u{11AB}"
        let text = String(repeating: family + decomposed + "\r\n", count: 7)
        let plan = SMSText.plan(text, smsLimit: 4, lmsLimit: 5)
        #expect(plan.kind == .lms)
        #expect(plan.parts.allSatisfy { SMSText.koreanBytes($0) <= 5 })
        let kept = plan.parts.joined()
        #expect(kept == text.filter { !$0.isWhitespace })
        #expect(kept.filter { $0 == Character(family) }.count == 7)
        #expect(kept.filter { $0 == Character(decomposed) }.count == 7)
    }

    @Test(arguments: [
        ("", 0), (String(repeating: "a", count: 160), 1), (String(repeating: "a", count: 161), 2),
        (String(repeating: "a", count: 306), 2), (String(repeating: "a", count: 307), 3),
        (String(repeating: "€", count: 80), 1), (String(repeating: "€", count: 81), 2),
        // An escape pair is never split: 76 per part, not 76.5.
        (String(repeating: "€", count: 152), 2), (String(repeating: "€", count: 153), 3),
        ("Çà ñ ÄÖÜ ß @£$¥ {}[]~", 1),
        (String(repeating: "가", count: 70), 1), (String(repeating: "가", count: 71), 2),
        (String(repeating: "가", count: 134), 2), (String(repeating: "가", count: 135), 3),
        (String(repeating: "a", count: 159) + "ç", 3),  // ç is not GSM-7 (Ç is): the whole message goes UCS-2
        (String(repeating: "😀", count: 35), 1), (String(repeating: "😀", count: 36), 2),
    ])
    func gsmSegments(text: String, segments: Int) {
        #expect(SMSText.gsmSegments(text) == segments)
    }
}
