import Foundation
import Testing
import WaybillCore

@Suite("Hexadecimal")
struct HexTests {
    @Test func twoLowercaseDigitsPerByteAsTheFormatterWrites() {
        #expect([UInt8]().hexString == "")
        #expect([0x00, 0x0f, 0xa0, 0xff].hexString == "000fa0ff")
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(bytes.hexString == bytes.map { String(format: "%02x", $0) }.joined())
        }
    }
}
