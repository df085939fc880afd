import Foundation
import Vapor

/// The API speaks snake_case JSON with ISO 8601 dates; these coders are the only ones HTTP handlers use.
enum JSONCoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static func snakeCase(_ key: String) -> String {
        var out = ""
        for ch in key {
            if ch.isUppercase {
                if !out.isEmpty { out += "_" }
                out += ch.lowercased()
            } else {
                out.append(ch)
            }
        }
        return out
    }
}

extension Request {
    /// Decodes the body as API JSON. A missing body, a wrong content type or bad JSON is a 4xx naming the problem.
    func decodeJSON<T: Decodable>(_ type: T.Type) throws -> T {
        if let contentType = headers.contentType, contentType != .json, contentType.subType != "json" {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "send the body as application/json")
        }
        guard let buffer = body.data, buffer.readableBytes > 0 else {
            throw APIError(.badRequest, "empty_body", "the request needs a JSON body")
        }
        // Streaming bodies are capped by the route; this also covers bodies that arrived whole.
        guard buffer.readableBytes <= application.settings.maxBodyBytes else {
            throw APIError(.payloadTooLarge, "payload_too_large", "the body exceeds \(application.settings.maxBodyBytes) bytes")
        }
        return try JSONCoding.decoder.decode(T.self, from: Data(buffer.readableBytesView))
    }
}

extension KeyedDecodingContainer {
    /// An integer field that names itself when it is fractional or out of range (Foundation's own error
    /// for `2.5` carries no coding path).
    func decodeInteger(_ key: Key) throws -> Int64 {
        if let value = try? decode(Int64.self, forKey: key) { return value }
        if (try? decode(Double.self, forKey: key)) != nil {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "must be a whole number of at most 18 digits")
        }
        return try decode(Int64.self, forKey: key)
    }

    func decodeIntegerIfPresent(_ key: Key) throws -> Int64? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeInteger(key)
    }
}

extension Response {
    /// Encodes an API value as the response body.
    static func json<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok, headers extra: HTTPHeaders = [:]) throws -> Response {
        var headers = extra
        headers.contentType = .json
        let data = try JSONCoding.encoder.encode(value)
        return Response(status: status, headers: headers, body: .init(data: data))
    }
}
