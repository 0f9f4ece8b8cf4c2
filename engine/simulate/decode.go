package simulate

import "github.com/firebreak-dev/firebreak/engine/decode"

// The decoder lives in engine/decode, which the submitter imports too; these
// names keep the dry-run's API.
type (
	// Arg is one decoded argument.
	Arg = decode.Arg
	// Call is calldata decoded against the known ABIs.
	Call = decode.Call
	// Revert is a decoded revert reason.
	Revert = decode.Revert
	// Decoder turns calldata and revert data into names and values.
	Decoder = decode.Decoder
)

// NewDecoder returns a Decoder that also shows the given AccessControl
// role names by name.
func NewDecoder(roleNames ...string) *Decoder { return decode.NewDecoder(roleNames...) }
