package policies

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/bundle"
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

// OpenSource returns the source ref names: "" for the shipped library, an
// http(s):// URL for an OPA bundle on a bundle server, a path ending in
// .tar.gz for a local bundle, anything else for a folder of .rego files.
func OpenSource(ref string, client *http.Client) (Source, error) {
	switch {
	case ref == "":
		return fsSource{fsys: Shipped(), name: "shipped policies"}, nil
	case strings.HasPrefix(ref, "http://"), strings.HasPrefix(ref, "https://"):
		if client == nil {
			client = http.DefaultClient
		}
		return &urlSource{url: ref, client: client}, nil
	case strings.HasSuffix(ref, ".tar.gz"):
		if _, err := os.Stat(ref); err != nil {
			return nil, fmt.Errorf("policies: bundle %s: %w", ref, err)
		}
		return fileBundleSource(ref), nil
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

type fsSource struct {
	fsys fs.FS
	name string
}

func (s fsSource) Read(context.Context) (Files, error) { return ReadFS(s.fsys) }
func (s fsSource) String() string                      { return s.name }

type fileBundleSource string

func (s fileBundleSource) String() string { return string(s) }

func (s fileBundleSource) Read(context.Context) (Files, error) {
	f, err := os.Open(string(s))
	if err != nil {
		return nil, fmt.Errorf("policies: bundle: %w", err)
	}
	defer f.Close()
	return readBundle(f, string(s))
}

// urlSource downloads a bundle from a bundle server (any HTTP server that
// serves the .tar.gz), asking with the last ETag so an unchanged bundle
// costs one 304.
type urlSource struct {
	url    string
	client *http.Client
	etag   string
	last   Files
}

func (s *urlSource) String() string { return s.url }

func (s *urlSource) Read(ctx context.Context) (Files, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, fmt.Errorf("policies: bundle URL: %w", err)
	}
	if s.etag != "" && s.last != nil {
		req.Header.Set("If-None-Match", s.etag)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("policies: fetching bundle: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		return s.last, nil
	default:
		return nil, fmt.Errorf("policies: fetching bundle %s: HTTP %d", s.url, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBundleSize+1))
	if err != nil {
		return nil, fmt.Errorf("policies: fetching bundle %s: %w", s.url, err)
	}
	if len(data) > MaxBundleSize {
		return nil, fmt.Errorf("policies: bundle %s is larger than %d bytes", s.url, MaxBundleSize)
	}
	files, err := readBundle(bytes.NewReader(data), s.url)
	if err != nil {
		return nil, err
	}
	s.etag, s.last = resp.Header.Get("ETag"), files
	return files, nil
}

// readBundle takes the Rego modules of an OPA bundle. Its data documents
// are ignored: the registry comes from firebreak's configuration, so that
// the guard and the policies always see the same one.
func readBundle(r io.Reader, name string) (Files, error) {
	b, err := bundle.NewReader(r).
		WithRegoVersion(regoVersion).
		WithSizeLimitBytes(MaxBundleSize).
		WithSkipBundleVerification(true).
		Read()
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
