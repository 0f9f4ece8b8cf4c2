package webhook

import (
	"fmt"
	"maps"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
)

// Routes builds the adapter route of every configured ingress route (see Route), in
// name order.
func Routes(o config.Options) ([]adapt.Route, error) {
	var out []adapt.Route
	for _, name := range o.Ingress.RouteNames() {
		r, err := Route(o, name)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Route builds the adapter route of ingress.routes.<name>: its secret read from its
// variable or file, its public key, and the registry's contract addresses for
// resolving an alert's protocol. The result is validated (adapt.Route.Validate);
// errors wrap config.ErrConfig and name the route, never a secret.
func Route(o config.Options, name string) (adapt.Route, error) {
	c, ok := o.Ingress.Routes[name]
	if !ok {
		return adapt.Route{}, fmt.Errorf("%w: ingress.routes: no route named %q", config.ErrConfig, name)
	}
	secret, err := o.RouteSecret(name)
	if err != nil {
		return adapt.Route{}, err
	}
	key, err := o.RoutePublicKey(name)
	if err != nil {
		return adapt.Route{}, err
	}
	r := adapt.Route{
		Name:                 name,
		Adapter:              adapt.Adapter(c.Adapter),
		Source:               c.Source,
		Secret:               secret,
		SecretHeader:         c.Verify.Header,
		HypernativePublicKey: key,
		Window:               c.Verify.Window,
		SkipVerify:           c.Verify.Skip,
		Protocol:             c.Protocol,
		AlertType:            c.AlertType,
		Severity:             event.Severity(c.Severity),
		Confidence:           c.Confidence,
		ChainID:              c.ChainID,
		AlertTypes:           maps.Clone(c.AlertTypes),
		Chains:               maps.Clone(c.Chains),
		Contracts:            o.RegistryContracts(),
		MaxAlerts:            c.MaxAlerts,
	}
	for _, s := range c.Verify.Scanners {
		r.FortaScanners = append(r.FortaScanners, common.HexToAddress(s))
	}
	if len(c.Severities) > 0 {
		r.Severities = make(map[string]event.Severity, len(c.Severities))
		for k, v := range c.Severities {
			r.Severities[k] = event.Severity(v)
		}
	}
	if err := r.Validate(); err != nil {
		return adapt.Route{}, fmt.Errorf("%w: ingress.routes.%s: %w", config.ErrConfig, name, err)
	}
	return r, nil
}
