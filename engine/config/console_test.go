package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestConsoleConfig(t *testing.T) {
	opts, err := ParseConfig(strings.NewReader(validConfig + `
console:
  listen: 0.0.0.0:8080
  token_env: FB_CONSOLE
  operator_token_env: FB_OPERATOR
`))
	if err != nil {
		t.Fatal(err)
	}
	c := opts.Console
	if !c.On() || c.Loopback() || c.TokenEnv != "FB_CONSOLE" || c.OperatorTokenEnv != "FB_OPERATOR" {
		t.Errorf("console = %+v", c)
	}
	env := map[string]string{"FB_CONSOLE": "read-token-0123456789", "FB_OPERATOR": "operator-token-0123456789"}
	opts.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	read, op, err := opts.ConsoleTokens()
	if err != nil || read != env["FB_CONSOLE"] || op != env["FB_OPERATOR"] {
		t.Errorf("tokens = %q %q %v", read, op, err)
	}

	if opts, err := ParseConfig(strings.NewReader(validConfig)); err != nil || opts.Console.On() {
		t.Errorf("no console section: %+v, %v", opts.Console, err)
	}
	for _, listen := range []string{"127.0.0.1:0", "[::1]:8080", "localhost:8080"} {
		c := ConsoleOptions{Listen: listen}
		if !c.Loopback() || c.Validate() != nil {
			t.Errorf("%s: loopback %v, validate %v", listen, c.Loopback(), c.Validate())
		}
	}
}

func TestConsoleConfigErrors(t *testing.T) {
	tests := []struct {
		name, section, want string
	}{
		{"unknown key", "console: {listen: '127.0.0.1:1', tokenenv: X}", "console.tokenenv: unknown key"},
		{"not host:port", "console: {listen: '8080'}", `console.listen: "8080" is not host:port`},
		{"open without a token", "console: {listen: ':8080'}", "console.token_env: required when console.listen (:8080) is not a loopback address"},
		{"public without a token", "console: {listen: '0.0.0.0:8080', operator_token_env: OP}", "console.token_env: required"},
		{"a token, not a name", "console: {listen: '127.0.0.1:1', token_env: 's3cr3t-t0ken!'}", "is not an environment variable name"},
		{"same variable", "console: {listen: '127.0.0.1:1', token_env: A, operator_token_env: A}", "the same variable as token_env"},
		{"tokens without listen", "console: {token_env: A}", "token_env and operator_token_env need console.listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig(strings.NewReader(validConfig + "\n" + tt.section + "\n"))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("the error repeats the value: %v", err)
			}
		})
	}
}

func TestConsoleTokensFromTheEnvironment(t *testing.T) {
	o := DefaultOptions()
	o.Console = ConsoleOptions{Listen: "0.0.0.0:1", TokenEnv: "T", OperatorTokenEnv: "O"}
	env := map[string]string{}
	o.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	check := func(want string) {
		t.Helper()
		_, _, err := o.ConsoleTokens()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want %q", err, want)
		}
		for _, v := range env {
			if strings.Contains(err.Error(), v) {
				t.Fatalf("the error shows a token: %v", err)
			}
		}
	}
	check("environment variable T is not set")
	env["T"] = "short-token"
	check("shorter than 16 characters")
	env["T"] = "a-long-enough-read-token"
	check("environment variable O is not set")
	env["O"] = env["T"]
	check("holds the same token as token_env")
	env["O"] = "a-long-enough-operator-token"
	if r, op, err := o.ConsoleTokens(); err != nil || r != env["T"] || op != env["O"] {
		t.Fatalf("tokens %q %q %v", r, op, err)
	}
	// Loopback without a token: no tokens, no error.
	o.Console = ConsoleOptions{Listen: "127.0.0.1:0"}
	if r, op, err := o.ConsoleTokens(); err != nil || r != "" || op != "" {
		t.Fatalf("no tokens configured: %q %q %v", r, op, err)
	}
}

// The commented console section of firebreak.example.yaml, uncommented,
// is a valid one.
func TestExampleConsoleIsValid(t *testing.T) {
	b, err := os.ReadFile("../../firebreak.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n# console:\n")
	if i < 0 {
		t.Fatal("firebreak.example.yaml has no commented console: section")
	}
	var section []string
	for _, l := range strings.Split(s[i+1:], "\n") {
		after, ok := strings.CutPrefix(l, "# ")
		if !ok {
			break
		}
		section = append(section, after)
	}
	opts, err := ParseConfig(strings.NewReader(validConfig + "\n" + strings.Join(section, "\n") + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c := opts.Console; !c.On() || c.TokenEnv == "" || c.OperatorTokenEnv == "" {
		t.Errorf("example console = %+v", c)
	}
}
