/// Identifiers clients send (carrier and service codes, an order's source): checked by hand rather than with
/// a regular expression, which Foundation and Swift compile again on every use (the quote endpoint's check was
/// 11.7% of its CPU in a profile).
public enum CodeText {
    /// 1 to `maximum` of ASCII a–z, 0–9 and the characters in `punctuation`.
    public static func isCode(_ text: String, maximum: Int = 40, punctuation: String = "-_") -> Bool {
        let allowed = Array(punctuation.utf8)
        return (1...maximum).contains(text.utf8.count)
            && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || allowed.contains($0) }
    }
}
