package config

import (
	"errors"
	"net"
	"reflect"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConsoleOptions configure the web console 'firebreak serve' can serve
// (engine/console): events, decisions, actions, approvals, readiness, the
// kill switch. It is off unless Listen is set.
type ConsoleOptions struct {
	// Listen is the console's host:port; empty serves no console. A
	// loopback address (127.0.0.1, ::1, localhost) may go without a token;
	// any other requires TokenEnv.
	Listen string `yaml:"listen"`
	// TokenEnv names the environment variable holding the token that
	// reads the console (a browser sends it as the password of HTTP basic
	// auth; scripts as "Authorization: Bearer <token>"). At least
	// MinConsoleToken characters.
	TokenEnv string `yaml:"token_env"`
	// OperatorTokenEnv names the variable holding the token that may also
	// halt and resume, sent only as a bearer token by the page's script.
	// Unset: the TokenEnv token may halt and resume; neither set: the
	// console cannot halt or resume.
	OperatorTokenEnv string `yaml:"operator_token_env"`
}

// MinConsoleToken is the shortest console token accepted.
const MinConsoleToken = 16

// On reports whether a console is to be served.
func (c ConsoleOptions) On() bool { return c.Listen != "" }

// Loopback reports whether Listen is a loopback address only this machine
// reaches.
func (c ConsoleOptions) Loopback() bool {
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Validate checks the console section on its own: an address, variable
// names, and a token wherever the console is reachable from the network.
// Whether the variables are set is checked when the console starts.
func (c ConsoleOptions) Validate() error {
	if !c.On() {
		if c.TokenEnv != "" || c.OperatorTokenEnv != "" {
			return Errorf("console: token_env and operator_token_env need console.listen")
		}
		return nil
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return Errorf("console.listen: %q is not host:port", c.Listen)
	}
	for key, v := range map[string]string{"token_env": c.TokenEnv, "operator_token_env": c.OperatorTokenEnv} {
		if v != "" && !envName.MatchString(v) {
			// It may be the token itself, put there by mistake: not repeated.
			return Errorf("console.%s: is not an environment variable name (name the variable; the token itself never goes in the file)", key)
		}
	}
	if c.TokenEnv != "" && c.TokenEnv == c.OperatorTokenEnv {
		return Errorf("console.operator_token_env: the same variable as token_env; leave it out to let that token halt and resume")
	}
	if !c.Loopback() && c.TokenEnv == "" {
		return Errorf("console.token_env: required when console.listen (%s) is not a loopback address: the console would be open to the network", c.Listen)
	}
	return nil
}

// ConsoleTokens reads the console's tokens from the environment (LookupEnv).
// A variable the configuration names must be set, to a token of at least
// MinConsoleToken characters; an empty result means no such token.
func (o Options) ConsoleTokens() (read, operator string, err error) {
	get := func(key, name string) (string, error) {
		if name == "" {
			return "", nil
		}
		v, ok := o.Env()(name)
		v = strings.TrimSpace(v)
		switch {
		case !ok || v == "":
			return "", Errorf("console.%s: environment variable %s is not set", key, name)
		case len(v) < MinConsoleToken:
			return "", Errorf("console.%s: the token in %s is shorter than %d characters", key, name, MinConsoleToken)
		}
		return v, nil
	}
	if read, err = get("token_env", o.Console.TokenEnv); err != nil {
		return "", "", err
	}
	if operator, err = get("operator_token_env", o.Console.OperatorTokenEnv); err != nil {
		return "", "", err
	}
	if read != "" && read == operator {
		return "", "", Errorf("console.operator_token_env: holds the same token as token_env")
	}
	return read, operator, nil
}

// UnmarshalYAML decodes the console section strictly (an unknown key is an
// error) and validates it, so that options.go needs only its field line.
func (c *ConsoleOptions) UnmarshalYAML(node *yaml.Node) error {
	unprefixed := func(err error) error {
		if err == nil {
			return nil
		}
		return errors.New(strings.TrimPrefix(err.Error(), ErrConfig.Error()+": "))
	}
	if err := knownKeys(node, reflect.TypeFor[ConsoleOptions](), "console", 0); err != nil {
		return unprefixed(err)
	}
	type plain ConsoleOptions // without this method
	p := plain(*c)
	if err := node.Decode(&p); err != nil {
		return err
	}
	*c = ConsoleOptions(p)
	return unprefixed(c.Validate())
}
