// Package chaos is the chaos suite (issue 14): the real firebreak binary,
// anvil, nats-server and Vault as processes, broken on purpose while an
// incident is under way, and then the chain and the stores are checked:
// each needed pause mined exactly once, no reverted containment
// transaction, every valid event's outcome recorded, every malformed or
// forged one dead-lettered with its reason, and `firebreak audit verify`
// passing.
//
// The scenarios (kill-burst, nats-cluster, rpc-hung, rpc-down,
// vault-sealed) run small by default inside `go test ./test/chaos/`; with
// FIREBREAK_CHAOS=full (`make chaos`) they run at full size. The suite
// prints one table row per scenario: events, kills, lost, duplicates and
// the time to containment after recovery. docs/chaos.md is the page.
//
// Everything lives in the package's tests; this file only documents it.
package chaos
