package policies

import (
	"context"
	"fmt"
	"io/fs"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
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

// Coverage is the share of policy lines the tests evaluated, per file and
// overall. Test files are left out: they cover themselves.
type Coverage struct {
	Percent float64
	Files   []FileCoverage
}

// FileCoverage is one policy file's coverage; NotCovered lists the first
// lines of the ranges no test reached.
type FileCoverage struct {
	File       string
	Percent    float64
	NotCovered []int
}

// RunTests runs the Rego tests (rules named test_* in _test.rego files)
// found in fsys with OPA's test runner, against the policies beside them.
// It returns one result per test; a compile error is returned as an error.
func RunTests(ctx context.Context, fsys fs.FS) ([]TestResult, error) {
	files, err := ReadFS(fsys)
	if err != nil {
		return nil, err
	}
	return RunTestFiles(ctx, files, nil)
}

// RunTestFiles runs the Rego tests among files. When cov is not nil it is
// filled with the coverage of the non-test files.
func RunTestFiles(ctx context.Context, files Files, cov *Coverage) ([]TestResult, error) {
	modules, _, err := files.parse(true)
	if err != nil {
		return nil, err
	}
	runner := tester.NewRunner().
		SetStore(inmem.New()).
		SetCompiler(compiler()).
		RaiseBuiltinErrors(true)
	var tracer *cover.Cover
	if cov != nil {
		tracer = cover.New()
		runner = runner.SetCoverageQueryTracer(tracer).SetCoverageRuns(nil)
	}
	ch, err := runner.Run(ctx, modules)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrCompile, explainRemoved(err.Error()))
	}
	var results []TestResult
	for r := range ch {
		tr := TestResult{Package: r.Package, Name: r.Name, Pass: r.Pass(), Err: r.Error}
		if r.Location != nil {
			tr.File = r.Location.File
		}
		results = append(results, tr)
	}
	if cov != nil {
		*cov = coverageOf(tracer, modules)
	}
	return results, nil
}

func coverageOf(tracer *cover.Cover, modules map[string]*ast.Module) Coverage {
	policies := map[string]*ast.Module{}
	for name, m := range modules {
		if !isTestFile(name) {
			policies[name] = m
		}
	}
	rep := tracer.Report(policies)
	var c Coverage
	covered, total := 0, 0
	for name := range policies {
		fr, ok := rep.Files[name]
		if !ok {
			continue
		}
		fc := FileCoverage{File: name, Percent: fr.Coverage}
		for _, r := range fr.NotCovered {
			fc.NotCovered = append(fc.NotCovered, r.Start.Row)
		}
		covered += fr.CoveredLines
		total += fr.CoveredLines + fr.NotCoveredLines
		c.Files = append(c.Files, fc)
	}
	sort.Slice(c.Files, func(i, j int) bool { return c.Files[i].File < c.Files[j].File })
	if total > 0 {
		c.Percent = 100 * float64(covered) / float64(total)
	}
	return c
}
