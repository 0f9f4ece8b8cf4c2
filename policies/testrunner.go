package policies

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is the outcome of one Rego test rule (test_*).
type TestResult struct {
	File    string
	Package string
	Name    string
	Pass    bool
	// Err is set when the test could not be evaluated (a runtime error).
	Err error
}

func (r TestResult) String() string {
	switch {
	case r.Err != nil:
		return fmt.Sprintf("ERROR %s: %s.%s: %v", r.File, r.Package, r.Name, r.Err)
	case r.Pass:
		return fmt.Sprintf("PASS  %s: %s.%s", r.File, r.Package, r.Name)
	default:
		return fmt.Sprintf("FAIL  %s: %s.%s", r.File, r.Package, r.Name)
	}
}

// RunTests runs the Rego tests (rules named test_* in _test.rego files)
// found in fsys with OPA's test runner, against the policies beside them.
// It returns one result per test; a compile error is returned as an error.
func RunTests(ctx context.Context, fsys fs.FS) ([]TestResult, error) {
	modules, _, err := readModules(fsys, true)
	if err != nil {
		return nil, err
	}
	ch, err := tester.NewRunner().
		SetStore(inmem.New()).
		SetDefaultRegoVersion(regoVersion).
		RaiseBuiltinErrors(true).
		Run(ctx, modules)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCompile, err)
	}
	var results []TestResult
	for r := range ch {
		tr := TestResult{Package: r.Package, Name: r.Name, Pass: r.Pass(), Err: r.Error}
		if r.Location != nil {
			tr.File = r.Location.File
		}
		results = append(results, tr)
	}
	return results, nil
}
