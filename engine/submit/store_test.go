package submit

import (
	"encoding/json"
	"testing"

	"github.com/ethereum/go-ethereum/core/types"
)

// FuzzDecodeRecord feeds arbitrary bucket values to what a resumed engine
// decodes: the record, then its recorded transaction. Neither may panic.
func FuzzDecodeRecord(f *testing.F) {
	f.Add([]byte(`{"id":"a","state":"sent","raw_tx":"0x02f8","attempts":[{"hash":"0x00","nonce":1}]}`))
	f.Add([]byte(`{"id":"a","state":"pending","chain_id":1,"to":"0x5FbDB2315678afecb367f032d93F642f64180aa3","data":"0x8456cb59"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var rec Record
		if json.Unmarshal(data, &rec) != nil {
			return
		}
		_ = rec.State.Final()
		var tx types.Transaction
		_ = tx.UnmarshalBinary(rec.RawTx)
	})
}
