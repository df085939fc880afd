/// F3: an order is stored only if every SKU, quantity, amount and address checks out.
/// Every failing field is reported at once; nothing is half-accepted.
public enum OrderValidator {
    public static let maxLines = 250
    public static let maxQuantity: Int64 = 100_000

    public static func validate(_ draft: OrderDraft, catalog: [String: CatalogEntry]) -> Result<ValidOrder, ValidationFailure> {
        var issues = IssueList()

        let currency = CurrencyCode(draft.currency.uppercased())
        if currency == nil {
            issues.add("currency", draft.currency.isEmpty ? "required" : "unknown_currency",
                       "currency must be an active ISO 4217 code")
        }

        var customer = draft.customer
        customer.name = AddressValidator.clean(customer.name)
        if customer.name.isEmpty { issues.add("customer.name", "required", "customer name is required") }
        if customer.name.count > AddressValidator.maxLength {
            issues.add("customer.name", "too_long", "customer name must be at most \(AddressValidator.maxLength) characters")
        }
        if let email = EmailRule.normalize(customer.email) {
            customer.email = email
        } else {
            issues.add("customer.email", customer.email.isEmpty ? "required" : "invalid_email", "e-mail address is not valid")
        }
        if let phone = customer.phone.map(AddressValidator.clean), !phone.isEmpty {
            if let e164 = PhoneRule.normalizeE164(phone, defaultCountry: draft.shippingAddress.country.uppercased()) {
                customer.phone = e164
            } else {
                issues.add("customer.phone", "invalid_phone", "phone must be a valid E.164 number, e.g. +821012345678")
            }
        } else {
            customer.phone = nil
        }

        let shipping = AddressValidator.validate(draft.shippingAddress, field: "shipping_address", issues: &issues)
        let billing = draft.billingAddress.map {
            AddressValidator.validate($0, field: "billing_address", issues: &issues)
        }

        let lines = validateLines(draft, currency: currency, catalog: catalog, issues: &issues)
        let totals = validateTotals(draft, lines: lines, issues: &issues)

        guard issues.isEmpty, let currency, let totals else {
            return .failure(ValidationFailure(issues.issues))
        }
        return .success(ValidOrder(
            currency: currency,
            locale: normalizedLocale(draft.locale, country: shipping.country),
            customer: customer,
            shippingAddress: shipping,
            billingAddress: billing,
            lines: lines,
            subtotal: totals.subtotal,
            discountTotal: draft.discountTotal,
            shippingTotal: draft.shippingTotal,
            taxTotal: draft.taxTotal,
            total: draft.total
        ))
    }

    /// Customer-facing text is Korean or English; anything else reads English.
    public static func normalizedLocale(_ locale: String?, country: String) -> String {
        if let locale, !locale.isEmpty { return locale.lowercased().hasPrefix("ko") ? "ko" : "en" }
        return country == "KR" ? "ko" : "en"
    }

    private static func validateLines(
        _ draft: OrderDraft, currency: CurrencyCode?, catalog: [String: CatalogEntry], issues: inout IssueList
    ) -> [ValidLine] {
        if draft.lines.isEmpty {
            issues.add("line_items", "required", "an order needs at least one line item")
        }
        if draft.lines.count > maxLines {
            issues.add("line_items", "too_many", "an order may have at most \(maxLines) line items")
            return []
        }
        var lines: [ValidLine] = []
        var seen: Set<String> = []
        for (index, line) in draft.lines.enumerated() {
            let field = "line_items[\(index)]"
            var ok = true
            if line.quantity <= 0 {
                issues.add("\(field).quantity", "must_be_positive", "quantity must be a positive integer"); ok = false
            } else if line.quantity > maxQuantity {
                issues.add("\(field).quantity", "too_large", "quantity must be at most \(maxQuantity)"); ok = false
            }
            if !seen.insert(line.sku).inserted {
                issues.add("\(field).sku", "duplicate_sku", "SKU \(line.sku) appears on more than one line"); ok = false
            }
            guard let entry = catalog[line.sku] else {
                issues.add("\(field).sku", line.sku.isEmpty ? "required" : "unknown_sku", "SKU '\(line.sku)' is not in the catalog")
                continue
            }
            if !entry.active {
                issues.add("\(field).sku", "inactive_sku", "SKU '\(line.sku)' is not active"); ok = false
            }
            if line.unitPrice == nil, let currency, entry.currency.uppercased() != currency.rawValue {
                issues.add("\(field).unit_price", "required",
                           "the catalog price is in \(entry.currency); give a unit_price in \(currency.rawValue)")
                ok = false
            }
            let unitPrice = line.unitPrice ?? entry.price
            if unitPrice < 0 { issues.add("\(field).unit_price", "must_not_be_negative", "unit price must not be negative"); ok = false }
            if line.discount < 0 { issues.add("\(field).discount", "must_not_be_negative", "discount must not be negative"); ok = false }
            guard ok else { continue }
            guard let gross = CheckedSum.multiply(unitPrice, line.quantity) else {
                issues.add("\(field).unit_price", "too_large", "line amount overflows"); continue
            }
            if line.discount > gross {
                issues.add("\(field).discount", "exceeds_amount", "discount \(line.discount) exceeds the line amount \(gross)")
                continue
            }
            lines.append(ValidLine(
                sku: entry.sku, tracked: entry.tracked, variantID: entry.variantID, name: entry.name, quantity: line.quantity,
                unitPrice: unitPrice, discount: line.discount, total: gross - line.discount
            ))
        }
        return lines
    }

    private static func validateTotals(
        _ draft: OrderDraft, lines: [ValidLine], issues: inout IssueList
    ) -> (subtotal: Int64, Void)? {
        let amounts: [(String, Int64)] = [
            ("discount_total", draft.discountTotal), ("shipping_total", draft.shippingTotal),
            ("tax_total", draft.taxTotal), ("total", draft.total),
        ]
        var ok = true
        for (field, value) in amounts where value < 0 {
            issues.add(field, "must_not_be_negative", "\(field) must not be negative"); ok = false
        }
        // Totals can only be checked against lines that themselves were valid.
        guard ok, lines.count == draft.lines.count, !lines.isEmpty else { return nil }
        var subtotal: Int64 = 0
        for line in lines {
            guard let s = CheckedSum.add(subtotal, line.total) else {
                issues.add("line_items", "too_large", "order amount overflows"); return nil
            }
            subtotal = s
        }
        if let given = draft.subtotal, given != subtotal {
            issues.add("subtotal", "does_not_add_up", "subtotal \(given) does not equal the sum of line totals \(subtotal)")
        }
        if draft.discountTotal > subtotal {
            issues.add("discount_total", "exceeds_amount", "order discount \(draft.discountTotal) exceeds the subtotal \(subtotal)")
            return nil
        }
        guard let withShipping = CheckedSum.add(subtotal - draft.discountTotal, draft.shippingTotal),
              let expected = CheckedSum.add(withShipping, draft.taxTotal) else {
            issues.add("total", "too_large", "order amount overflows"); return nil
        }
        if expected != draft.total {
            issues.add("total", "does_not_add_up",
                       "total \(draft.total) does not equal subtotal − discount + shipping + tax = \(expected)")
        }
        return (subtotal, ())
    }
}
