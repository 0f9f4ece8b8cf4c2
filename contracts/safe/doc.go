// Package safe holds the Safe (formerly Gnosis Safe) 1.4.1 contracts firebreak
// deploys in tests and in the Safe variant of the demo: the singletons Safe and
// SafeL2 and the SafeProxyFactory, with their ABI and creation bytecode taken
// unchanged from the npm package @safe-global/safe-contracts@1.4.1 and abigen v2
// bindings generated from them (`make generate`; extract.mjs copies the artifacts).
//
// SafeL2 (the singleton Safe deploys on L2s: the same functions, plus events for
// indexers) has no binding of its own: its ABI is Safe's plus events, so the Safe
// binding packs and unpacks its calls, and SafeL2Bin is its creation bytecode.
//
// Deploy sets up a k-of-n Safe the way the Safe apps do (a singleton, a factory,
// and a proxy created with createProxyWithNonce and initialised by setup), and
// DeployDemo deploys the demo protocol with the Safe holding the vault's
// PAUSER_ROLE and the bridge's GUARDIAN_ROLE.
package safe

//go:generate node extract.mjs
//go:generate go tool abigen --v2 --abi Safe.abi --bin Safe.bin --pkg safe --type Safe --out safe.go
//go:generate go tool abigen --v2 --abi SafeProxyFactory.abi --bin SafeProxyFactory.bin --pkg safe --type SafeProxyFactory --out safe_proxy_factory.go

import (
	_ "embed"
	"strings"
)

//go:embed SafeL2.bin
var safeL2Bin string

// SafeL2Bin is the creation bytecode of the SafeL2 singleton, hex without 0x.
func SafeL2Bin() string { return strings.TrimSpace(safeL2Bin) }
