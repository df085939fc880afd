import Vapor
import WaybillServer

// The executable only boots: settings from the environment, logging, the app built by WaybillServer, then the command.
var env = try Environment.detect()
let settings: Settings
do {
    settings = try Settings.fromEnvironment()
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
}
switch settings.logFormat {
case .json:
    LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: settings.logLevel) }
case .text:
    try LoggingSystem.bootstrap(from: &env)
}
let app = try await Application.make(env)
do {
    try await configure(app, settings: settings)
    app.registerCommands()
    try await app.execute()
    try await app.asyncShutdown()
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    exit(1)
}
