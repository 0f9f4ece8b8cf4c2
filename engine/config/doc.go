// Package config is firebreak's configuration: the YAML schema (Options and
// the types it holds), DefaultOptions, LoadConfig and ParseConfig, and
// Validate, which checks everything that can be checked without I/O and
// names the offending key.
//
// It is plain data for every stage of the event's path. Besides the schema
// it gives the two views of the protocol registry that must agree: the
// policies' data document (PolicyData) and the resolved allowlist
// (AllowedCalls), which engine/decide turns into the guard's registry. It
// also lists the configured values that must never reach a log line, an
// error or an audit record (Secrets), and is the one place they are
// redacted: RedactURL for a URL, the Redactor (Options.Redactor) for any
// text, error or log handler. It imports no other engine package.
package config
