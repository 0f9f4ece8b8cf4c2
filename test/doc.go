// Package test holds firebreak's end-to-end tests: the whole pipeline
// in-process against real parts (an embedded nats-server with JetStream, a
// real anvil node, real OPA), and the fixtures they share.
//
// The tests need anvil, which `make test` installs under .tools/. Run
// directly with `go test ./test/`, they are skipped when anvil is missing
// unless FIREBREAK_REQUIRE_TOOLS=1 (which make test sets) turns that into a
// failure.
package test
