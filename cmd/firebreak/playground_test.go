package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/firebreak-dev/firebreak/engine/simulate"
)

// 'firebreak demo --keep', the built binary in a subprocess, keeps the
// playground running; every command it prints succeeds when run as printed
// from the same directory, its console and metrics answer, the printed
// operator token resumes through the console, and Ctrl-C stops it all
// (anvil too) and removes its folder.
func TestPlaygroundCommandsWorkAsPrinted(t *testing.T) {
	if _, err := simulate.FindAnvil(); err != nil {
		if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "firebreak")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	pg := exec.Command(bin, "demo", "--keep")
	pg.Dir = root
	pg.Stderr = testWriter{t, "demo --keep: "}
	stdout, err := pg.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- pg.Wait() }()
	defer func() {
		if pg.ProcessState == nil {
			_ = pg.Process.Kill()
		}
	}()

	// Read what it prints until the playground is up.
	var printed []string
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for up := false; !up; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("demo --keep stopped before the playground was up:\n%s", strings.Join(printed, "\n"))
			}
			printed = append(printed, l)
			up = strings.HasPrefix(l, "Ctrl-C stops")
		case <-ctx.Done():
			t.Fatalf("the playground did not come up:\n%s", strings.Join(printed, "\n"))
		}
	}
	go func() {
		for range lines { // drain what it prints on the way out
		}
	}()
	t.Logf("demo --keep printed:\n%s", strings.Join(printed, "\n"))

	var commands []string
	urls := map[string]string{}
	var folder, token string
	urlLine := regexp.MustCompile(`^\s+(console|metrics|folder)\s+(\S+)`)
	for _, l := range printed {
		if strings.HasPrefix(l, "  "+bin+" ") {
			commands = append(commands, strings.TrimSpace(l))
		}
		if m := urlLine.FindStringSubmatch(l); m != nil {
			urls[m[1]] = m[2]
		}
		if _, tok, ok := strings.Cut(l, "operator token for halt and resume: "); ok {
			token = strings.TrimSpace(tok)
		}
	}
	folder = urls["folder"]
	wantVerbs := []string{"dry-run", "publish", "actions list", "actions show", "audit show", "halt", "resume", "check"}
	if len(commands) != len(wantVerbs) {
		t.Fatalf("printed %d commands, want %d (%v):\n%s", len(commands), len(wantVerbs), wantVerbs, strings.Join(commands, "\n"))
	}
	for i, c := range commands {
		if !strings.HasPrefix(c, bin+" "+wantVerbs[i]+" ") {
			t.Errorf("command %d is %q, want %s", i+1, c, wantVerbs[i])
		}
		cmd := exec.CommandContext(ctx, "sh", "-c", c)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		t.Logf("$ %s\n%s", c, out)
		if err != nil {
			t.Errorf("%s: %v", c, err)
		}
		switch wantVerbs[i] {
		case "dry-run":
			if !strings.Contains(string(out), "freeze") {
				t.Errorf("the dry-run does not try the freeze:\n%s", out)
			}
		case "actions list":
			if !strings.Contains(string(out), "pause pause()") || !strings.Contains(string(out), "freeze_bridge freeze()") {
				t.Errorf("the actions lack the demo's pause or the published freeze:\n%s", out)
			}
		}
	}

	for name, want := range map[string]string{"console": "firebreak console", "metrics": "firebreak_events_total"} {
		resp, err := http.Get(urls[name])
		if err != nil {
			t.Fatalf("%s %s: %v", name, urls[name], err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("%s %s: %d, no %q", name, urls[name], resp.StatusCode, want)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, strings.TrimSuffix(urls["console"], "/")+"/api/resume", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("resume through the console with the printed operator token: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// Ctrl-C stops it all.
	if err := pg.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("demo --keep after Ctrl-C: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo --keep did not stop within 30s of Ctrl-C")
	}
	if _, err := os.Stat(folder); folder == "" || !os.IsNotExist(err) {
		t.Errorf("the playground's folder %q is still there (%v)", folder, err)
	}
	for _, u := range []string{urls["console"], urls["metrics"]} {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			t.Errorf("%s still answers after Ctrl-C", u)
		}
	}
	anvil := regexp.MustCompile(`anvil\s+(http://\S+)`)
	for _, l := range printed {
		if m := anvil.FindStringSubmatch(l); m != nil {
			if resp, err := http.Post(m[1], "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`)); err == nil {
				resp.Body.Close()
				t.Errorf("anvil at %s still answers after Ctrl-C", m[1])
			}
		}
	}
}

// testWriter logs a subprocess's output in the test's log.
type testWriter struct {
	t      *testing.T
	prefix string
}

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(w.prefix + strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
