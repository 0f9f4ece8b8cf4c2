package notify

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestCheckStatus is the shared retry rule: 2xx delivered, 429 and 5xx
// retried, every other status (4xx, and 3xx, which is never followed)
// not retried.
func TestCheckStatus(t *testing.T) {
	tests := []struct {
		code      int
		ok, retry bool
	}{
		{200, true, false}, {201, true, false}, {202, true, false}, {204, true, false}, {299, true, false},
		{301, false, false}, {302, false, false}, {304, false, false},
		{400, false, false}, {401, false, false}, {403, false, false}, {404, false, false},
		{408, false, false}, {410, false, false}, {413, false, false}, {422, false, false},
		{429, false, true},
		{500, false, true}, {502, false, true}, {503, false, true}, {504, false, true}, {599, false, true},
		{600, false, false}, {100, false, false},
	}
	for _, tt := range tests {
		if ok, retry := CheckStatus(tt.code); ok != tt.ok || retry != tt.retry {
			t.Errorf("CheckStatus(%d) = ok %v retry %v, want ok %v retry %v", tt.code, ok, retry, tt.ok, tt.retry)
		}
	}
}

func TestPost(t *testing.T) {
	var status int
	var header http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		if status == http.StatusFound {
			http.Redirect(w, r, "https://elsewhere.example/"+r.URL.Path, status)
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte("echo " + r.URL.Path))
	}))
	defer srv.Close()
	url := Secret(srv.URL + "/hooks/SeCrEtToKeN1234567")
	client := NewHTTPClient()
	tests := []struct {
		name      string
		status    int
		header    http.Header
		wantErr   error
		wantRetry bool
		wantAfter time.Duration
	}{
		{"accepted", 202, nil, nil, false, 0},
		{"bad request", 400, nil, ErrStatus, false, 0},
		{"redirect not followed", 302, nil, ErrStatus, false, 0},
		{"rate limited, seconds", 429, http.Header{"Retry-After": {"12"}}, ErrStatus, true, 12 * time.Second},
		{"unavailable", 503, nil, ErrStatus, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header = tt.status, tt.header
			_, retry, err := Post(context.Background(), client, url, nil, []byte(`{}`))
			if !errors.Is(err, tt.wantErr) || retry != tt.wantRetry {
				t.Fatalf("Post = %v, %v; want %v, retry %v", retry, err, tt.wantErr, tt.wantRetry)
			}
			if after, _ := RetryAfter(err); after != tt.wantAfter {
				t.Errorf("RetryAfter = %v, want %v", after, tt.wantAfter)
			}
			if err != nil && strings.Contains(err.Error(), "SeCrEtToKeN1234567") {
				t.Errorf("the URL's token is in %q", err)
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		u := Secret(dead.URL + "/hooks/SeCrEtToKeN1234567")
		dead.Close()
		_, retry, err := Post(context.Background(), client, u, nil, nil)
		if !errors.Is(err, ErrUnreachable) || !retry || strings.Contains(err.Error(), "SeCrEtToKeN1234567") || strings.Contains(err.Error(), "/hooks") {
			t.Errorf("Post = %v, %v; want a retryable ErrUnreachable without the URL", retry, err)
		}
	})
	t.Run("bad URL", func(t *testing.T) {
		_, retry, err := Post(context.Background(), client, "http://exa mple.org/SeCrEtToKeN1234567", nil, nil)
		if !errors.Is(err, ErrBadURL) || retry || strings.Contains(err.Error(), "SeCrEtToKeN1234567") {
			t.Errorf("Post = %v, %v", retry, err)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		tls := httptest.NewUnstartedServer(http.NotFoundHandler())
		tls.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake it refuses
		tls.StartTLS()
		defer tls.Close()
		_, retry, err := Post(context.Background(), client, Secret(tls.URL), nil, nil)
		if !errors.Is(err, ErrUnreachable) || retry {
			t.Errorf("Post = %v, %v; want ErrUnreachable, not retried", retry, err)
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		"0.5":                           500 * time.Millisecond,
		"-1":                            0,
		"Sun, 01 Mar 2026 12:00:30 GMT": 30 * time.Second,
		"Sun, 01 Mar 2026 11:00:00 GMT": 0,
		"soon":                          0,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}
