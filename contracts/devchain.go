package contracts

// Anvil's well-known development accounts, from its public default
// mnemonic: they hold test ether on a throw-away local chain and guard
// nothing anywhere else. The demo, the drills and the tests deploy and act
// with them; a dry-run refuses them as senders (simulate.IsAnvilDefaultAccount).
const (
	// DevAdminKey deploys the demo protocol and holds its admin roles.
	DevAdminKey = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
	// DevGuardianKey is firebreak's signer: it holds the pauser role.
	DevGuardianKey = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
	// DevOperatorKey is the demo's operator account.
	DevOperatorKey = "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
	// DevChainID is anvil's default chain id.
	DevChainID = 31337
)
