import Foundation

/// WCAG 2.1 contrast for the shop's brand colour: a colour that cannot carry text at 4.5:1 on white is
/// darkened until it can, and the text on a brand-coloured band is whichever of black and white reads better.
public enum BrandColors {
    /// `#rrggbb` (or `#rgb`) to components 0…255; nil for anything else.
    public static func parse(_ hex: String) -> (Int, Int, Int)? {
        var s = Substring(hex)
        guard s.first == "#" else { return nil }
        s = s.dropFirst()
        if s.count == 3 { s = Substring(s.map { "\($0)\($0)" }.joined()) }
        guard s.count == 6, let v = Int(s, radix: 16) else { return nil }
        return ((v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF)
    }

    public static func hex(_ c: (Int, Int, Int)) -> String {
        "#" + [c.0, c.1, c.2].map { String(format2($0)) }.joined()
    }

    private static func format2(_ v: Int) -> String {
        let s = String(max(0, min(255, v)), radix: 16)
        return s.count == 1 ? "0" + s : s
    }

    public static func luminance(_ c: (Int, Int, Int)) -> Double {
        func channel(_ v: Int) -> Double {
            let x = Double(v) / 255
            return x <= 0.03928 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
    }

    public static func contrast(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Double {
        let (x, y) = (luminance(a), luminance(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    /// The brand colour, darkened in steps until text in it on white reaches 4.5:1.
    public static func accessibleOnWhite(_ hex: String, fallback: String = "#1f4b99") -> String {
        guard var c = parse(hex) else { return fallback }
        var steps = 0
        while contrast(c, (255, 255, 255)) < 4.5 && steps < 40 {
            c = (c.0 * 9 / 10, c.1 * 9 / 10, c.2 * 9 / 10)
            steps += 1
        }
        return self.hex(c)
    }

    /// Black or white, whichever reads better on `background`.
    public static func textOn(_ background: String) -> String {
        guard let c = parse(background) else { return "#ffffff" }
        return contrast(c, (0, 0, 0)) >= contrast(c, (255, 255, 255)) ? "#000000" : "#ffffff"
    }
}
