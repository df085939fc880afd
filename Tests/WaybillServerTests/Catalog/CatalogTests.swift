import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import WaybillServer
@testable import WaybillCore

@Suite("Catalog: API and CSV import")
struct CatalogTests {
    @Test func productsAreCreatedThenUpdatedByHandle() async throws {
        try await withTestApp { t in
            let body = #"{"handle":"moon-jar","names":{"ko":"달항아리","en":"Moon jar"},"variants":[{"sku":"JAR-S","price":150000,"weight_grams":1900}]}"#
            let created = try await t.send(.POST, "/api/v1/products", json: body)
            #expect(created.status == .created)
            let updated = try await t.send(.POST, "/api/v1/products", json: body.replacingOccurrences(of: "150000", with: "160000"))
            #expect(updated.status == .ok)
            let variants = try updated.json()["variants"] as? [[String: Any]]
            #expect(variants?.first?["price"] as? Int == 160_000)
            let show = try await t.send(.GET, "/api/v1/products/moon-jar")
            #expect((try show.json()["names"] as? [String: String])?["ko"] == "달항아리")
            let list = try await t.send(.GET, "/api/v1/products?limit=2")
            #expect((try list.json()["data"] as? [Any])?.count == 2)
            #expect(try list.json()["next_cursor"] as? String != nil)
        }
    }

    @Test func aSKUCannotMoveBetweenProductsOrBeInvalid() async throws {
        try await withTestApp { t in
            let steal = try await t.send(.POST, "/api/v1/products", json: #"{"handle":"thief","names":{"en":"Thief"},"variants":[{"sku":"MUG-1","price":1}]}"#)
            #expect(steal.status == .unprocessableEntity)
            #expect(try steal.errorFields() == ["variants[0].sku"])
            #expect(try await Product.query(on: t.app.db).filter(\.$handle == "thief").count() == 0)
            let bad = try await t.send(.POST, "/api/v1/products", json: #"{"handle":"X Y","names":{},"variants":[{"sku":"","price":-5}]}"#)
            #expect(Set(try bad.errorFields()) == ["handle", "names", "variants[0].sku", "variants[0].price"])
        }
    }

    @Test func csvRowsAreAcceptedOrRefusedWithReasons() throws {
        let csv = """
            handle,sku,name_en,name_ko,variant_en,price,currency,weight_g,active
            celadon-cup,CUP-S,Celadon cup,청자 찻잔,Small,"32,000",KRW,300,true
            celadon-cup,CUP-L,,,Large,38000,KRW,420,yes
            ,NOHANDLE,Broken,,,1000,KRW,,true
            bowl,BOWL-1,Bowl,사발,,12.5,KRW,abc,true
            tray,TRAY-9,Tray,쟁반,,24000,KRW,600,maybe
            usd-item,USD-1,Thing,,,12.50,USD,100,true
            """
        let parsed = try ProductImport.parse(csv, defaultCurrency: "KRW")
        #expect(parsed.products.map(\.handle) == ["celadon-cup", "usd-item"])
        #expect(parsed.products[0].variants.map(\.sku) == ["CUP-S", "CUP-L"])
        #expect(parsed.products[0].variants[0].price == 32_000)
        #expect(parsed.products[1].variants[0].price == 1_250)
        #expect(parsed.refused.map(\.line) == [4, 5, 6])
        #expect(parsed.refused[1].reasons.contains { $0.contains("12.5") })
        #expect(parsed.refused[1].reasons.contains { $0.contains("weight_g") })
        #expect(parsed.refused[2].reasons.contains { $0.contains("active") })
        #expect(parsed.rowCount == 6)
    }

    @Test func aCSVWithoutRequiredColumnsIsRefusedWhole() {
        #expect(throws: ValidationFailure.self) { try ProductImport.parse("sku,name_en\nA,B\n", defaultCurrency: "KRW") }
    }

    @Test func importingWritesAllAcceptedRowsInOneTransaction() async throws {
        try await withTestApp { t in
            let csv = "handle,sku,name_en,price\nlamp,LAMP-1,Lamp,129000\nlamp,LAMP-2,Lamp,139000\n"
            let parsed = try ProductImport.parse(csv, defaultCurrency: "KRW")
            try await t.app.write { db in
                for p in parsed.products { try await CatalogService(db: db, now: TestApp.start, newID: { UUID() }).upsert(p, shop: t.shop) }
            }
            #expect(try await Variant.query(on: t.app.db).filter(\.$sku ~~ ["LAMP-1", "LAMP-2"]).count() == 2)
            // A failure part-way rolls every row back.
            let failing = try ProductImport.parse("handle,sku,name_en,price\nvase,VASE-1,Vase,1\nthief,MUG-1,Thief,1\n", defaultCurrency: "KRW")
            await #expect(throws: (any Error).self) {
                try await t.app.write { db in
                    for p in failing.products { try await CatalogService(db: db, now: TestApp.start, newID: { UUID() }).upsert(p, shop: t.shop) }
                }
            }
            #expect(try await Variant.query(on: t.app.db).filter(\.$sku == "VASE-1").count() == 0)
        }
    }
}
