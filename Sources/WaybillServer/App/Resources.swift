import Foundation

/// Where the templates, static files and the OpenAPI document are: the target's resource bundle.
enum WaybillResources {
    static let directory: URL = {
        guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            fatalError("Waybill's resource bundle is missing its Resources folder; reinstall the build")
        }
        return url
    }()
}
