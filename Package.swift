// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Waybill",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "waybill", targets: ["waybill"]),
        .library(name: "WaybillCore", targets: ["WaybillCore"]),
        .library(name: "WaybillServer", targets: ["WaybillServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/leaf-kit.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // Already in the graph through Vapor; named for the SMTP client.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
    ],
    targets: [
        // The domain: pure Swift + Foundation. No I/O, no clocks, no server modules.
        .target(name: "WaybillCore"),
        .target(
            name: "WaybillServer",
            dependencies: [
                "WaybillCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "LeafKit", package: "leaf-kit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(name: "waybill", dependencies: ["WaybillServer"]),
        .testTarget(name: "WaybillCoreTests", dependencies: ["WaybillCore"]),
        .testTarget(
            name: "WaybillServerTests",
            dependencies: [
                "WaybillServer",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)
