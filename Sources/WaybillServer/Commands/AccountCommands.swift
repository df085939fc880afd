import Vapor
import WaybillCore

/// `waybill shop create --slug s --name n [--currency KRW] [--timezone Asia/Seoul] [--locale ko]`
struct ShopCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "slug") var slug: String?
        @Option(name: "name") var name: String?
        @Option(name: "currency") var currency: String?
        @Option(name: "timezone") var timezone: String?
        @Option(name: "locale") var locale: String?
        init() {}
    }

    var help: String { "Creates a shop." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.prepareDatabase()
        guard let slug = signature.slug, let name = signature.name else {
            throw CommandError("give --slug and --name")
        }
        let shop = try await app.write { db in
            try await AccountService(db: db, application: app).createShop(
                slug: slug, name: name, currency: signature.currency ?? "KRW",
                timezone: signature.timezone ?? "Asia/Seoul", locale: signature.locale ?? "ko")
        }
        context.console.success("Created shop \(shop.slug) (\(try shop.requireID())).")
    }
}

/// `waybill user create --shop s --email e [--name n] [--password p]` (prompts for the password when absent).
struct UserCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "shop") var shop: String?
        @Option(name: "email") var email: String?
        @Option(name: "name") var name: String?
        @Option(name: "password") var password: String?
        @Option(name: "role") var role: String?
        init() {}
    }

    var help: String { "Creates a console user for a shop." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.prepareDatabase()
        guard let slug = signature.shop, let email = signature.email else { throw CommandError("give --shop and --email") }
        let password = signature.password ?? context.console.ask("Password for \(email)", isSecure: true)
        let user = try await app.write { db in
            let accounts = AccountService(db: db, application: app)
            return try await accounts.createUser(shop: try await accounts.shop(slug: slug), email: email,
                                                 name: signature.name ?? email, password: password, role: signature.role ?? "owner")
        }
        context.console.success("Created user \(user.email).")
    }
}

/// `waybill key create --shop s [--name n] [--scopes "orders:read orders:write"]`: prints the key once.
struct KeyCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "shop") var shop: String?
        @Option(name: "name") var name: String?
        @Option(name: "scopes", help: "Space- or comma-separated; default all scopes.") var scopes: String?
        init() {}
    }

    var help: String { "Creates an API key for a shop and prints it (it is stored hashed and never shown again)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.prepareDatabase()
        guard let slug = signature.shop else { throw CommandError("give --shop") }
        var requested = APIKey.Scope.allCases
        if let raw = signature.scopes {
            requested = try raw.split(whereSeparator: { $0 == " " || $0 == "," }).map {
                guard let scope = APIKey.Scope(rawValue: String($0)) else {
                    throw CommandError("unknown scope '\($0)'; scopes are \(APIKey.Scope.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return scope
            }
        }
        let scopes = requested
        let (_, key) = try await app.write { db in
            let accounts = AccountService(db: db, application: app)
            return try await accounts.createKey(shop: try await accounts.shop(slug: slug), name: signature.name ?? "cli",
                                                scopes: scopes)
        }
        context.console.output(key.consoleText())
    }
}

/// A command's usage error, printed without a backtrace.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
