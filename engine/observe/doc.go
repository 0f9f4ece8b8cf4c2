// Package observe is how people see a running firebreak and how it proves
// it can still act: the Prometheus metrics of every stage (Metrics, over a
// registry the caller passes in), the HTTP server of /metrics, /healthz and
// /readyz (Server, Health and its Probes), and the readiness check that asks
// of every pauser whether it can pause right now (Checker: the code is
// there, the exact containment call succeeds from the sender on the latest
// block, the role is held, the balance pays for readiness.min_actions
// transactions at emergency fees, the signer answers, a Safe's owners reach
// its threshold, the allowlist covers what the policies can ask for, the
// chain heads are fresh).
//
// It sits beside the stages and reads them; no stage imports it. The root
// package engine builds a Metrics, calls its methods from the stages' hooks
// and runs the Checker every readiness.interval; 'firebreak check' runs the
// same Checker once.
package observe
