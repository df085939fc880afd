import Fluent
import Vapor
import WaybillCore

/// `/api/v1/products`: create or update products, read the catalog.
struct CatalogController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let products = routes.grouped("products")
        products.on(.POST, body: .collect(maxSize: "1mb"), use: upsert)
        products.get(use: list)
        products.get(":handle", use: show)
    }

    func upsert(req: Request) async throws -> Response {
        let principal = try req.principal(.catalogWrite)
        let draft = try req.decodeJSON(ProductDraft.self)
        let shop = try await req.shop(principal)
        let issues = CatalogRules.validate(draft, defaultCurrency: shop.currency)
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        let catalog = CatalogService(db: req.db, now: req.now, newID: req.application.dependencies.ids.next)
        let existed = try await Product.query(on: req.db).filter(\.$shop.$id == principal.shopID)
            .filter(\.$handle == draft.handle).count() > 0
        let product = try await req.write { db in
            try await CatalogService(db: db, now: catalog.now, newID: catalog.newID).upsert(draft, shop: shop)
        }
        let variants = try await product.$variants.get(on: req.db)
        return try .json(ProductDTO(product, variants: variants), status: existed ? .ok : .created)
    }

    func list(req: Request) async throws -> Response {
        let principal = try req.principal(.catalogRead)
        let limit = try req.pageLimit()
        var query = Product.query(on: req.db).filter(\.$shop.$id == principal.shopID).sort(\.$handle).limit(limit + 1)
        if let cursor = req.query[String.self, at: "cursor"] {
            query = query.filter(\.$handle > cursor)
        }
        let products = try await query.with(\.$variants).all()
        let page = Array(products.prefix(limit))
        return try .json(ProductPage(
            data: try page.map { try ProductDTO($0, variants: $0.variants) },
            nextCursor: products.count > limit ? page.last?.handle : nil
        ))
    }

    func show(req: Request) async throws -> Response {
        let principal = try req.principal(.catalogRead)
        let handle = req.parameters.get("handle") ?? ""
        guard let product = try await Product.query(on: req.db).filter(\.$shop.$id == principal.shopID)
            .filter(\.$handle == handle).with(\.$variants).first() else {
            throw APIError.notFound("product '\(handle)'")
        }
        return try .json(ProductDTO(product, variants: product.variants))
    }
}

extension Request {
    /// The shop of the calling API key.
    func shop(_ principal: APIPrincipal) async throws -> Shop {
        guard let shop = try await Shop.find(principal.shopID, on: db) else {
            throw APIError(.unauthorized, "unauthorized", "the API key's shop no longer exists")
        }
        return shop
    }

    /// `limit` query parameter: 1–200, default 50.
    func pageLimit() throws -> Int {
        guard let raw = query[String.self, at: "limit"] else { return 50 }
        guard let limit = Int(raw), (1...200).contains(limit) else {
            throw APIError.invalid("limit", "out_of_range", "limit must be an integer from 1 to 200")
        }
        return limit
    }
}
