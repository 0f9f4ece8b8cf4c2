// Package contracts holds the Solidity sources of firebreak's demo protocol, a
// pausable vault with roles (ProtectedVault) and a freezable bridge (TokenBridge),
// with their compiled artifacts (*.abi, *.bin) and abigen v2 bindings side by side;
// `make generate` regenerates them (or `go generate ./contracts`, which needs node
// and the tools under .tools/, see build.mjs).
//
// The engine drives the containment functions through the bindings' Pack and Unpack
// methods (PackPause, PackPaused/UnpackPaused, PackHasRole, PackRevokeRole,
// PackFreeze, PackFrozen), so no selector is written by hand. DeployDemo deploys
// the protocol for the demo command and tests; NewSimulated starts an in-process
// chain pinned to the fork mainnet runs.
package contracts

//go:generate node build.mjs
//go:generate go tool abigen --v2 --abi ProtectedVault.abi --bin ProtectedVault.bin --pkg contracts --type ProtectedVault --out protected_vault.go
//go:generate go tool abigen --v2 --abi TokenBridge.abi --bin TokenBridge.bin --pkg contracts --type TokenBridge --out token_bridge.go
//go:generate go tool abigen --v2 --abi DrillVault.abi --bin DrillVault.bin --pkg contracts --type DrillVault --out drill_vault.go
//go:generate go tool abigen --v2 --abi DrillBridge.abi --bin DrillBridge.bin --pkg contracts --type DrillBridge --out drill_bridge.go
//go:generate go tool abigen --v2 --abi DrillAttacker.abi --bin DrillAttacker.bin --pkg contracts --type DrillAttacker --out drill_attacker.go
