import Foundation
import Testing
@testable import WaybillCore

@Suite("Template values and schemas")
struct TemplateDataTests {
    @Test func dottedPathsBuildNestedObjects() {
        var value = TemplateValue(paths: ["order.number": "1042", "order.total": "₩38,500", "promise.latest": nil, "flag": true])
        #expect(value == ["order": ["number": "1042", "total": "₩38,500"], "flag": true])
        #expect(value["order.number"] == "1042")
        #expect(value["promise"] == nil && value["order.number.x"] == nil)
        value.set("order.items", [["name": "Rice"]])
        value.set("order.total", nil)
        value.set("promise.range", nil)
        #expect(value == ["order": ["number": "1042", "items": [["name": "Rice"]]], "flag": true])
    }

    @Test(arguments: [
        (TemplateValue.string(""), false), ("x", true), (false, false), (true, true), ([], false), (["x"], true),
        (.object([:]), true),
    ] as [(TemplateValue, Bool)])
    func truthiness(value: TemplateValue, truthy: Bool) {
        #expect(value.isTruthy == truthy)
    }

    @Test func jsonRoundTripsAndTakesNumbersAsText() throws {
        let json = #"{"order":{"number":1042,"total":"₩38,500","paid":true,"items":[{"name":"Rice","quantity":1},{"name":"Oil","quantity":0}],"note":null}}"#
        let value = try JSONDecoder().decode(TemplateValue.self, from: Data(json.utf8))
        #expect(value == ["order": ["number": "1042", "total": "₩38,500", "paid": true, "items": [["name": "Rice", "quantity": "1"], ["name": "Oil", "quantity": "0"]]]])
        let again = try JSONDecoder().decode(TemplateValue.self, from: JSONEncoder().encode(value))
        #expect(again == value)
    }

    @Test func schemasListPathsAndKinds() {
        let schema = TemplateSchema(values: ["order.number", "order", "shop.name"],
                                    lists: ["order.items": TemplateSchema(values: ["name", "sku"])])
        #expect(schema.paths == ["order.items[]", "order.items[].name", "order.items[].sku", "order.number", "shop.name"])
        #expect(schema.kind(of: "order") == .group)
        #expect(schema.kind(of: "order.items") == .list)
        #expect(schema.kind(of: "order.number") == .value)
        #expect(schema.kind(of: "order.items.name") == nil)
        #expect(schema.item(of: "order.items")?.paths == ["name", "sku"])
        let merged = schema.merging(TemplateSchema(values: ["event.text"], lists: ["order.items": TemplateSchema(values: ["quantity"])]))
        #expect(merged.item(of: "order.items")?.paths == ["name", "quantity", "sku"])
        #expect(merged.kind(of: "event.text") == .value)
    }
}
