import Fluent
import Vapor
import WaybillCore

/// The one error shape of the API: `{ "error": { "code", "message", "field", "fields": [...] } }`.
/// Codes are stable; clients branch on them, never on messages.
public struct APIError: Error, Sendable {
    public var status: HTTPResponseStatus
    public var code: String
    public var message: String
    public var fields: [FieldIssue]

    public init(_ status: HTTPResponseStatus, _ code: String, _ message: String, fields: [FieldIssue] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
    }

    public static func notFound(_ what: String) -> APIError {
        APIError(.notFound, "not_found", "\(what) was not found")
    }

    public static func invalid(_ field: String, _ code: String, _ message: String) -> APIError {
        APIError(.unprocessableEntity, "validation_failed", message, fields: [FieldIssue(field: field, code: code, message: message)])
    }

    public static func validation(_ failure: ValidationFailure) -> APIError {
        let n = failure.issues.count
        return APIError(.unprocessableEntity, "validation_failed", "\(n) field\(n == 1 ? "" : "s") failed validation", fields: failure.issues)
    }
}

/// Wire form of an error body.
struct ErrorBody: Encodable {
    struct Detail: Encodable {
        var code: String
        var message: String
        var field: String?
        var fields: [FieldIssue]
        var requestId: String?
    }
    var error: Detail
}

extension APIError {
    /// Maps any error thrown while handling a request to the API's error shape.
    static func from(_ error: any Error, logger: Logger) -> APIError {
        switch error {
        case let api as APIError:
            return api
        case let failure as ValidationFailure:
            return .validation(failure)
        case let illegal as IllegalTransition:
            return APIError(.conflict, "illegal_transition", illegal.description)
        case let decoding as DecodingError:
            return fromDecoding(decoding)
        case let abort as any AbortError where abort.status.code < 500:
            return APIError(abort.status, code(for: abort.status), abort.reason)
        case let db as any DatabaseError where db.isConstraintFailure:
            logger.notice("constraint failure surfaced as 409: \(String(reflecting: error))")
            return APIError(.conflict, "conflict", "the request conflicts with existing data")
        default:
            logger.error("unhandled error: \(String(reflecting: error))")
            return APIError(.internalServerError, "internal_error", "something went wrong on our side; it has been logged")
        }
    }

    static func code(for status: HTTPResponseStatus) -> String {
        switch status {
        case .badRequest: return "bad_request"
        case .unauthorized: return "unauthorized"
        case .forbidden: return "forbidden"
        case .notFound: return "not_found"
        case .methodNotAllowed: return "method_not_allowed"
        case .payloadTooLarge: return "payload_too_large"
        case .unsupportedMediaType: return "unsupported_media_type"
        case .unprocessableEntity: return "validation_failed"
        case .tooManyRequests: return "rate_limited"
        default: return status.code >= 500 ? "internal_error" : "request_failed"
        }
    }

    /// A decoding error names the JSON field (`line_items[3].quantity`) in the request's own spelling.
    static func fromDecoding(_ error: DecodingError) -> APIError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce(into: "") { out, key in
                if let index = key.intValue, key.stringValue.hasPrefix("Index") || key.stringValue == "\(index)" {
                    out += "[\(index)]"
                } else {
                    out += (out.isEmpty ? "" : ".") + JSONCoding.snakeCase(key.stringValue)
                }
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .invalid(field, "required", "\(field) is required")
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return .invalid(field, "wrong_type", "\(field) must be \(describe(type))")
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return .invalid(field, "required", "\(field) must be \(describe(type)), not null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return APIError(.badRequest, "malformed_json", "the body is not valid UTF-8 JSON")
            }
            let field = path(context.codingPath)
            let detail = context.debugDescription.hasPrefix("must be") ? context.debugDescription : "has an invalid value"
            return .invalid(field, "invalid_value", "\(field) \(detail)")
        @unknown default:
            return APIError(.badRequest, "malformed_json", "the body could not be read")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return type is any Collection.Type ? "an array" : "an object"
        }
    }
}
