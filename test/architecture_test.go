package test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/firebreak-dev/firebreak"

// docs/ARCHITECTURE.md's package table names exactly the Go package
// directories of the tree, and the imports keep the rules it states.
func TestArchitecture(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("table matches the tree", func(t *testing.T) {
		inTable := architectureTable(t, filepath.Join(root, "docs", "ARCHITECTURE.md"))
		inTree := goPackageDirs(t, root)
		for _, d := range inTree {
			if !slices.Contains(inTable, d) {
				t.Errorf("package directory %s is missing from docs/ARCHITECTURE.md's table", d)
			}
		}
		for _, d := range inTable {
			if !slices.Contains(inTree, d) {
				t.Errorf("docs/ARCHITECTURE.md's table names %s, which holds no Go package", d)
			}
		}
	})
	t.Run("import rules", func(t *testing.T) {
		for _, p := range listPackages(t, root) {
			rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
			for _, imp := range p.Imports {
				irel, ours := strings.CutPrefix(imp, module+"/")
				switch {
				case ours && strings.HasPrefix(irel, "cmd/") && !strings.HasPrefix(rel, "cmd/"):
					t.Errorf("%s imports %s: nothing imports cmd", rel, imp)
				case ours && irel == "policies" && rel != "engine/decide" && !strings.HasPrefix(rel, "cmd/"):
					t.Errorf("%s imports policies: only engine/decide may", rel)
				case strings.HasPrefix(imp, "github.com/open-policy-agent/opa") && rel != "policies":
					t.Errorf("%s imports OPA (%s): only policies may", rel, imp)
				case ours && (rel == "policies" || rel == "signer" || strings.HasPrefix(rel, "signer/")) && (irel == "engine" || strings.HasPrefix(irel, "engine/")):
					t.Errorf("%s imports %s: policies and signer never import engine", rel, imp)
				case ours && rel == "engine/config" && strings.HasPrefix(irel, "engine"):
					t.Errorf("engine/config imports %s: it is plain data and imports no engine package", imp)
				case ours && strings.HasPrefix(rel, "engine/") && irel == "engine":
					t.Errorf("%s imports the root engine package: stages sit below it", rel)
				}
			}
			if p.Doc == "" {
				t.Errorf("%s has no package doc comment", rel)
			}
		}
	})
	t.Run("the root only wires", func(t *testing.T) {
		files, err := filepath.Glob(filepath.Join(root, "engine", "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(data, []byte("\n")); n > 300 {
				t.Errorf("engine/%s has %d lines; the root package only wires (at most 300 a file)", filepath.Base(f), n)
			}
		}
	})
}

var tableRow = regexp.MustCompile("^\\| `([^`]+)` \\|")

// architectureTable returns the paths in the first column of the page's
// package table.
func architectureTable(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := tableRow.FindStringSubmatch(sc.Text()); m != nil {
			out = append(out, m[1])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s has no package table", path)
	}
	return out
}

// goPackageDirs lists the directories under root holding .go files, as
// paths relative to root, skipping hidden folders (the tool cache) and
// testdata.
func goPackageDirs(t *testing.T, root string) []string {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "bin" || name == "data") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") {
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			seen[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(seen))
	for d := range seen {
		if d == "." {
			d = "(root)"
		}
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

type listedPackage struct {
	ImportPath string
	Doc        string
	Imports    []string
}

// listPackages asks the go command for every package of the module.
func listPackages(t *testing.T, root string) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Doc,Imports", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages; expected the whole module", len(pkgs))
	}
	return pkgs
}
