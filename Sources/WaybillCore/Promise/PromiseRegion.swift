import Foundation

/// The region names lanes are learned for. Korean addresses often leave the province blank, but
/// the first two digits of a Korean postal code place it in a province (Seoul's run 01–09), so
/// Korea uses those; elsewhere the address's region (a US state), else the postal code's
/// first two characters, else the country alone.
public enum PromiseRegion {
    public static func of(country: String, region: String?, postalCode: String?) -> String {
        let country = country.uppercased()
        let postal = (postalCode ?? "").filter { $0.isLetter || $0.isNumber }.uppercased()
        if country == "KR", postal.count == 5 { return "KR-" + postal.prefix(2) }
        if let region = region?.trimmingCharacters(in: .whitespaces), !region.isEmpty {
            return country + "-" + region.uppercased()
        }
        if postal.count >= 2 { return country + "-" + postal.prefix(2) }
        return country
    }

    /// Carriers' delivery days: Korean parcel carriers and USPS deliver on Saturdays; the others
    /// (and Korea Post's parcel service since 2015) Monday to Friday. 0 = Sunday … 6 = Saturday.
    public static func closedWeekdays(carrier: String) -> Set<Int> {
        switch carrier {
        case "cj", "hanjin", "lotte", "logen", "usps", "sandbox": [0]
        default: [0, 6]
        }
    }
}
