package test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/guard"
	"github.com/firebreak-dev/firebreak/engine/record"
)

// findChromium finds Debian's chromium, or skips (fails under make test,
// which installs it) when it is not installed.
func findChromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	err := fmt.Errorf("chromium is not installed (make browser installs Debian's package)")
	if os.Getenv("FIREBREAK_REQUIRE_TOOLS") == "1" {
		t.Fatal(err)
	}
	t.Skip(err)
	return ""
}

// artifact is where a test keeps a file worth looking at afterwards:
// $FIREBREAK_ARTIFACTS when set, else the test's temporary folder.
func artifact(t testing.TB, name string, data []byte) string {
	t.Helper()
	dir := os.Getenv("FIREBREAK_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("artifact: %s", path)
	return path
}

// browser is a headless Chromium with a fresh profile, and what its pages
// say and ask for while the test runs.
type browser struct {
	t   *testing.T
	ctx context.Context
	// origin every request must go to.
	origin string
	user   string
	pass   string

	mu       sync.Mutex
	problems []string // console errors and warnings, exceptions, browser log errors
	requests []string
}

func startBrowser(t *testing.T, origin, user, pass string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(findChromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	b := &browser{t: t, origin: origin, user: user, pass: pass}
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatal(err)
	}
	b.ctx = ctx
	b.watch(ctx)
	return b
}

// tab opens another tab of the same browser, watched like the first.
func (b *browser) tab() context.Context {
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	b.watch(ctx)
	return ctx
}

// watch records the tab's console calls, exceptions, browser log entries
// and requests, and answers the console's basic auth challenge as a person
// at the browser's prompt would.
func (b *browser) watch(ctx context.Context) {
	t := b.t
	record := func(kind, text string) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.problems = append(b.problems, kind+": "+text)
	}
	consoleCalls := chromedp.Events(ctx, runtime.ConsoleAPICalled)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	logEntries := chromedp.Events(ctx, cdplog.EntryAdded)
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	auth := chromedp.Events(ctx, fetch.AuthRequired)
	go func() {
		for ev, err := range consoleCalls {
			if err != nil {
				return
			}
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			// Any console output at all: the console's script writes none.
			record("console."+string(ev.Type), strings.Join(args, " "))
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			record("exception", fmt.Sprintf("%s (%s:%d)", text, d.URL, d.LineNumber))
		}
	}()
	go func() {
		for ev, err := range logEntries {
			if err != nil {
				return
			}
			if e := ev.Entry; e.Level == cdplog.EntryLevelError || e.Level == cdplog.EntryLevelWarning {
				record("browser log "+string(e.Source), e.Text+" "+e.URL)
			}
		}
	}()
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.requests = append(b.requests, ev.Request.URL)
			b.mu.Unlock()
		}
	}()
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			if _, err := chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID}); err != nil && ctx.Err() == nil {
				t.Logf("continuing %s: %v", ev.Request.URL, err)
			}
		}
	}()
	go func() {
		for ev, err := range auth {
			if err != nil {
				return
			}
			resp := &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseCancelAuth}
			if strings.HasPrefix(ev.Request.URL, b.origin+"/") {
				resp = &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseProvideCredentials, Username: b.user, Password: b.pass}
			}
			if _, err := chromedp.Call(ctx, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{RequestID: ev.RequestID, AuthChallengeResponse: resp}); err != nil && ctx.Err() == nil {
				t.Logf("answering the auth challenge of %s: %v", ev.Request.URL, err)
			}
		}
	}()
	handleAuth := true
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{HandleAuthRequests: &handleAuth}); err != nil {
		t.Fatal(err)
	}
}

// check fails the test for every console message, exception, browser log
// error and request to another origin seen so far.
func (b *browser) check() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("the page reported %s", p)
	}
	if len(b.requests) == 0 {
		b.t.Error("no request was seen: the network events are not being watched")
	}
	for _, u := range b.requests {
		if !strings.HasPrefix(u, b.origin+"/") {
			b.t.Errorf("a request left the console's origin %s: %s", b.origin, u)
		}
	}
}

func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitPage waits until the predicate holds in the page, which updates
// itself every 2 seconds.
func waitPage(t *testing.T, ctx context.Context, what, predicate string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](predicate,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(45*time.Second))); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("the page never showed %s (%v); it shows:\n%s", what, err, text)
	}
}

// A real engine on anvil and embedded NATS serves its console to headless
// Chromium: after a critical event the page shows the event, the
// decision's reasons and the mined pause with its transaction hash, linked
// to the chain's explorer; an unauthenticated request is refused; the page
// writes nothing to its console, throws nothing, and asks nothing of any
// origin but the console's; it reads with scripts off; the operator halts
// and resumes from it; a screenshot of a laptop's and a phone's view is
// kept.
func TestConsoleInChromium(t *testing.T) {
	findChromium(t)
	const readTok, opTok = "console-read-token-0123456789", "console-operator-token-0123456789"
	env := map[string]string{"FB_CONSOLE_TOKEN": readTok, "FB_CONSOLE_OPERATOR": opTok}
	s := newStack(t, func(o *config.Options) {
		o.Console = config.ConsoleOptions{Listen: "127.0.0.1:0", TokenEnv: "FB_CONSOLE_TOKEN", OperatorTokenEnv: "FB_CONSOLE_OPERATOR"}
		o.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		o.Chains[0].Explorer = "https://explorer.example"
		o.Readiness.Interval = time.Second
	})
	if s.engine.ConsoleAddr() == "" {
		t.Fatal("no console with console.listen set")
	}
	base := "http://" + s.engine.ConsoleAddr()

	for _, path := range []string{"/", "/api/state", "/static/console.js"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
			t.Errorf("GET %s without a token: %d %q, want 401 with a basic challenge", path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}

	b := startBrowser(t, base, "operator", readTok)
	ctx := b.ctx
	do(t, ctx, chromedp.Navigate(base+"/"))
	if title := eval[string](t, ctx, `document.title`); title != "firebreak console" {
		t.Fatalf("title %q: the page did not load", title)
	}
	csp, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("/api/state").then(r => r.headers.get("Content-Security-Policy"))`, chromedp.EvalAwaitPromise))
	if err != nil || !strings.HasPrefix(csp, "default-src 'self'") {
		t.Errorf("Content-Security-Policy %q (%v)", csp, err)
	}

	// The event arrives after the page is loaded: what shows it is the
	// page's script, polling /api/state.
	ev := criticalExploit("console-1")
	s.publish(ev)
	out := s.outcome(ev.ID)
	if out.Decision == nil || len(out.Decision.Reasons) == 0 || len(out.Actions) == 0 || out.Actions[0].ActionID == "" {
		t.Fatalf("outcome %+v", out)
	}
	rec := s.action(out.Actions[0].ActionID)
	if rec.State != record.Mined || rec.TxHash == nil {
		t.Fatalf("the pause was not mined: %+v", rec)
	}
	hash := rec.TxHash.Hex()
	row := fmt.Sprintf(`document.getElementById(%q)`, "action-"+rec.ID)
	waitPage(t, ctx, "the mined pause", fmt.Sprintf(`%s && %s.innerText.includes(%q) && %s.querySelector(".state-tag").innerText === "mined"`, row, row, hash, row))
	eventRow := fmt.Sprintf(`document.getElementById(%q)`, "event-"+ev.ID)
	waitPage(t, ctx, "the event", eventRow)
	eventText := eval[string](t, ctx, eventRow+`.innerText`)
	for _, want := range append([]string{ev.ID, "exploit_pause", "allowed"}, out.Decision.Reasons...) {
		if !strings.Contains(eventText, want) {
			t.Errorf("the event's row lacks %q:\n%s", want, eventText)
		}
	}
	if href := eval[string](t, ctx, row+`.querySelector("a.tx").href`); href != "https://explorer.example/tx/"+hash {
		t.Errorf("the transaction links to %q", href)
	}
	actionText := eval[string](t, ctx, row+`.innerText`)
	for _, want := range []string{"pause()", fmt.Sprintf("block %d", rec.Block), "gwei", "1 attempt"} {
		if !strings.Contains(actionText, want) {
			t.Errorf("the action's row lacks %q:\n%s", want, actionText)
		}
	}
	waitPage(t, ctx, "the readiness table", `document.querySelectorAll("#readiness-body tbody tr").length > 0`)
	waitPage(t, ctx, "the policy revision", fmt.Sprintf(`document.getElementById("policy-body").innerText.includes(%q)`, out.Decision.Revision))

	// Keyboard: the first Tab reaches the skip link, and the attempts open
	// with Enter.
	do(t, ctx, chromedp.KeyEvent("\t"))
	if cls := eval[string](t, ctx, `document.activeElement.className`); cls != "skip" {
		t.Errorf("the first Tab focuses %q, want the skip link", cls)
	}
	do(t, ctx, chromedp.Focus(chromedp.CSS(fmt.Sprintf(`[id=%q] summary`, "action-"+rec.ID))), chromedp.KeyEvent("\r"))
	waitPage(t, ctx, "the attempts, opened from the keyboard", row+`.querySelector("details").open && `+row+`.querySelector("ol.attempts").innerText.includes("mined")`)

	do(t, ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	artifact(t, "console-laptop.png", shot)
	phone := b.tab()
	do(t, phone, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch), chromedp.Navigate(base+"/"))
	waitPage(t, phone, "the event on a phone", eventRow)
	if w := eval[float64](t, phone, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("on a 390px phone the page is %vpx wide: it scrolls sideways", w)
	}
	// The phone's first screen, and the pause's card further down.
	if shot, err = chromedp.Run(phone, chromedp.CaptureScreenshot()); err != nil {
		t.Fatal(err)
	}
	artifact(t, "console-phone.png", shot)
	do(t, phone, chromedp.Evaluate[chromedp.Void](row+`.scrollIntoView()`))
	if shot, err = chromedp.Run(phone, chromedp.CaptureScreenshot()); err != nil {
		t.Fatal(err)
	}
	artifact(t, "console-phone-action.png", shot)

	// Scripts off: the server-rendered page shows the same.
	noJS := b.tab()
	if _, err := chromedp.Call(noJS, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	do(t, noJS, chromedp.Navigate(base+"/"))
	html, err := chromedp.Run(noJS, chromedp.OuterHTML(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range append([]string{ev.ID, hash, "mined"}, out.Decision.Reasons...) {
		if !strings.Contains(html, want) && !strings.Contains(html, htmlEscape(want)) {
			t.Errorf("with scripts off the page lacks %q", want)
		}
	}

	// The operator halts and resumes from the page; the kill switch in
	// NATS follows.
	ks, err := guard.BindKillSwitch(s.ctx, s.js)
	if err != nil {
		t.Fatal(err)
	}
	do(t, ctx,
		chromedp.SendKeys(chromedp.ID("ks-token"), opTok),
		chromedp.SendKeys(chromedp.ID("ks-reason"), "console drill"),
		chromedp.Click(chromedp.ID("ks-halt")),
	)
	waitPage(t, ctx, "the halt", `document.getElementById("ks-badge").innerText === "HALTED" && document.getElementById("killswitch-body").innerText.includes("console drill")`)
	if h, halted, err := ks.Halted(s.ctx); err != nil || !halted || h.Reason != "console drill" || !strings.HasPrefix(h.By, "console") {
		t.Fatalf("after the halt from the page the kill switch is %+v %v %v", h, halted, err)
	}
	if shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		artifact(t, "console-halted.png", shot)
	}
	do(t, ctx, chromedp.Click(chromedp.ID("ks-resume")))
	waitPage(t, ctx, "the resume", `document.getElementById("ks-badge").innerText === "acting"`)
	if _, halted, _ := ks.Halted(s.ctx); halted {
		t.Fatal("still halted after resume from the page")
	}
	b.check()
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
