package policies

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/keys"
)

// MaxBundleSize bounds a policy bundle read from a file or a server.
const MaxBundleSize = 16 << 20

// Files are policy sources by path: .rego policies and their _test.rego
// tests.
type Files map[string][]byte

func (files Files) names() []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Revision is the SHA-256, hex, of the non-test files' paths and contents:
// what a decision cites to say which policies made it.
func (files Files) Revision() string {
	h := sha256.New()
	for _, p := range files.names() {
		if isTestFile(p) {
			continue
		}
		src := files[p]
		fmt.Fprintf(h, "%s\x00%d\x00", path.Clean(p), len(src))
		h.Write(src)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// digest hashes every file, tests included: a change to a test is a new
// candidate set to try, though not a new revision.
func (files Files) digest() string {
	h := sha256.New()
	for _, p := range files.names() {
		fmt.Fprintf(h, "%s\x00%d\x00", path.Clean(p), len(files[p]))
		h.Write(files[p])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ReadFS reads every .rego file of fsys, recursively, skipping hidden
// folders (.git, editors' swap folders).
func ReadFS(fsys fs.FS) (Files, error) {
	files := Files{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != "." && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[p] = src
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("policies: reading policy files: %w", err)
	}
	return files, nil
}

// Source is where policies come from; Read returns its current files.
type Source interface {
	Read(ctx context.Context) (Files, error)
	String() string
}

// OpenSource is Open with client and no other option.
func OpenSource(ref string, client *http.Client) (Source, error) {
	return Open(ref, SourceOptions{Client: client})
}

// SourceOptions configure Open.
type SourceOptions struct {
	// Client fetches bundles from a bundle server; nil means BundleClient.
	Client *http.Client
	// Redact makes a URL or an error's text fit to show: the source's
	// String, its errors and so the reload status and its log lines go
	// through it (the engine passes its config.Redactor). Nil shows them
	// as they are.
	Redact func(string) string
	// VerificationKey, when set, is the PEM public key (or a file holding
	// it) every bundle must be signed with: OPA's .signatures.json, made by
	// 'opa build --signing-key'. Algorithm is its JWT algorithm (default
	// RS256). Only for bundles.
	VerificationKey, Algorithm string
}

// Open returns the source ref names: "" for the shipped library, an
// https:// URL for an OPA bundle on a bundle server (http:// only on a
// loopback address), a path ending in .tar.gz for a local bundle, anything
// else for a folder of .rego files.
func Open(ref string, opts SourceOptions) (Source, error) {
	redact := opts.Redact
	if redact == nil {
		redact = func(s string) string { return s }
	}
	verify, err := opts.verification()
	if err != nil {
		return nil, err
	}
	isURL := strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://")
	if verify != nil && !isURL && !strings.HasSuffix(ref, ".tar.gz") {
		return nil, fmt.Errorf("policies: a verification key is for bundles, and %s is not one", redact(ref))
	}
	switch {
	case ref == "":
		return fsSource{fsys: Shipped(), name: "shipped policies"}, nil
	case isURL:
		if u, err := url.Parse(ref); err != nil || u.Host == "" {
			return nil, fmt.Errorf("policies: %s is not a bundle URL", redact(ref))
		} else if u.Scheme == "http" && !isLoopback(u) {
			return nil, fmt.Errorf("policies: bundle %s: plain http is refused (a bundle decides what firebreak does): use https", redact(ref))
		}
		client := opts.Client
		if client == nil {
			client = BundleClient()
		}
		return &urlSource{url: ref, name: redact(ref), redact: redact, client: client, verify: verify}, nil
	case strings.HasSuffix(ref, ".tar.gz"):
		if _, err := os.Stat(ref); err != nil {
			return nil, fmt.Errorf("policies: bundle %s: %w", ref, err)
		}
		return fileBundleSource{path: ref, verify: verify}, nil
	default:
		st, err := os.Stat(ref)
		if err != nil {
			return nil, fmt.Errorf("policies: policy folder %s: %w", ref, err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("policies: %s is neither a folder nor a .tar.gz bundle", ref)
		}
		return fsSource{fsys: os.DirFS(ref), name: ref}, nil
	}
}

// verification is OPA's bundle verification for the configured key, or
// nil without one.
func (o SourceOptions) verification() (*bundle.VerificationConfig, error) {
	if o.VerificationKey == "" {
		return nil, nil
	}
	alg := o.Algorithm
	if alg == "" {
		alg = "RS256"
	}
	pemKey := o.VerificationKey
	if !strings.Contains(pemKey, "-----BEGIN") {
		b, err := os.ReadFile(pemKey)
		if err != nil {
			return nil, fmt.Errorf("policies: bundle verification key: %w", err)
		}
		pemKey = string(b)
	}
	if !strings.Contains(pemKey, "-----BEGIN") {
		return nil, fmt.Errorf("policies: bundle verification key: want a PEM public key or a file holding one")
	}
	kc := &keys.Config{Key: pemKey, Algorithm: alg}
	// One key, used whatever key id the bundle's signature names.
	return bundle.NewVerificationConfig(map[string]*bundle.KeyConfig{bundleKeyID: kc}, bundleKeyID, "", nil), nil
}

const bundleKeyID = "firebreak"

// Timeouts of BundleClient.
const (
	bundleDialTimeout    = 10 * time.Second
	bundleRequestTimeout = 30 * time.Second
)

// BundleClient is the client bundles are fetched with: bounded dial, TLS
// handshake, response and whole-request times, and no redirect to plain
// http (or more than five).
func BundleClient() *http.Client {
	return &http.Client{
		Timeout: bundleRequestTimeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: bundleDialTimeout}).DialContext,
			TLSHandshakeTimeout:   bundleDialTimeout,
			ResponseHeaderTimeout: bundleRequestTimeout,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConns:          2,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != "https" && !isLoopback(req.URL) {
				return errors.New("redirected to plain http")
			}
			if len(via) >= 5 {
				return errors.New("more than 5 redirects")
			}
			return nil
		},
	}
}

// isLoopback: localhost or a loopback IP, where plain http never crosses a
// network.
func isLoopback(u *url.URL) bool {
	host := u.Hostname()
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

type fsSource struct {
	fsys fs.FS
	name string
}

func (s fsSource) Read(context.Context) (Files, error) { return ReadFS(s.fsys) }
func (s fsSource) String() string                      { return s.name }

type fileBundleSource struct {
	path   string
	verify *bundle.VerificationConfig
}

func (s fileBundleSource) String() string { return s.path }

func (s fileBundleSource) Read(context.Context) (Files, error) {
	f, err := os.Open(s.path)
	if err != nil {
		return nil, fmt.Errorf("policies: bundle: %w", err)
	}
	defer f.Close()
	return readBundle(f, s.path, s.verify)
}

// urlSource downloads a bundle from a bundle server (any HTTP server that
// serves the .tar.gz), asking with the last ETag so an unchanged bundle
// costs one 304. Its name and errors show the URL redacted.
type urlSource struct {
	url, name string
	redact    func(string) string
	client    *http.Client
	verify    *bundle.VerificationConfig
	etag      string
	last      Files
}

func (s *urlSource) String() string { return s.name }

func (s *urlSource) Read(ctx context.Context) (Files, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, fmt.Errorf("policies: bundle URL %s: %s", s.name, s.redact(err.Error()))
	}
	if s.etag != "" && s.last != nil {
		req.Header.Set("If-None-Match", s.etag)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		// Go's error repeats the URL (the password masked, not the path
		// or the query).
		return nil, fmt.Errorf("policies: fetching bundle %s: %s", s.name, s.redact(err.Error()))
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		return s.last, nil
	default:
		return nil, fmt.Errorf("policies: fetching bundle %s: HTTP %d", s.name, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBundleSize+1))
	if err != nil {
		return nil, fmt.Errorf("policies: fetching bundle %s: %s", s.name, s.redact(err.Error()))
	}
	if len(data) > MaxBundleSize {
		return nil, fmt.Errorf("policies: bundle %s is larger than %d bytes", s.name, MaxBundleSize)
	}
	files, err := readBundle(bytes.NewReader(data), s.name, s.verify)
	if err != nil {
		return nil, err
	}
	s.etag, s.last = resp.Header.Get("ETag"), files
	return files, nil
}

// readBundle takes the Rego modules of an OPA bundle, verified against
// verify when it is set (a bundle without a valid signature is refused).
// Its data documents are ignored: the registry comes from firebreak's
// configuration, so that the guard and the policies always see the same
// one.
func readBundle(r io.Reader, name string, verify *bundle.VerificationConfig) (Files, error) {
	rd := bundle.NewReader(r).
		WithRegoVersion(regoVersion).
		WithSizeLimitBytes(MaxBundleSize)
	if verify != nil {
		rd = rd.WithBundleVerificationConfig(verify).WithSkipBundleVerification(false)
	} else {
		rd = rd.WithSkipBundleVerification(true)
	}
	b, err := rd.Read()
	if err != nil && verify != nil {
		return nil, fmt.Errorf("%w: bundle %s: %v", ErrUnverifiedBundle, name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: bundle %s: %v", ErrCompile, name, err)
	}
	files := Files{}
	for _, m := range b.Modules {
		p := strings.TrimPrefix(m.Path, "/")
		if strings.HasSuffix(p, ".rego") {
			files[p] = m.Raw
		}
	}
	return files, nil
}

func isTestFile(p string) bool { return strings.HasSuffix(p, "_test.rego") }
