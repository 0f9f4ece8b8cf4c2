package policies_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/open-policy-agent/opa/v1/bundle"

	"github.com/firebreak-dev/firebreak/policies"
)

const decisionRego = `package firebreak

decision := {"actions": [a | some a in data.firebreak.actions], "reasons": [r | some r in data.firebreak.reasons]}
`

// pausePolicy pauses contract on a critical event.
func pausePolicy(contract string) string {
	return `package firebreak

actions contains {"type": "pause", "protocol": input.protocol, "contract": "` + contract + `", "rule": "p"} if input.severity == "critical"
`
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// logBuffer captures a logger's output for assertions on loudness.
func logBuffer() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, nil)), &buf
}

func contractOf(t *testing.T, r *policies.Reloader) (string, string) {
	t.Helper()
	d, err := r.Decide(context.Background(), map[string]any{"severity": "critical", "protocol": "demo"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Actions) != 1 {
		t.Fatalf("actions = %+v, want one", d.Actions)
	}
	return d.Actions[0].Contract, d.Revision
}

func TestReloadFolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"decision.rego": decisionRego, "p.rego": pausePolicy("vault")})
	src, err := policies.OpenSource(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	log, logs := logBuffer()
	r, err := policies.NewReloader(ctx, src, nil, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	contract, rev0 := contractOf(t, r)
	if contract != "vault" {
		t.Fatalf("contract = %s", contract)
	}

	t.Run("unchanged source is not reloaded", func(t *testing.T) {
		changed, err := r.Reload(ctx)
		if changed || err != nil {
			t.Fatalf("Reload = %v, %v; want no change", changed, err)
		}
	})

	t.Run("syntax error keeps the old policy in force", func(t *testing.T) {
		writeFiles(t, dir, map[string]string{"p.rego": "package firebreak\n\nactions contains {\n"})
		changed, err := r.Reload(ctx)
		if changed || !errors.Is(err, policies.ErrCompile) || !strings.Contains(err.Error(), "p.rego:") {
			t.Fatalf("Reload = %v, %v; want a compile error naming p.rego", changed, err)
		}
		if contract, rev := contractOf(t, r); contract != "vault" || rev != rev0 {
			t.Fatalf("after a broken reload: %s %s, want vault %s", contract, rev, rev0)
		}
		st := r.Status()
		if st.Failures != 1 || !strings.Contains(st.LastError, "p.rego") || st.Revision != rev0 {
			t.Fatalf("status = %+v", st)
		}
		if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "POLICY RELOAD FAILED") {
			t.Fatalf("no error logged:\n%s", logs)
		}
		// Polling the same broken files again does not repeat the alarm.
		if _, err := r.Reload(ctx); err != nil || r.Status().Failures != 1 {
			t.Fatalf("second poll: %v, failures %d", err, r.Status().Failures)
		}
	})

	t.Run("failing Rego test keeps the old policy in force", func(t *testing.T) {
		writeFiles(t, dir, map[string]string{
			"p.rego":      pausePolicy("bridge"),
			"p_test.rego": "package firebreak_test\n\nimport data.firebreak\n\ntest_vault if { firebreak.decision.actions[0].contract == \"vault\" with input as {\"severity\": \"critical\"} }\n",
		})
		changed, err := r.Reload(ctx)
		if changed || !errors.Is(err, policies.ErrTestsFailed) {
			t.Fatalf("Reload = %v, %v; want ErrTestsFailed", changed, err)
		}
		if contract, _ := contractOf(t, r); contract != "vault" {
			t.Fatalf("contract = %s after failing tests, want vault", contract)
		}
		if err := os.Remove(filepath.Join(dir, "p_test.rego")); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("valid change takes effect with a new revision", func(t *testing.T) {
		changed, err := r.Reload(ctx)
		if !changed || err != nil {
			t.Fatalf("Reload = %v, %v; want a change", changed, err)
		}
		contract, rev := contractOf(t, r)
		if contract != "bridge" || rev == rev0 || len(rev) != 64 {
			t.Fatalf("after reload: %s %s, want bridge and a new revision", contract, rev)
		}
		st := r.Status()
		if st.Revision != rev || st.LastError != "" || st.Reloads != 1 {
			t.Fatalf("status = %+v", st)
		}
	})
}

func bundleOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	b := bundle.Bundle{Data: map[string]any{}}
	b.Manifest.Init()
	for name, src := range files {
		b.Modules = append(b.Modules, bundle.ModuleFile{URL: "/" + name, Path: "/" + name, Raw: []byte(src)})
	}
	var buf bytes.Buffer
	if err := bundle.NewWriter(&buf).DisableFormat(true).UseModulePath(true).Write(b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBundleFromServer(t *testing.T) {
	ctx := context.Background()
	var current atomic.Pointer[[]byte]
	var gets, notModified atomic.Int64
	serve := func(files map[string]string) {
		b := bundleOf(t, files)
		current.Store(&b)
	}
	serve(map[string]string{"decision.rego": decisionRego, "p.rego": pausePolicy("vault")})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		gets.Add(1)
		b := *current.Load()
		etag := `"` + policies.Files{"x": b}.Revision()[:16] + `"`
		if req.Header.Get("If-None-Match") == etag {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)

	src, err := policies.OpenSource(srv.URL+"/bundles/firebreak.tar.gz", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	r, err := policies.NewReloader(ctx, src, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := contractOf(t, r); c != "vault" {
		t.Fatalf("contract = %s", c)
	}
	if changed, err := r.Reload(ctx); changed || err != nil || notModified.Load() != 1 {
		t.Fatalf("unchanged bundle: %v %v, 304s %d", changed, err, notModified.Load())
	}
	serve(map[string]string{"decision.rego": decisionRego, "p.rego": "package firebreak\n\nactions contains {\n"})
	if _, err := r.Reload(ctx); err == nil {
		t.Fatal("a broken bundle was accepted")
	}
	if c, _ := contractOf(t, r); c != "vault" {
		t.Fatalf("contract = %s after a broken bundle", c)
	}
	serve(map[string]string{"decision.rego": decisionRego, "p.rego": pausePolicy("bridge")})
	if changed, err := r.Reload(ctx); !changed || err != nil {
		t.Fatalf("new bundle: %v %v", changed, err)
	}
	if c, _ := contractOf(t, r); c != "bridge" {
		t.Fatalf("contract = %s after the new bundle", c)
	}
}

func TestBundleFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policies.tar.gz")
	if err := os.WriteFile(path, bundleOf(t, map[string]string{"decision.rego": decisionRego, "p.rego": pausePolicy("vault")}), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := policies.OpenSource(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	files, err := src.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || !strings.Contains(string(files["p.rego"]), `"vault"`) {
		t.Fatalf("files = %v", files)
	}
	if err := os.WriteFile(path, []byte("not a tarball"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Read(context.Background()); err == nil {
		t.Fatal("a corrupt bundle was read")
	}
}

func TestOpenSourceErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "x.rego")
	writeFiles(t, filepath.Dir(file), map[string]string{"x.rego": decisionRego})
	for _, ref := range []string{"/does/not/exist", "/does/not/exist.tar.gz", file} {
		t.Run(ref, func(t *testing.T) {
			if _, err := policies.OpenSource(ref, nil); err == nil {
				t.Fatalf("OpenSource(%q) succeeded", ref)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		files policies.Files
		want  []string
	}{
		{"shipped library compiles", nil, nil},
		{"syntax error at its line", policies.Files{"a.rego": []byte("package firebreak\n\nx := {\n")}, []string{"a.rego:4:", "a.rego:4:"}},
		{"unsafe var at its line", policies.Files{"b.rego": []byte("package firebreak\n\nx if {\n\ty == 1\n}\n")}, []string{"b.rego:4:2: rego_unsafe_var_error"}},
		{"two files, sorted", policies.Files{
			"z.rego": []byte("package firebreak\n\nz if {\n\tq == 1\n}\n"),
			"a.rego": []byte("package firebreak\n\na if {\n\tp == 1\n}\n"),
		}, []string{"a.rego:4:", "z.rego:4:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := tt.files
			if files == nil {
				var err error
				if files, err = policies.ReadFS(policies.Shipped()); err != nil {
					t.Fatal(err)
				}
			}
			problems, err := policies.Check(files)
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != len(tt.want) {
				t.Fatalf("problems = %v, want %d", problems, len(tt.want))
			}
			for i, p := range problems {
				if !strings.HasPrefix(p.String(), tt.want[i]) {
					t.Errorf("problem %d = %q, want prefix %q", i, p, tt.want[i])
				}
			}
		})
	}
}

func TestShippedCoverage(t *testing.T) {
	files, err := policies.ReadFS(policies.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	var cov policies.Coverage
	if _, err := policies.RunTestFiles(context.Background(), files, &cov); err != nil {
		t.Fatal(err)
	}
	if len(cov.Files) == 0 || cov.Percent < 90 {
		t.Fatalf("coverage = %+v, want every shipped policy file at 90%% or more", cov)
	}
	for _, f := range cov.Files {
		if strings.HasSuffix(f.File, "_test.rego") {
			t.Errorf("coverage lists the test file %s", f.File)
		}
	}
}
