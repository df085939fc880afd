import Fluent
import Vapor

/// A member of a shop's team who signs in to the console.
// Fluent models are reference types mutated only by the request that loaded them.
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Parent(key: "shop_id") var shop: Shop
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") var role: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID, shopID: UUID, email: String, name: String, passwordHash: String, role: String, createdAt: Date) {
        self.id = id
        self.$shop.id = shopID
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
        self.createdAt = createdAt
    }
}

extension User: ModelSessionAuthenticatable {}

struct M002CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema)
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "email")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(User.schema).delete()
    }
}
