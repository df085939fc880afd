import Fluent
import SQLKit

/// The tracking page's per-shop settings (brand, FAQ, promotions, policies).
struct M025CreateTrackingPageSettings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("tracking_page_settings")
            .field("shop_id", .uuid, .identifier(auto: false), .references(Shop.schema, .id))
            .field("settings", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("tracking_page_settings").delete()
    }
}
