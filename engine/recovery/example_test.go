package recovery_test

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/recovery"
)

// The inverse of a mined pause is an unpause checked by paused() ==
// false; a revoked role goes back only to the account a grant names.
func ExamplePlan() {
	vault := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	o := config.DefaultOptions()
	o.Protocols = map[string]config.ProtocolOptions{"demo": {ChainID: 1,
		Contracts: map[string]config.ContractOptions{"vault": {Address: vault.Hex(), Pausable: true}}}}
	pause := record.Record{Intent: record.Intent{ID: "ev-1-0", Protocol: "demo", Type: guard.ActionPause, ChainID: 1, To: vault,
		Data: guard.Selector("pause()")}, State: record.Mined, Status: 1}
	revoke := record.Record{Intent: record.Intent{ID: "ev-1-1", Protocol: "demo", Type: guard.ActionRevokeRole, ChainID: 1, To: vault,
		Data: make([]byte, 4+64)}, State: record.Mined, Status: 1}

	steps, skipped, err := recovery.Plan(o, []record.Record{pause, revoke}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range steps {
		fmt.Printf("%s: %s on %s.%s, then %s\n", st.Type, st.Function, st.Protocol, st.Contract, st.Check.Description)
	}
	for _, sk := range skipped {
		fmt.Printf("skipped %s: %.44s\n", sk.Action, sk.Reason)
	}
	// Output:
	// unpause: unpause() on demo.vault, then paused() == false
	// skipped ev-1-1: not re-granted: role DEFAULT_ADMIN_ROLE was
}
