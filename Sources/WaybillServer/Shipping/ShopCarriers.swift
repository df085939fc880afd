import Fluent
import Foundation
import SQLKit
import Vapor
import WaybillCore

/// The carriers a shop adds by configuration (a regional courier, a freight forwarder): name, tracking-page
/// template and number patterns, validated together with the built-ins (Core `CarrierRegistry`).
struct M021CreateShopCarriers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("shop_carriers")
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("code", .string, .required)
            .field("definition", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "shop_id", "code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("shop_carriers").delete()
    }
}

enum ShopCarriers {
    /// The shop's registry: built-ins plus its own carriers. Definitions were validated when saved; one that
    /// no longer validates (a newer built-in took its code) is left out and logged rather than breaking shipping.
    static func registry(shopID: UUID, sql: any SQLDatabase, logger: Logger) async throws -> CarrierRegistry {
        let custom = try await definitions(shopID: shopID, sql: sql)
        guard !custom.isEmpty else { return .builtIn }
        do { return try CarrierRegistry(custom: custom) } catch {
            logger.warning("shop carriers refused, using the built-ins: \(error.errors)")
            let valid = custom.filter { $0.validationErrors().isEmpty && CarrierRegistry.builtIn.carrier($0.code) == nil }
            return (try? CarrierRegistry(custom: valid)) ?? .builtIn
        }
    }

    static func definitions(shopID: UUID, sql: any SQLDatabase) async throws -> [CarrierDefinition] {
        try await sql.raw("SELECT definition FROM shop_carriers WHERE shop_id = \(bind: shopID) ORDER BY code").all().map {
            try JSONDecoder().decode(CarrierDefinition.self, from: Data(try $0.decode(column: "definition", as: String.self).utf8))
        }
    }

    /// Adds or replaces one carrier; 422 names every problem (`carrier.number_patterns[0].regex`, …).
    static func save(_ definition: CarrierDefinition, shopID: UUID, application: Application) async throws {
        let sql = application.db as! any SQLDatabase
        var others = try await definitions(shopID: shopID, sql: sql).filter { $0.code != definition.code }
        others.append(definition)
        do { _ = try CarrierRegistry(custom: others) } catch {
            let index = others.count - 1
            throw APIError.validation(ValidationFailure(error.errors.map(\.fieldIssue).map { issue in
                var issue = issue
                issue.field = issue.field.replacingOccurrences(of: "carriers[\(index)]", with: "carrier")
                return issue
            }.filter { $0.field.hasPrefix("carrier") && !$0.field.hasPrefix("carriers") }))
        }
        let json = String(decoding: try JSONEncoder().encode(definition), as: UTF8.self)
        let id = application.dependencies.ids.next(), now = application.dependencies.clock.now()
        try await application.write { db in
            try await (db as! any SQLDatabase).raw("""
                INSERT INTO shop_carriers (id, shop_id, code, definition, updated_at)
                VALUES (\(bind: id), \(bind: shopID), \(bind: definition.code.rawValue), \(bind: json), \(bind: now))
                ON CONFLICT (shop_id, code) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
                """).run()
        }
    }
}
