import Foundation
import Testing
@testable import WaybillCore

/// A small schema and context of its own, so these tests do not move when the notification content does.
enum TemplateFixtures {
    static let schema = TemplateSchema(
        values: ["shop.name", "customer.name", "order.number", "promise.latest", "flag", "note"],
        lists: [
            "order.items": TemplateSchema(values: ["name", "quantity"], lists: ["options": TemplateSchema(values: ["label"])]),
            "tags": TemplateSchema(values: ["text"]),
        ])

    static let context = TemplateValue(paths: [
        "shop.name": "Tom & Jerry's <Deli>", "customer.name": "지은", "order.number": "1042",
        "promise.latest": "3월 17일(월)", "flag": true, "note": "",
        "order.items": [["name": "Rice", "quantity": "2", "options": [["label": "2 kg"], ["label": "brown"]]],
                        ["name": "Oil", "quantity": "1", "options": []]],
        "tags": [],
    ])

    static func render(_ source: String, _ context: TemplateValue = context, html: Bool = false) throws -> String {
        try MessageTemplate(source, schema: schema).render(context, html: html)
    }
}

@Suite("Message templates: rendering")
struct MessageTemplateRenderingTests {
    typealias F = TemplateFixtures

    @Test(arguments: [
        ("Hi {{customer.name}}!", false, "Hi 지은!"),
        ("{{  shop.name  }}", false, "Tom & Jerry's <Deli>"),
        ("{{shop.name}}", true, "Tom &amp; Jerry&#39;s &lt;Deli&gt;"),
        ("<a title=\"{{shop.name}}\">x</a>", true, "<a title=\"Tom &amp; Jerry&#39;s &lt;Deli&gt;\">x</a>"),
        ("<b>{{order.number}}</b>", true, "<b>1042</b>"),
        ("{{#if promise}}by {{promise.latest}}{{else}}soon{{/if}}", false, "by 3월 17일(월)"),
        ("{{#if note}}note{{else}}no note{{/if}}", false, "no note"),
        ("{{#if tags}}tags{{else}}no tags{{/if}}", false, "no tags"),
        ("{{#if flag}}on{{/if}}", false, "on"),
        ("{{#unless note}}empty{{/unless}}", false, "empty"),
        ("{{#unless flag}}off{{else}}on{{/unless}}", false, "on"),
        ("{{#each order.items}}{{name}}×{{quantity}};{{/each}}", false, "Rice×2;Oil×1;"),
        ("{{#each order.items}}{{order.number}}/{{name}} {{/each}}", false, "1042/Rice 1042/Oil "),
        ("{{#each order.items}}{{@index}}.{{name}} {{/each}}", false, "1.Rice 2.Oil "),
        ("{{#each order.items}}{{name}}({{#each options}}{{label}}@{{@index}}{{name}},{{/each}}) {{/each}}", false,
         "Rice(2 kg@1Rice,brown@2Rice,) Oil() "),
        ("{{#each order.items}}{{#if options}}{{name}} has options{{else}}{{name}} plain{{/if}}; {{/each}}", false,
         "Rice has options; Oil plain; "),
        ("{{#each tags}}{{text}}{{else}}no tags{{/each}}", false, "no tags"),
        ("{{#if flag}}{{#unless note}}{{#each order.items}}{{name}}{{/each}}{{/unless}}{{/if}}", false, "RiceOil"),
        ("a{{! a comment }}b", false, "ab"),
    ])
    func renders(source: String, html: Bool, expected: String) throws {
        #expect(try F.render(source, html: html) == expected)
    }

    @Test(arguments: [
        ("A\n{{#if flag}}\nB\n{{/if}}\nC", "A\nB\nC"),
        ("A\n{{#if note}}\nB\n{{/if}}\nC", "A\nC"),
        ("A\n  {{#if flag}}  \n  B\n  {{/if}}\nC\n", "A\n  B\nC\n"),
        ("A\r\n{{#if flag}}\r\nB\r\n{{/if}}\r\nC", "A\r\nB\r\nC"),
        ("{{#each order.items}}\n- {{name}}\n{{/each}}\n", "- Rice\n- Oil\n"),
        ("{{! only a comment }}\nA", "A"),
        ("A {{#if flag}}B{{/if}}\nC", "A B\nC"),
        ("{{order.number}}\n{{#if flag}}x{{/if}}\n", "1042\nx\n"),
    ])
    func blockTagsAloneOnALineLeaveNoBlankLine(source: String, expected: String) throws {
        #expect(try F.render(source) == expected)
    }

    @Test func aValueMissingAtRenderTimeRendersEmpty() throws {
        let context = TemplateValue(paths: ["order.number": "7", "order.items": [["quantity": "3"]]])
        #expect(try F.render("[{{shop.name}}] {{order.number}} {{#each order.items}}<{{name}}:{{quantity}}>{{/each}}", context) == "[] 7 <:3>")
        #expect(try F.render("{{#if promise}}yes{{else}}no{{/if}}", .object([:])) == "no")
        // A value of the wrong shape shows nothing rather than failing the message.
        #expect(try F.render("{{order.number}}{{#each order.items}}x{{/each}}", ["order": ["number": ["1"], "items": "x"]]) == "")
    }

    @Test func anItemNameShadowsTheSameNameOutside() throws {
        let schema = TemplateSchema(values: ["name"], lists: ["items": TemplateSchema(values: ["name"])])
        let template = try MessageTemplate("{{name}}:{{#each items}}{{name}},{{/each}}", schema: schema)
        #expect(template.render(["name": "outer", "items": [["name": "a"], [:]]], html: false) == "outer:a,,")
    }

    @Test(arguments: [
        ("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        ("\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
        ("{{shop.name}}", "{{shop.name}}"),
    ])
    func valuesCannotInjectMarkupOrTags(value: String, escaped: String) throws {
        let context = TemplateValue(paths: ["customer.name": .string(value), "shop.name": "S"])
        #expect(try F.render("<p title=\"{{customer.name}}\">{{customer.name}}</p>", context, html: true)
            == "<p title=\"\(escaped)\">\(escaped)</p>")
        #expect(try F.render("{{customer.name}}", context) == value)
    }

    @Test func templatesUpToTheLimitAreAccepted() throws {
        let atLimit = String(repeating: "가", count: MessageTemplate.maxLength - 15) + "{{shop.name}}ab"
        #expect(atLimit.count == 20_000)
        #expect(try F.render(atLimit).count == 19_985 + 20 + 2)
        let over = atLimit + "!"
        let error = #expect(throws: TemplateError.self) { try MessageTemplate(over, schema: F.schema) }
        #expect(error?.line == 1)
        #expect(error?.description == "line 1: the template is longer than 20,000 characters")
    }

    @Test func theSourceIsKept() throws {
        #expect(try MessageTemplate("Hi {{ customer.name }}", schema: F.schema).source == "Hi {{ customer.name }}")
    }
}

@Suite("Message templates: errors")
struct MessageTemplateErrorTests {
    typealias F = TemplateFixtures

    @Test(arguments: [
        ("Hi\n{{ order.numbr }}", 2, 1, "unknown value 'order.numbr'; did you mean 'order.number'?"),
        ("{{ customer.nmae }}", 1, 1, "unknown value 'customer.nmae'; did you mean 'customer.name'?"),
        ("{{ shipment.carrier }}", 1, 1, "unknown value 'shipment.carrier'"),
        ("a\nb\n{{#if promise}}\nx", 3, 1, "{{#if promise}} is never closed"),
        ("{{#if flag}}{{/if}}\n{{#each order.items}}{{#if name}}{{/if}}", 2, 1, "{{#each order.items}} is never closed"),
        ("{{#each order.items}}\n{{#if name}}\n{{name}}\n\n{{/each}}", 5, 1, "{{/each}} closes {{#if}}"),
        ("Hello {{ shop.name", 1, 7, "'{{' without '}}'"),
        ("{{shop.name}}\n  {{ shop.name {{ order.number }}", 2, 3, "'{{' without '}}'"),
        ("x {{}}", 1, 3, "empty {{ }}"),
        ("{{   }}", 1, 1, "empty {{ }}"),
        ("\n\n{{/if}}", 3, 1, "{{/if}} has no {{#if}} to close"),
        ("{{/if promise}}", 1, 1, "a closing tag takes only the block's name, as in {{/if}}"),
        ("{{/with}}", 1, 1, "unknown block '{{/with}}'"),
        ("{{else}}", 1, 1, "{{else}} outside {{#if}}, {{#unless}} or {{#each}}"),
        ("{{#if flag}}a{{else}}b\n{{else}}c{{/if}}", 2, 1, "second {{else}} in {{#if flag}}"),
        ("{{#if flag}}{{else if note}}{{/if}}", 1, 13, "{{else}} takes nothing after it; put another {{#if}} inside the {{else}}"),
        ("{{#with order}}{{/with}}", 1, 1, "unknown block '{{#with}}'; use #if, #unless or #each"),
        ("{{#if}}{{/if}}", 1, 1, "{{#if}} needs a value, as in {{#if promise}}"),
        ("{{#each}}{{/each}}", 1, 1, "{{#each}} needs a value, as in {{#each order.items}}"),
        ("{{#each order.number}}{{/each}}", 1, 1, "'order.number' is not a list, so {{#each}} cannot loop over it"),
        ("{{ order.items }}", 1, 1, "'order.items' is a list: loop over it with {{#each order.items}}…{{/each}}"),
        ("{{ order }}", 1, 1, "'order' is a group of values; show one of them such as {{order.number}}"),
        ("{{{ shop.name }}}", 1, 1, "'{{{' is not supported: write {{ name }}; values are escaped where they must be"),
        ("{{> footer }}", 1, 1, "partials ({{> …}}) are not supported"),
        ("{{@index}}", 1, 1, "{{@index}} is only available inside {{#each}}"),
        ("{{#each tags}}{{else}}{{@index}}{{/each}}", 1, 23, "{{@index}} is only available inside {{#each}}"),
        ("{{@key}}", 1, 1, "unknown value '@key'; only {{@index}} is offered"),
        ("{{ order number }}", 1, 1, "'order number' is not a value name"),
        ("{{ shop.name | upper }}", 1, 1, "'shop.name | upper' is not a value name"),
        ("{{ shop..name }}", 1, 1, "'shop..name' is not a value name"),
        ("{{ constructor() }}", 1, 1, "'constructor()' is not a value name"),
        ("{{#each order.items}}{{quantity}}{{else}}{{quantity}}{{/each}}", 1, 42, "unknown value 'quantity'"),
        ("{{#each tags}}{{ name }}{{/each}}", 1, 15, "unknown value 'name'"),
        ("가나다 {{ nope }}", 1, 5, "unknown value 'nope'; did you mean 'note'?"),
        ("ab\n가나다 {{ zzz }}", 2, 5, "unknown value 'zzz'"),
        ("a{{! a {{ b }}", 1, 2, "'{{' without '}}'"),
    ])
    func refusedWithTheLineAndColumn(source: String, line: Int, column: Int, message: String) {
        let error = #expect(throws: TemplateError.self) { try MessageTemplate(source, schema: F.schema) }
        #expect(error == TemplateError(line: line, column: column, message: message))
        #expect(error?.description == "line \(line): \(message)")
    }

    @Test func nestingIsBounded() throws {
        let deep = { (n: Int) in String(repeating: "{{#if flag}}", count: n) + String(repeating: "{{/if}}", count: n) }
        #expect(try F.render(deep(TemplateParser.maxDepth)) == "")
        let error = #expect(throws: TemplateError.self) { try MessageTemplate(deep(TemplateParser.maxDepth + 1), schema: F.schema) }
        #expect(error?.message == "blocks are nested more than 16 deep")
    }

    @Test func everyNameIsCheckedAgainstTheSchema() {
        let schema = NotificationContent.schema(for: .orderConfirmed)
        for name in ["shipment.carrier", "revised.expected", "compensation.code", "cancellation.reason", "order.itmes", "shop"] {
            #expect(throws: TemplateError.self, "\(name)") { try MessageTemplate("{{#each order.items}}{{\(name)}}{{/each}}", schema: schema) }
        }
        #expect(throws: Never.self) { try MessageTemplate("{{#if promise}}{{promise.range}}{{/if}}", schema: schema) }
    }
}
