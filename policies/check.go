package policies

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Problem is one parse or compile error in a policy set, at a file and line.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", p.File, p.Line, p.Column, p.Code, p.Message)
}

// Check parses and compiles every file, tests included, and returns every
// problem found, sorted by file and line. An empty result means the set
// compiles. The error is for sets with no policy at all.
func Check(files Files) ([]Problem, error) {
	var problems []Problem
	modules := map[string]*ast.Module{}
	for _, name := range files.names() {
		m, err := ast.ParseModuleWithOpts(name, string(files[name]), ast.ParserOptions{RegoVersion: regoVersion, ProcessAnnotation: true})
		if err != nil {
			problems = append(problems, problemsOf(name, err)...)
			continue
		}
		modules[name] = m
	}
	if len(files) == 0 {
		return nil, ErrNoPolicies
	}
	if len(problems) == 0 {
		c := compiler()
		if c.Compile(modules); c.Failed() {
			problems = append(problems, problemsOf("", c.Errors)...)
		}
	}
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].File != problems[j].File {
			return problems[i].File < problems[j].File
		}
		return problems[i].Line < problems[j].Line
	})
	return problems, nil
}

func problemsOf(file string, err error) []Problem {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return []Problem{{File: file, Message: err.Error()}}
	}
	out := make([]Problem, 0, len(errs))
	for _, e := range errs {
		p := Problem{File: file, Code: e.Code, Message: explainRemoved(e.Message)}
		if e.Location != nil {
			p.Line, p.Column = e.Location.Row, e.Location.Col
			if e.Location.File != "" {
				p.File = e.Location.File
			}
		}
		out = append(out, p)
	}
	return out
}

// RuleDoc is what a policy's METADATA says about one response rule: the
// rule name its actions carry (custom.rule), and when it acts.
type RuleDoc struct {
	Rule        string `json:"rule"`
	Title       string `json:"title"`
	Description string `json:"description"`
	File        string `json:"file"`
	Line        int    `json:"line"`
}

// ruleDocs collects the METADATA of rules that declare custom.rule.
func ruleDocs(modules map[string]*ast.Module) map[string]RuleDoc {
	docs := map[string]RuleDoc{}
	for name, m := range modules {
		for _, a := range m.Annotations {
			rule, _ := a.Custom["rule"].(string)
			if rule == "" {
				continue
			}
			d := RuleDoc{Rule: rule, Title: a.Title, Description: strings.TrimSpace(a.Description), File: name}
			if a.Location != nil {
				d.Line = a.Location.Row
			}
			docs[rule] = d
		}
	}
	return docs
}

// Doc returns the METADATA of the response rule named rule (as in
// ActionRequest.Rule), if a policy documents it.
func (e *Evaluator) Doc(rule string) (RuleDoc, bool) {
	d, ok := e.docs[rule]
	return d, ok
}
