import Foundation

/// "2 h ago", "2시간 전", "within 1 h": how fresh what the page shows is, in words a customer reads at a glance.
public enum RelativeTime {
    public static func ago(_ seconds: TimeInterval, language: String) -> String {
        let ko = language == "ko"
        let s = max(0, Int(seconds))
        switch s {
        case ..<60: return ko ? "방금" : "just now"
        case ..<3_600: return ko ? "\(s / 60)분 전" : "\(s / 60) min ago"
        case ..<86_400: return ko ? "\(s / 3_600)시간 전" : "\(s / 3_600) h ago"
        default:
            let days = s / 86_400
            return ko ? "\(days)일 전" : (days == 1 ? "1 day ago" : "\(days) days ago")
        }
    }

    /// An upper bound rounded up to a whole unit: "within 40 min", "within 3 h".
    public static func within(_ seconds: TimeInterval, language: String) -> String {
        let ko = language == "ko"
        let s = max(60, Int(seconds.rounded(.up)))
        if s < 3_600 {
            let m = (s + 59) / 60
            return ko ? "\(m)분 이내" : "within \(m) min"
        }
        if s < 2 * 86_400 {
            let h = (s + 3_599) / 3_600
            return ko ? "\(h)시간 이내" : "within \(h) h"
        }
        let d = (s + 86_399) / 86_400
        return ko ? "\(d)일 이내" : "within \(d) days"
    }
}
