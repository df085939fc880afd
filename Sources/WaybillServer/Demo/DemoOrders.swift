import Fluent
import Vapor
import WaybillCore

/// A few hundred past orders over the last six weeks, some of them doubtful on purpose (PO boxes,
/// unserved countries, duplicates, big totals, foreign billing), then worked on as an operator would.
struct DemoOrders {
    let application: Application
    let shop: Shop

    static let customers: [(String, String, String?, Address)] = [
        ("김민준", "minjun.kim@example.kr", "010-2345-6789", Address(name: "김민준", line1: "테헤란로 152", line2: "12층", city: "서울특별시 강남구", postalCode: "06236", country: "KR")),
        ("이서연", "seoyeon.lee@example.kr", "010-3456-7890", Address(name: "이서연", line1: "해운대해변로 264", city: "부산광역시 해운대구", postalCode: "48099", country: "KR")),
        ("박지훈", "jihoon.park@example.kr", "010-4567-8901", Address(name: "박지훈", line1: "중앙대로 1000", city: "대전광역시 서구", postalCode: "35208", country: "KR")),
        ("최수아", "sua.choi@example.kr", nil, Address(name: "최수아", line1: "평화로 2700", city: "제주특별자치도 제주시", postalCode: "63122", country: "KR")),
        ("정하준", "hajun.jung@example.kr", "010-5678-9012", Address(name: "정하준", line1: "동성로 12", city: "대구광역시 중구", postalCode: "41911", country: "KR")),
        ("강지우", "jiwoo.kang@example.kr", "010-6789-0123", Address(name: "강지우", line1: "판교역로 235", city: "경기도 성남시 분당구", postalCode: "13494", country: "KR")),
        ("윤서준", "seojun.yoon@example.kr", nil, Address(name: "윤서준", line1: "충장로 45", city: "광주광역시 동구", postalCode: "61475", country: "KR")),
        ("장예은", "yeeun.jang@example.kr", "010-7890-1234", Address(name: "장예은", line1: "인하로 100", city: "인천광역시 미추홀구", postalCode: "22212", country: "KR")),
        ("Emily Carter", "emily.carter@example.com", "+1 415 555 0132", Address(name: "Emily Carter", line1: "500 Howard St", city: "San Francisco", region: "CA", postalCode: "94105", country: "US")),
        ("James Miller", "james.miller@example.com", "(212) 555-0199", Address(name: "James Miller", line1: "350 5th Ave", line2: "Suite 4100", city: "New York", region: "NY", postalCode: "10118", country: "US")),
        ("Sato Yui", "yui.sato@example.jp", "+81 3-1234-5678", Address(name: "Sato Yui", line1: "1-1 Marunouchi", city: "Chiyoda-ku, Tokyo", postalCode: "1000005", country: "JP")),
        ("Olivia Brown", "olivia.brown@example.co.uk", nil, Address(name: "Olivia Brown", line1: "10 Downing Street", city: "London", postalCode: "sw1a 2aa", country: "GB")),
        ("Liam Tremblay", "liam.t@example.ca", nil, Address(name: "Liam Tremblay", line1: "290 Bremner Blvd", city: "Toronto", region: "ON", postalCode: "m5v3l9", country: "CA")),
        ("Anna Schmidt", "anna.schmidt@example.de", nil, Address(name: "Anna Schmidt", line1: "Unter den Linden 77", city: "Berlin", postalCode: "10117", country: "DE")),
    ]

    func place() async throws {
        var rng = SplitMix64(seed: 20261123)
        let variants = DemoCatalog.drafts.flatMap { $0.variants }
        let end = application.dependencies.clock.now()
        let start = end.addingTimeInterval(-42 * 86_400)
        let count = 320
        var placed: [(UUID, Date)] = []
        var i = 0
        var time = start
        while i < count {
            time = time.addingTimeInterval(Double(rng.next(upTo: 20_000)) + 600)
            if time > end { break }
            var (name, email, phone, address) = Self.customers[Int(rng.next(upTo: UInt64(Self.customers.count)))]
            var billing: Address? = nil
            if i % 25 == 7 { address.line1 = address.country == "KR" ? "우체국 사서함 \(100 + i)" : "PO Box \(100 + i)" }
            if i % 31 == 11 {
                (name, email, phone) = ("Lucas Souza", "lucas.souza@example.com.br", "+55 11 91234-5678")
                address = Address(name: name, line1: "Avenida Paulista 1578", city: "São Paulo", region: "SP", postalCode: "01310-200", country: "BR")
            }
            if i % 41 == 19 { billing = Address(name: name, line1: "1 Infinite Loop", city: "Cupertino", region: "CA", postalCode: "95014", country: "US") }
            let lineCount = 1 + Int(rng.next(upTo: 3))
            var lines: [CreateOrderRequest.Line] = []
            for pick in Set((0..<lineCount).map { _ in Int(rng.next(upTo: UInt64(variants.count))) }) {
                let quantity: Int64 = i % 37 == 23 ? 12 : Int64(1 + rng.next(upTo: 3))
                lines.append(.init(sku: variants[pick].sku, quantity: quantity, unitPrice: nil, discount: nil))
            }
            let subtotal = lines.reduce(Int64(0)) { sum, line in
                sum + (variants.first { $0.sku == line.sku }!.price) * line.quantity
            }
            let shipping: Int64 = address.country == "KR" ? (subtotal >= 50_000 ? 0 : 3_000) : 25_000
            let request = CreateOrderRequest(
                externalId: "D\(10_000 + i)", source: "demo", currency: "KRW", locale: address.country == "KR" ? "ko" : "en",
                customer: Customer(name: name, email: email, phone: phone), shippingAddress: address, billingAddress: billing,
                lineItems: lines, subtotal: nil, discountTotal: nil, shippingTotal: shipping, taxTotal: nil,
                total: subtotal + shipping, note: nil
            )
            let at = time
            let service = OrderService(application: application, db: application.db, clock: WaybillClock { at })
            let outcome = try await service.create(request, rawBody: Data("demo-\(i)".utf8), shop: try shop.rules, actor: .demo, idempotencyKey: nil)
            let dto = try JSONCoding.decoder.decode(OrderDTO.self, from: outcome.body)
            placed.append((dto.id, at))
            i += 1
            if i % 29 == 5 {
                // The customer pressed "buy" twice.
                var twin = request
                twin.externalId = "D\(10_000 + i)"
                let later = at.addingTimeInterval(180)
                _ = try await OrderService(application: application, db: application.db, clock: WaybillClock { later })
                    .create(twin, rawBody: Data("demo-\(i)-twin".utf8), shop: try shop.rules, actor: .demo, idempotencyKey: nil)
                i += 1
            }
        }
        try await workOn(placed, rng: &rng, now: end)
    }

    /// An operator's last weeks: some older holds released, a few orders cancelled.
    private func workOn(_ placed: [(UUID, Date)], rng: inout SplitMix64, now: Date) async throws {
        let shopID = try shop.requireID()
        let operatorActor = Actor.user(DemoSeeder.email)
        for (id, at) in placed where now.timeIntervalSince(at) > 5 * 86_400 {
            let later = at.addingTimeInterval(3_600 * Double(1 + rng.next(upTo: 20)))
            let service = OrderService(application: application, db: application.db, clock: WaybillClock { later })
            guard let order = try await Order.query(on: application.db).filter(\.$id == id).with(\.$holds).first() else { continue }
            let roll = rng.next(upTo: 100)
            if order.status == .onHold, order.holds.contains(where: { $0.reason == .suspectedDuplicate || $0.reason == .highValue }), roll < 60 {
                _ = try await service.release(orderID: id, shopID: shopID, reasons: nil, note: "checked with the customer", actor: operatorActor)
            } else if order.status == .onHold, roll < 40 {
                _ = try await service.cancel(orderID: id, shopID: shopID, reason: "could not ship to this address", actor: operatorActor)
            } else if order.status == .ready, roll < 5 {
                _ = try await service.cancel(orderID: id, shopID: shopID, reason: "customer asked to cancel", actor: operatorActor)
            }
        }
    }
}

/// A small, seedable generator so the demo is the same on every machine.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(upTo bound: UInt64) -> UInt64 { next() % bound }
}
