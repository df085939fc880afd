import Foundation
import WaybillCore

/// The document every customer-facing page is drawn in: the shop's brand band, the language switch, one
/// `main` landmark and inline CSS (one request, no third-party fonts or scripts, readable without JavaScript).
struct TrackingPageFrame {
    var shopName: String
    var settings: TrackingPageSettings
    var language: String
    /// The page's own path, for the language switch.
    var path: String

    var ko: Bool { language == "ko" }

    func document(title: String, body: String) -> String {
        let primary = BrandColors.parse(settings.primaryColor) == nil ? "#1f4b99" : settings.primaryColor
        let accent = BrandColors.accessibleOnWhite(primary)
        let font = settings.fontFamily.map { $0 + ", " } ?? ""
        let brand = settings.logoUrl.map { "<img src=\"\(esc($0))\" alt=\"\(esc(shopName))\" height=\"32\">" } ?? "<span class=\"shop\">\(esc(shopName))</span>"
        let tagline = settings.tagline.map { $0.text(language) }.flatMap { $0.isEmpty ? nil : "<p class=\"tag\">\(esc($0))</p>" } ?? ""
        return """
            <!doctype html>
            <html lang="\(language)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <meta name="robots" content="noindex"><title>\(esc(title)) · \(esc(shopName))</title>
            <style>\(Self.css(font: font, brand: primary, onBrand: BrandColors.textOn(primary), accent: accent, onAccent: BrandColors.textOn(accent)))</style></head>
            <body><a class="skip" href="#main">\(ko ? "본문으로 건너뛰기" : "Skip to content")</a>
            <header><div class="in"><div>\(brand)\(tagline)</div>
            <nav id="lang" aria-label="\(ko ? "언어" : "Language")"><a href="\(esc(path + (path.contains("?") ? "&" : "?")))lang=ko" hreflang="ko" lang="ko"\(ko ? " aria-current=\"true\"" : "")>한국어</a> <a href="\(esc(path + (path.contains("?") ? "&" : "?")))lang=en" hreflang="en" lang="en"\(ko ? "" : " aria-current=\"true\"")>English</a></nav>
            </div></header>
            <main id="main" tabindex="-1">
            \(body)
            </main>
            <footer><p>\(esc(shopName))\(settings.contactEmail.map { " · <a href=\"mailto:\(esc($0))\">\(esc($0))</a>" } ?? "")</p></footer>
            </body></html>
            """
    }

    /// The shop's delivery FAQ, each answer folded under its question.
    static func faq(_ entries: [TrackingPageSettings.FAQEntry], language: String) -> String {
        guard !entries.isEmpty else { return "" }
        var s = "<section class=\"card\" id=\"faq\" aria-labelledby=\"faq-h\"><h2 id=\"faq-h\">\(language == "ko" ? "자주 묻는 질문" : "Questions about delivery")</h2>"
        for entry in entries {
            s += "<details><summary>\(esc(entry.question.text(language)))</summary><p>\(esc(entry.answer.text(language)))</p></details>"
        }
        return s + "</section>\n"
    }

    static func css(font: String, brand: String, onBrand: String, accent: String, onAccent: String) -> String {
        """
        *{box-sizing:border-box}body{margin:0;font-family:\(font)system-ui,-apple-system,'Apple SD Gothic Neo','Malgun Gothic',sans-serif;\
        color:#1a1a1a;background:#f3f4f6;line-height:1.55}\
        .skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;color:#1a1a1a;padding:8px;z-index:9}\
        header{background:\(brand);color:\(onBrand)}header .in{max-width:720px;margin:0 auto;padding:12px 16px;display:flex;\
        justify-content:space-between;align-items:center;gap:8px;flex-wrap:wrap}header a{color:\(onBrand)}header img{display:block}\
        .shop{font-weight:700;font-size:1.1rem}.tag{margin:0;font-size:.85rem}nav a{margin-left:8px}nav a[aria-current]{font-weight:700}\
        main{max-width:720px;margin:0 auto;padding:16px}main:focus{outline:none}\
        .card{background:#fff;border-radius:8px;padding:16px;margin:0 0 16px;box-shadow:0 1px 2px rgba(0,0,0,.1);overflow-wrap:anywhere}\
        h1{font-size:1.45rem;line-height:1.3;margin:.25rem 0 .5rem}h2{font-size:1.1rem;margin:0 0 .5rem}h3{font-size:1rem;margin:1rem 0 .5rem}\
        .bad h1{color:#a61b1b}.muted{color:#4b5058;font-size:.9rem;margin:.25rem 0}dl{margin:.5rem 0}dt{font-size:.85rem;color:#4b5058}dd{margin:0 0 .5rem}\
        ol.progress{list-style:none;padding:0;margin:12px 0;display:flex;gap:4px}ol.progress li{flex:1;font-size:.75rem;text-align:center;\
        border-top:5px solid #c4c9d1;padding-top:6px;color:#4b5058;overflow-wrap:normal;word-break:keep-all}ol.progress li.done{border-color:\(accent);color:#1a1a1a}\
        ol.progress li[aria-current]{font-weight:700;color:#1a1a1a}\
        ol.scans{list-style:none;padding:0;margin:0}ol.scans li{border-left:3px solid #c4c9d1;padding:0 0 12px 12px;margin-left:4px}\
        ol.scans li:first-child{border-color:\(accent)}ol.scans time{display:block;font-size:.85rem;color:#4b5058}\
        ul.items{padding-left:1.2rem;margin:.25rem 0}a{color:\(accent)}\
        button{font:inherit;background:\(accent);color:\(onAccent);border:0;border-radius:6px;padding:.6rem 1.1rem;margin-top:12px;cursor:pointer}\
        button.secondary{background:#fff;color:\(accent);border:2px solid \(accent)}\
        :focus-visible{outline:3px solid #b45309;outline-offset:2px}label{display:block;font-weight:600;margin-top:10px}\
        input,select,textarea{font:inherit;width:100%;padding:.5rem;border:1px solid #6b7280;border-radius:6px;background:#fff;color:#1a1a1a}\
        input[type=checkbox]{width:auto;margin-right:.5rem}label.check{font-weight:400;display:flex;align-items:center}\
        details{border-top:1px solid #e5e7eb;padding:8px 0}summary{cursor:pointer;font-weight:600}\
        .notice{padding:12px 16px;border-radius:8px;margin:0 0 16px;background:#e7f5ec;border:1px solid #2f7d4f}\
        .notice.alert{background:#fdeceb;border-color:#b42318}.problem{border-left:5px solid #b42318}\
        .promos{display:grid;gap:12px;grid-template-columns:repeat(auto-fit,minmax(200px,1fr))}.promos img{max-width:100%;height:auto;border-radius:6px}\
        footer{max-width:720px;margin:0 auto;padding:0 16px 32px;font-size:.85rem;color:#4b5058}footer a{color:#4b5058}
        """
    }
}

/// Escapes text for HTML (the one escaper: `MessageTemplate.escapeHTML`).
func esc(_ text: String) -> String { MessageTemplate.escapeHTML(text) }
