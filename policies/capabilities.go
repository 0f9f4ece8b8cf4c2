package policies

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// RemovedBuiltins are the OPA builtins a policy may not call: they do I/O
// while deciding (http.send, net.lookup_ip_addr; json.match_schema and
// json.verify_schema fetch a schema's remote $ref), or hand the policy
// firebreak's environment, which holds keys and tokens (opa.runtime). A
// policy that calls one fails to compile, in the engine, in reloads and in
// every 'firebreak policy' command. The pure net.cidr_* builtins stay.
var RemovedBuiltins = []string{"http.send", "net.lookup_ip_addr", "opa.runtime", "json.match_schema", "json.verify_schema"}

// capabilities are OPA's builtins for this version without RemovedBuiltins,
// and no host any remaining builtin may connect to.
var capabilities = sync.OnceValue(func() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	c.Builtins = slices.DeleteFunc(c.Builtins, func(b *ast.Builtin) bool { return slices.Contains(RemovedBuiltins, b.Name) })
	c.AllowNet = []string{}
	return c
})

// compiler is the compiler of every policy set: Rego v1, the builtins of
// capabilities, print statements on (OPA's test runner shows them).
func compiler() *ast.Compiler {
	return ast.NewCompiler().WithCapabilities(capabilities()).WithDefaultRegoVersion(regoVersion).WithEnablePrintStatements(true)
}

// explainRemoved adds, to a compile error about a removed builtin, why it
// is not there.
func explainRemoved(msg string) string {
	for _, b := range RemovedBuiltins {
		if strings.Contains(msg, "undefined function "+b) {
			return fmt.Sprintf("%s (firebreak removes %s from policies: a decision does no I/O and never sees the engine's environment; removed: %s)",
				msg, b, strings.Join(RemovedBuiltins, ", "))
		}
	}
	return msg
}
