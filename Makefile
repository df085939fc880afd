# The few things people do every day; each target is one line you can also type yourself.
.PHONY: help run demo test test-postgres bench

help:          ## list the targets
	@awk -F':.*## ' '/^[a-z-]+:.*## / { printf "  make %-14s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

run:           ## serve on http://127.0.0.1:8080 with SQLite (waybill.sqlite)
	swift run waybill serve

demo:          ## like run, with the demo shop; prints its console login and an API key
	swift run waybill serve --demo

test:          ## the whole test suite on SQLite
	swift test

test-postgres: ## the whole test suite on a throwaway PostgreSQL cluster
	scripts/test-postgres

bench:         ## order throughput benchmark
	scripts/bench-orders
