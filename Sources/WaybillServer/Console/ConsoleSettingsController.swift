import Fluent
import Vapor
import WaybillCore

/// `/console/settings`: the shop's hold rules, edited by its team.
struct ConsoleSettingsController {
    struct Context: Encodable {
        var shop: String
        var user: String
        var csrf: String
        var title = "Hold rules"
        var shipsTo: String
        var refusePOBoxes: Bool
        var highValueMultiple: String
        var highValueMinimumHistory: Int
        var highValueAbsolute: String
        var crossBorderBillingThreshold: Int64
        var duplicateWindowMinutes: Int
        var currency: String
        var errors: [FieldIssue]
        var saved: Bool
    }

    struct Form: Content {
        var shipsTo: String?
        var refusePOBoxes: String?
        var highValueMultiple: String?
        var highValueMinimumHistory: String?
        var highValueAbsolute: String?
        var crossBorderBillingThreshold: String?
        var duplicateWindowMinutes: String?

        enum CodingKeys: String, CodingKey {
            case shipsTo = "ships_to", refusePOBoxes = "refuse_po_boxes", highValueMultiple = "high_value_multiple"
            case highValueMinimumHistory = "high_value_minimum_history", highValueAbsolute = "high_value_absolute"
            case crossBorderBillingThreshold = "cross_border_billing_threshold", duplicateWindowMinutes = "duplicate_window_minutes"
        }
    }

    func show(req: Request) async throws -> View {
        let (user, shop) = try await Self.signedIn(req)
        return try await render(req, user: user, shop: shop, policy: shop.holdPolicy, errors: [],
                                saved: req.query[String.self, at: "saved"] != nil)
    }

    func save(req: Request) async throws -> Response {
        let (user, shop) = try await Self.signedIn(req)
        let form = try req.content.decode(Form.self)
        var issues = IssueList()
        func number<T: LosslessStringConvertible>(_ raw: String?, _ field: String, _ fallback: T) -> T {
            guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return fallback }
            guard let value = T(raw) else { issues.add(field, "not_a_number", "\(field) must be a number"); return fallback }
            return value
        }
        let absoluteText = form.highValueAbsolute?.trimmingCharacters(in: .whitespaces) ?? ""
        let policy = HoldPolicy(
            shipsTo: Array(Set((form.shipsTo ?? "").uppercased().split(whereSeparator: { ", \n\r\t".contains($0) }).map(String.init))).sorted(),
            refusePOBoxes: form.refusePOBoxes == "on",
            highValueMultiple: number(form.highValueMultiple, "high_value_multiple", 5.0),
            highValueMinimumHistory: number(form.highValueMinimumHistory, "high_value_minimum_history", 20),
            highValueAbsolute: absoluteText.isEmpty ? nil : number(absoluteText, "high_value_absolute", Int64(0)),
            crossBorderBillingThreshold: number(form.crossBorderBillingThreshold, "cross_border_billing_threshold", Int64(0)),
            duplicateWindowMinutes: number(form.duplicateWindowMinutes, "duplicate_window_minutes", 30)
        )
        issues.append(contentsOf: policy.issues(field: "").map { FieldIssue(field: String($0.field.dropFirst()), code: $0.code, message: $0.message) })
        guard issues.isEmpty else {
            return try await render(req, user: user, shop: shop, policy: policy, errors: issues.issues, saved: false)
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        // Saved through the model, so `ShopRulesInvalidation` drops intake's copy of the rules at once.
        shop.holdPolicy = policy
        try await req.write { db in try await shop.save(on: db) }
        return req.redirect(to: "/console/settings?saved=1")
    }

    private func render(_ req: Request, user: User, shop: Shop, policy: HoldPolicy, errors: [FieldIssue], saved: Bool) async throws -> View {
        try await req.view.render("settings", Context(
            shop: shop.name, user: user.email, csrf: CSRFMiddleware.token(for: req),
            shipsTo: policy.shipsTo.joined(separator: ", "), refusePOBoxes: policy.refusePOBoxes,
            highValueMultiple: String(policy.highValueMultiple), highValueMinimumHistory: policy.highValueMinimumHistory,
            highValueAbsolute: policy.highValueAbsolute.map(String.init) ?? "",
            crossBorderBillingThreshold: policy.crossBorderBillingThreshold,
            duplicateWindowMinutes: policy.duplicateWindowMinutes, currency: shop.currency, errors: errors, saved: saved
        ))
    }

    static func signedIn(_ req: Request) async throws -> (User, Shop) {
        let user = try req.auth.require(User.self)
        guard let shop = try await Shop.find(user.$shop.id, on: req.db) else { throw APIError.notFound("shop") }
        return (user, shop)
    }
}
