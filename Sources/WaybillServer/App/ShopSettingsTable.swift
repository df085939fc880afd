import Foundation
import SQLKit
import Vapor

/// A table of one JSON settings document per shop (`shop_id`, `settings`, `updated_at`): notification,
/// promise and tracking-page settings all keep theirs this way.
struct ShopSettingsTable<Settings: Codable & Sendable>: Sendable {
    /// A table name from this code, never from input.
    let name: String

    /// The shop's document and when it was saved; nil when it has none yet.
    func load(shopID: UUID, sql: any SQLDatabase) async throws -> (settings: Settings, updatedAt: Date)? {
        guard let row = try await sql.raw("SELECT settings, updated_at FROM \(ident: name) WHERE shop_id = \(bind: shopID)").first() else { return nil }
        let settings = try JSONCoding.decoder.decode(Settings.self, from: Data(try row.decode(column: "settings", as: String.self).utf8))
        return (settings, try row.decode(column: "updated_at", as: Date.self))
    }

    func save(_ settings: Settings, shopID: UUID, at time: Date, application: Application) async throws {
        let text = String(decoding: try JSONCoding.encoder.encode(settings), as: UTF8.self)
        let name = name
        try await application.write { db in
            let sql = db as! any SQLDatabase
            try await sql.raw("DELETE FROM \(ident: name) WHERE shop_id = \(bind: shopID)").run()
            try await sql.raw("INSERT INTO \(ident: name) (shop_id, settings, updated_at) VALUES (\(bind: shopID), \(bind: text), \(bind: time))").run()
        }
    }
}
