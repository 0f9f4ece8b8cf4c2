// Package policies evaluates detection events against the Rego response
// policies and ships firebreak's default policy library.
//
// It is the only package that imports OPA. Policies are compiled and the
// query prepared once, in Load; Decide then evaluates one event in-process,
// in microseconds. An Evaluator never changes after Load: a reload builds a
// new one and swaps it in, so a broken policy can never replace a working one
// half-way.
//
// The policies answer data.firebreak.decision, an object with the actions to
// take, whether they need human approval, and the reasons; the protocol
// registry from the engine's configuration is their data
// (data.protocols[name]).
//
// Policies decide without I/O: builtins that reach the network or the
// process environment are removed (RemovedBuiltins), so a policy calling
// http.send does not compile. Bundles come from a file or over https, with
// OPA's signature verification when a key is configured (SourceOptions).
package policies

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/util"
)

// Query is the document every policy set must define.
const Query = "data.firebreak.decision"

//go:embed *.rego lib/*.rego
var shipped embed.FS

// Shipped returns the policy library that ships with firebreak. It is what
// the engine evaluates when no policy folder is configured.
func Shipped() fs.FS { return shipped }

// Errors returned by this package.
var (
	// ErrNoPolicies means the policy source held no .rego module.
	ErrNoPolicies = errors.New("policies: no .rego files found")
	// ErrCompile means a policy did not parse or compile; the error text
	// names the file and line.
	ErrCompile = errors.New("policies: compile failed")
	// ErrUndefined means the policies did not define data.firebreak.decision
	// for the input. The engine treats it as "no action" and raises an alert.
	ErrUndefined = errors.New("policies: decision undefined")
	// ErrBadDecision means the decision did not have the expected shape.
	ErrBadDecision = errors.New("policies: malformed decision")
	// ErrEval means evaluation failed (a runtime error in a policy).
	ErrEval = errors.New("policies: evaluation failed")
	// ErrUnverifiedBundle means a bundle was refused because it did not
	// carry a valid signature by the configured verification key (or did
	// not read at all).
	ErrUnverifiedBundle = errors.New("policies: bundle signature not verified")
	// ErrTestsFailed means a policy set compiled but its Rego tests failed,
	// so a reload refused it.
	ErrTestsFailed = errors.New("policies: Rego tests failed")
)

// ActionRequest is one containment action a policy asks for. It names
// things by their registry names; the guard resolves them to addresses and
// calldata and decides whether they may run.
type ActionRequest struct {
	// Type is the kind of action: "pause", "revoke_role", "freeze_bridge",
	// "block_address" or "notify".
	Type string `json:"type"`
	// Protocol and Contract name the target in the registry.
	Protocol string `json:"protocol"`
	Contract string `json:"contract"`
	// Role and Account are set for revoke_role; Account for block_address.
	Role    string `json:"role,omitempty"`
	Account string `json:"account,omitempty"`
	// Message is the text of a notify action (which has no Contract).
	Message string `json:"message,omitempty"`
	// Rule is the name of the rule that asked for the action.
	Rule string `json:"rule,omitempty"`
}

// Decision is what the policies decided for one event.
type Decision struct {
	Actions         []ActionRequest `json:"actions"`
	RequireApproval bool            `json:"require_approval"`
	Reasons         []string        `json:"reasons"`
	// Rules are the rules that fired, sorted.
	Rules []string `json:"rules"`
	// Revision identifies the policy sources that made the decision.
	Revision string `json:"revision"`
}

// Evaluator evaluates events against one compiled set of policies. It is
// safe for concurrent use.
type Evaluator struct {
	query    rego.PreparedEvalQuery
	revision string
	files    []string
	docs     map[string]RuleDoc
}

// Load compiles every non-test .rego file in fsys (recursively) with data as
// the base document, and prepares the decision query.
func Load(ctx context.Context, fsys fs.FS, data map[string]any) (*Evaluator, error) {
	files, err := ReadFS(fsys)
	if err != nil {
		return nil, err
	}
	return LoadFiles(ctx, files, data)
}

// LoadFiles compiles the non-test files with data as the base document and
// prepares the decision query.
func LoadFiles(ctx context.Context, files Files, data map[string]any) (*Evaluator, error) {
	modules, revision, err := files.parse(false)
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = map[string]any{}
	}
	// The store takes JSON values only; Go integers of other widths
	// (chain ids are uint64) are normalised once, here, not per event.
	var doc any = data
	if err := util.RoundTrip(&doc); err != nil {
		return nil, fmt.Errorf("policies: data is not JSON-compatible: %w", err)
	}
	opts := []func(*rego.Rego){
		rego.Query(Query),
		// Stored as AST values: policies read the registry on every event,
		// and a store of Go values converts what is read each time.
		rego.Store(inmem.NewFromObjectWithOpts(doc.(map[string]any), inmem.OptReturnASTValuesOnRead(true))),
		// A builtin failing (division by zero, a bad sprintf) is an error,
		// not a silently undefined rule that would mean "no action".
		rego.StrictBuiltinErrors(true),
		// No builtin that does I/O or reads the environment (RemovedBuiltins).
		rego.Capabilities(capabilities()),
	}
	names := make([]string, 0, len(modules))
	for name, m := range modules {
		opts = append(opts, rego.ParsedModule(m))
		names = append(names, name)
	}
	sort.Strings(names)
	query, err := rego.New(opts...).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrCompile, explainRemoved(err.Error()))
	}
	return &Evaluator{query: query, revision: revision, files: names, docs: ruleDocs(modules)}, nil
}

// Revision is the SHA-256 of the policy sources (file names and contents),
// hex encoded. It goes into every decision so the audit can tell which
// policies decided.
func (e *Evaluator) Revision() string { return e.revision }

// Files lists the policy files that were compiled.
func (e *Evaluator) Files() []string { return e.files }

// Decide evaluates input, normally event.Event.Input().
func (e *Evaluator) Decide(ctx context.Context, input map[string]any) (Decision, error) {
	// Converting the input to an ast.Value here skips the copy OPA makes
	// of a raw input to normalise Go types it cannot convert directly;
	// such inputs (rare: Go-built metadata) take OPA's path.
	in := rego.EvalInput(input)
	if v, err := ast.InterfaceToValue(input); err == nil {
		in = rego.EvalParsedInput(v)
	}
	rs, err := e.query.Eval(ctx, in)
	if err != nil {
		return Decision{}, fmt.Errorf("%w: %v", ErrEval, err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return Decision{}, ErrUndefined
	}
	d, err := decisionFrom(rs[0].Expressions[0].Value)
	if err != nil {
		return Decision{}, err
	}
	d.Revision = e.revision
	return d, nil
}

// decisionFrom converts the raw Rego result without a JSON round trip: this
// runs for every event.
func decisionFrom(v any) (Decision, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return Decision{}, fmt.Errorf("%w: decision is %T, want an object", ErrBadDecision, v)
	}
	var d Decision
	if ra, ok := obj["require_approval"]; ok {
		b, ok := ra.(bool)
		if !ok {
			return Decision{}, fmt.Errorf("%w: require_approval is %T, want a boolean", ErrBadDecision, ra)
		}
		d.RequireApproval = b
	}
	reasons, err := stringList(obj, "reasons")
	if err != nil {
		return Decision{}, err
	}
	d.Reasons = reasons
	rawActions, _ := obj["actions"].([]any)
	if a, ok := obj["actions"]; ok && rawActions == nil {
		return Decision{}, fmt.Errorf("%w: actions is %T, want an array", ErrBadDecision, a)
	}
	rules := map[string]bool{}
	for i, ra := range rawActions {
		m, ok := ra.(map[string]any)
		if !ok {
			return Decision{}, fmt.Errorf("%w: actions[%d] is %T, want an object", ErrBadDecision, i, ra)
		}
		var a ActionRequest
		for _, f := range []struct {
			key      string
			dst      *string
			required bool
		}{
			{"type", &a.Type, true},
			{"protocol", &a.Protocol, true},
			{"contract", &a.Contract, m["type"] != "notify"},
			{"role", &a.Role, false},
			{"account", &a.Account, false},
			{"message", &a.Message, m["type"] == "notify"},
			{"rule", &a.Rule, false},
		} {
			val, present := m[f.key]
			if !present {
				if f.required {
					return Decision{}, fmt.Errorf("%w: actions[%d] has no %q", ErrBadDecision, i, f.key)
				}
				continue
			}
			s, ok := val.(string)
			if !ok {
				return Decision{}, fmt.Errorf("%w: actions[%d].%s is %T, want a string", ErrBadDecision, i, f.key, val)
			}
			if s == "" && f.required {
				return Decision{}, fmt.Errorf("%w: actions[%d].%s is empty", ErrBadDecision, i, f.key)
			}
			*f.dst = s
		}
		if a.Rule != "" {
			rules[a.Rule] = true
		}
		d.Actions = append(d.Actions, a)
	}
	extra, err := stringList(obj, "rules")
	if err != nil {
		return Decision{}, err
	}
	for _, r := range extra {
		rules[r] = true
	}
	for r := range rules {
		d.Rules = append(d.Rules, r)
	}
	sort.Strings(d.Rules)
	return d, nil
}

func stringList(obj map[string]any, key string) ([]string, error) {
	raw, ok := obj[key]
	if !ok {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s is %T, want an array", ErrBadDecision, key, raw)
	}
	out := make([]string, 0, len(list))
	for i, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("%w: %s[%d] is %T, want a string", ErrBadDecision, key, i, item)
		}
		out = append(out, s)
	}
	return out, nil
}

// readModules parses the .rego files of fsys. Test files (_test.rego) are
// included only when withTests is set.
func readModules(fsys fs.FS, withTests bool) (map[string]*ast.Module, string, error) {
	files, err := ReadFS(fsys)
	if err != nil {
		return nil, "", err
	}
	return files.parse(withTests)
}

// parse parses the files. The revision hashes the non-test files only, so
// adding a test does not change what decisions cite.
func (files Files) parse(withTests bool) (map[string]*ast.Module, string, error) {
	modules := map[string]*ast.Module{}
	var compileErrs []string
	for _, p := range files.names() {
		isTest := isTestFile(p)
		if isTest && !withTests {
			continue
		}
		m, err := ast.ParseModuleWithOpts(p, string(files[p]), ast.ParserOptions{RegoVersion: regoVersion, ProcessAnnotation: true})
		if err != nil {
			compileErrs = append(compileErrs, err.Error())
			continue
		}
		modules[p] = m
	}
	if len(compileErrs) > 0 {
		return nil, "", fmt.Errorf("%w: %s", ErrCompile, strings.Join(compileErrs, "; "))
	}
	if len(modules) == 0 {
		return nil, "", ErrNoPolicies
	}
	return modules, files.Revision(), nil
}

// regoVersion is the Rego dialect of every policy: v1, the only one new
// policies should be written in.
const regoVersion = ast.RegoV1
