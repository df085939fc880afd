import WaybillCore
import Crypto
import Fluent
import Vapor

/// A shop's API key. Only its SHA-256 is stored; the key itself is shown once, at creation.
// Fluent models are reference types mutated only by the request that loaded them.
final class APIKey: Model, @unchecked Sendable {
    static let schema = "api_keys"

    @ID(key: .id) var id: UUID?
    @Parent(key: "shop_id") var shop: Shop
    @Field(key: "name") var name: String
    /// The public, non-secret part (`wb_<prefix>_…`) used to find the row.
    @Field(key: "prefix") var prefix: String
    @Field(key: "secret_hash") var secretHash: String
    @Field(key: "scopes") var scopes: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(id: UUID, shopID: UUID, name: String, prefix: String, secretHash: String, scopes: [Scope], createdAt: Date) {
        self.id = id
        self.$shop.id = shopID
        self.name = name
        self.prefix = prefix
        self.secretHash = secretHash
        self.scopes = scopes.map(\.rawValue).sorted().joined(separator: " ")
        self.createdAt = createdAt
    }

    var scopeSet: Set<Scope> { Set(scopes.split(separator: " ").compactMap { Scope(rawValue: String($0)) }) }

    /// What a key may do.
    enum Scope: String, CaseIterable, Sendable {
        case ordersRead = "orders:read"
        case ordersWrite = "orders:write"
        case catalogRead = "catalog:read"
        case catalogWrite = "catalog:write"
        case settingsRead = "settings:read"
        case settingsWrite = "settings:write"
        case inventoryRead = "inventory:read"
        case inventoryWrite = "inventory:write"
        case shipmentsRead = "shipments:read"
        case shipmentsWrite = "shipments:write"
    }

    /// A fresh key: the full text to show once, and the parts to store.
    static func generate() -> (key: String, prefix: String, hash: String) {
        let prefix = randomToken(length: 8)
        let key = "wb_\(prefix)_\(randomToken(length: 32))"
        return (key, prefix, hash(key))
    }

    static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).hexString
    }

    private static func randomToken(length: Int) -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] })
    }
}

struct M003CreateAPIKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(APIKey.schema)
            .id()
            .field("shop_id", .uuid, .required, .references(Shop.schema, .id))
            .field("name", .string, .required)
            .field("prefix", .string, .required)
            .field("secret_hash", .string, .required)
            .field("scopes", .string, .required)
            .field("created_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .unique(on: "prefix")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(APIKey.schema).delete()
    }
}
