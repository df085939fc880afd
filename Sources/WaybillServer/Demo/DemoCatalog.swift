import WaybillCore

/// The demo shop's catalog: a Seoul homeware shop with Korean and English names.
enum DemoCatalog {
    /// (handle, Korean name, English name, price in KRW, weight in grams, sizes)
    static let items: [(String, String, String, Int64, Int, [String])] = [
        ("linen-duvet-cover", "린넨 이불 커버", "Linen duvet cover", 89_000, 1_200, ["SS", "Q", "K"]),
        ("cotton-pillowcase", "순면 베개 커버", "Cotton pillowcase", 19_000, 250, []),
        ("hanji-lamp", "한지 조명", "Hanji paper lamp", 129_000, 1_800, []),
        ("brass-spoon-set", "방짜 유기 수저 세트", "Bangjja brass spoon set", 58_000, 400, []),
        ("celadon-cup", "청자 찻잔", "Celadon tea cup", 32_000, 300, []),
        ("white-porcelain-bowl", "백자 사발", "White porcelain bowl", 27_000, 450, ["S", "M", "L"]),
        ("onggi-jar", "옹기 항아리", "Onggi fermentation jar", 76_000, 4_500, ["3L", "5L"]),
        ("bamboo-tray", "대나무 쟁반", "Bamboo tray", 24_000, 600, []),
        ("najeon-coaster", "나전 코스터", "Mother-of-pearl coaster", 15_000, 80, []),
        ("bojagi-wrap", "보자기", "Bojagi wrapping cloth", 12_000, 90, ["S", "L"]),
        ("silk-cushion", "실크 쿠션", "Silk cushion", 68_000, 700, []),
        ("wool-throw", "울 담요", "Wool throw", 112_000, 1_400, []),
        ("oak-cutting-board", "참나무 도마", "Oak cutting board", 45_000, 1_600, ["M", "L"]),
        ("stone-mortar", "돌절구", "Stone mortar", 54_000, 3_200, []),
        ("tea-kettle", "무쇠 주전자", "Cast-iron kettle", 98_000, 2_100, []),
        ("green-tea-jeju", "제주 녹차", "Jeju green tea", 22_000, 150, []),
        ("omija-syrup", "오미자 청", "Omija syrup", 26_000, 900, []),
        ("yuja-tea", "유자차", "Yuja tea", 18_000, 1_000, []),
        ("sesame-oil", "참기름", "Cold-pressed sesame oil", 21_000, 400, []),
        ("perilla-oil", "들기름", "Perilla oil", 23_000, 400, []),
        ("gochujang-jar", "전통 고추장", "Traditional gochujang", 17_000, 1_100, []),
        ("doenjang-jar", "전통 된장", "Traditional doenjang", 16_000, 1_100, []),
        ("sea-salt", "신안 천일염", "Sinan sea salt", 9_000, 1_000, []),
        ("soy-candle", "소이 캔들", "Soy candle", 29_000, 350, ["Pine", "Fig"]),
        ("incense-set", "향 세트", "Incense set", 14_000, 120, []),
        ("linen-apron", "린넨 앞치마", "Linen apron", 39_000, 300, []),
        ("cotton-towel", "순면 수건", "Cotton towel", 11_000, 200, ["Face", "Bath"]),
        ("hinoki-bath-mat", "편백 욕실 매트", "Hinoki bath mat", 62_000, 2_000, []),
        ("rattan-basket", "라탄 바구니", "Rattan basket", 36_000, 500, ["S", "M"]),
        ("ceramic-vase", "분청 화병", "Buncheong vase", 84_000, 1_300, []),
        ("paper-notebook", "한지 노트", "Hanji notebook", 13_000, 200, []),
        ("ink-brush-set", "붓 세트", "Ink brush set", 33_000, 250, []),
        ("wooden-comb", "나무 빗", "Wooden comb", 8_000, 40, []),
        ("silk-eye-mask", "실크 안대", "Silk eye mask", 19_000, 30, []),
        ("linen-curtain", "린넨 커튼", "Linen curtain", 74_000, 1_100, ["140", "200"]),
        ("floor-cushion", "방석", "Floor cushion", 42_000, 900, []),
        ("low-table", "소반", "Soban low table", 189_000, 6_500, []),
        ("folding-screen", "병풍", "Folding screen", 320_000, 9_000, []),
        ("door-knocker", "문고리", "Brass door pull", 27_000, 350, []),
        ("moon-jar-mini", "미니 달항아리", "Mini moon jar", 150_000, 1_900, []),
        ("rice-cooker-pot", "가마솥", "Gamasot rice pot", 132_000, 5_500, []),
        ("stone-pot", "돌솥", "Dolsot stone bowl", 38_000, 2_400, []),
        ("steel-chopsticks", "스테인리스 젓가락", "Steel chopsticks", 7_000, 60, []),
        ("banchan-dishes", "반찬 그릇 세트", "Banchan dish set", 49_000, 1_500, []),
        ("hand-fan", "합죽선", "Folding hand fan", 25_000, 100, []),
        ("knot-keyring", "매듭 키링", "Maedeup knot keyring", 9_500, 20, []),
        ("hemp-slippers", "삼베 슬리퍼", "Hemp slippers", 21_000, 250, ["M", "L"]),
        ("cotton-pajamas", "순면 잠옷", "Cotton pajamas", 59_000, 450, ["S", "M", "L"]),
        ("gift-box", "선물 상자", "Gift box", 5_000, 150, []),
        ("gift-card", "기프트 카드", "Gift card", 50_000, 10, []),
    ]

    static var drafts: [ProductDraft] {
        items.enumerated().map { index, item in
            let (handle, ko, en, price, grams, sizes) = item
            let code = String(format: "HL-%03d", index + 1)
            let variants: [VariantDraft] = sizes.isEmpty
                ? [VariantDraft(sku: code, price: price, weightGrams: grams, lengthMm: 300, widthMm: 200, heightMm: 100)]
                : sizes.enumerated().map { i, size in
                    VariantDraft(sku: "\(code)-\(size.uppercased())", titles: ["ko": size, "en": size],
                                 price: price + Int64(i) * 10_000, weightGrams: grams + i * 100,
                                 lengthMm: 300, widthMm: 200, heightMm: 100)
                }
            return ProductDraft(handle: handle, names: ["ko": ko, "en": en],
                                descriptions: ["ko": "\(ko) — 한강 리빙 셀렉션", "en": "\(en) from the Hangang Living selection"],
                                active: true, variants: variants)
        }
    }

    /// Last season's colour, still in the Busan warehouse and no longer offered: the demo's dead stock.
    static let discontinued = ProductDraft(
        handle: "autumn-table-runner", names: ["ko": "가을 식탁 러너 (단종)", "en": "Autumn table runner (discontinued)"],
        descriptions: ["ko": "지난 시즌 색상", "en": "Last season's colour"], active: true,
        variants: [VariantDraft(sku: "HL-900", price: 34_000, weightGrams: 300, lengthMm: 400, widthMm: 100, heightMm: 50)])
}
