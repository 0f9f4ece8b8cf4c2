package impersonate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

const (
	// maxRequestBody bounds a client's request body.
	maxRequestBody = 8 << 20
	// maxBatch bounds the calls of one batch request.
	maxBatch = 100
	// maxUpstreamBody bounds an upstream answer (a block with full
	// transactions can be large).
	maxUpstreamBody = 64 << 20
)

// JSON-RPC 2.0 error codes.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInvalidParams  = -32602
	codeInternal       = -32603
	codeServer         = -32000
)

// rpcError is a JSON-RPC error object, the upstream's passed on verbatim.
type rpcError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("json-rpc error %d: %s", e.Code, e.Message) }

// request is one call of a client's request.
type request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params,omitempty"`
	// raw is the call as the client sent it, forwarded verbatim when the
	// proxy has nothing to change.
	raw json.RawMessage
}

// notification is a call without an id, which gets no answer.
func (r request) notification() bool { return len(r.ID) == 0 }

// response is one answer.
type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

// decodeBody splits a request body into its calls: one object, or a batch
// (a non-empty array of at most maxBatch elements).
func decodeBody(body []byte) (calls []json.RawMessage, batch bool, err *rpcError) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, false, &rpcError{Code: codeInvalidRequest, Message: "impersonate: empty request body"}
	}
	if !json.Valid(body) {
		return nil, false, &rpcError{Code: codeParseError, Message: "impersonate: request body is not valid JSON"}
	}
	if body[0] != '[' {
		return []json.RawMessage{body}, false, nil
	}
	if e := json.Unmarshal(body, &calls); e != nil {
		return nil, true, &rpcError{Code: codeParseError, Message: "impersonate: batch is not a JSON array"}
	}
	switch {
	case len(calls) == 0:
		return nil, true, &rpcError{Code: codeInvalidRequest, Message: "impersonate: empty batch"}
	case len(calls) > maxBatch:
		return nil, true, &rpcError{Code: codeInvalidRequest, Message: fmt.Sprintf("impersonate: batch of %d calls, at most %d", len(calls), maxBatch)}
	}
	return calls, true, nil
}

// decodeRequest decodes and checks one call.
func decodeRequest(raw json.RawMessage) (request, *rpcError) {
	var r request
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return r, &rpcError{Code: codeInvalidRequest, Message: "impersonate: a call must be a JSON object"}
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return request{}, &rpcError{Code: codeInvalidRequest, Message: "impersonate: malformed call: " + err.Error()}
	}
	r.raw = raw
	if bytes.Equal(r.ID, []byte("null")) {
		r.ID = nil
	}
	if len(r.ID) > 0 && r.ID[0] != '"' && r.ID[0] != '-' && (r.ID[0] < '0' || r.ID[0] > '9') {
		id := r.ID
		r.ID = nil
		return r, &rpcError{Code: codeInvalidRequest, Message: fmt.Sprintf("impersonate: id %.40s is neither a number nor a string", id)}
	}
	switch {
	case r.JSONRPC != "2.0":
		return r, &rpcError{Code: codeInvalidRequest, Message: fmt.Sprintf("impersonate: jsonrpc must be \"2.0\", not %.20q", r.JSONRPC)}
	case r.Method == "":
		return r, &rpcError{Code: codeInvalidRequest, Message: "impersonate: no method"}
	}
	if p := bytes.TrimSpace(r.Params); len(p) > 0 && p[0] != '[' && p[0] != '{' && !bytes.Equal(p, []byte("null")) {
		return r, &rpcError{Code: codeInvalidParams, Message: "impersonate: params must be an array or an object"}
	}
	return r, nil
}

// params is a call's positional parameters; nil if they are not an array.
func (r request) params() ([]json.RawMessage, bool) {
	p := bytes.TrimSpace(r.Params)
	if len(p) == 0 || bytes.Equal(p, []byte("null")) {
		return nil, true
	}
	var ps []json.RawMessage
	if err := json.Unmarshal(p, &ps); err != nil {
		return nil, false
	}
	return ps, true
}

// serveHTTP answers JSON-RPC 2.0 over HTTP POST, single calls and batches.
func (p *Proxy) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, errorResponse(nil, &rpcError{Code: codeInvalidRequest, Message: "impersonate: JSON-RPC over HTTP POST only"}))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorResponse(nil, &rpcError{Code: codeInvalidRequest, Message: fmt.Sprintf("impersonate: request body over %d bytes", maxRequestBody)}))
			return
		}
		writeJSON(w, http.StatusBadRequest, errorResponse(nil, &rpcError{Code: codeParseError, Message: "impersonate: reading the request body: " + err.Error()}))
		return
	}
	calls, batch, rerr := decodeBody(body)
	if rerr != nil {
		writeJSON(w, http.StatusBadRequest, errorResponse(nil, rerr))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), p.requestTimeout())
	defer cancel()
	answers := make([]json.RawMessage, 0, len(calls))
	for _, raw := range calls {
		req, rerr := decodeRequest(raw)
		if rerr != nil {
			answers = append(answers, errorResponse(req.ID, rerr))
			continue
		}
		answer := p.handle(ctx, req)
		if !req.notification() {
			answers = append(answers, answer)
		}
	}
	switch {
	case len(answers) == 0:
		w.WriteHeader(http.StatusNoContent)
	case batch:
		out, _ := json.Marshal(answers)
		writeJSON(w, http.StatusOK, out)
	default:
		writeJSON(w, http.StatusOK, answers[0])
	}
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func errorResponse(id json.RawMessage, e *rpcError) json.RawMessage {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	out, _ := json.Marshal(response{JSONRPC: "2.0", ID: id, Error: e})
	return out
}

func resultResponse(id json.RawMessage, result json.RawMessage) json.RawMessage {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	if len(result) == 0 {
		result = json.RawMessage("null")
	}
	out, err := json.Marshal(response{JSONRPC: "2.0", ID: id, Result: result})
	if err != nil { // an upstream result that is not JSON
		return errorResponse(id, &rpcError{Code: codeInternal, Message: "impersonate: upstream answered a result that is not JSON"})
	}
	return out
}

// upstream is the anvil node's JSON-RPC endpoint.
type upstream struct {
	url     string
	client  *http.Client
	timeout time.Duration
	nextID  atomic.Uint64
}

func newUpstream(rawURL string, timeout time.Duration) (*upstream, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Not the URL itself: a fork URL may carry a provider's key.
		return nil, fmt.Errorf("%w: upstream must be an http(s) URL with a host", ErrOptions)
	}
	return &upstream{url: rawURL, client: &http.Client{}, timeout: timeout}, nil
}

// post sends one JSON-RPC body and returns the answer's body.
func (u *upstream) post(ctx context.Context, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: building the request", ErrUpstream)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := u.client.Do(req)
	if err != nil {
		// A *url.Error names the URL, which may hold a key: keep its cause only.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: %w", ErrUpstream, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, maxUpstreamBody+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the answer: %w", ErrUpstream, err)
	}
	if len(out) > maxUpstreamBody {
		return nil, fmt.Errorf("%w: answer over %d bytes", ErrUpstream, maxUpstreamBody)
	}
	if !json.Valid(out) {
		return nil, fmt.Errorf("%w: HTTP %d, an answer that is not JSON", ErrUpstream, resp.StatusCode)
	}
	return out, nil
}

// call calls method with params; an error the upstream answers is a *rpcError.
func (u *upstream) call(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": u.nextID.Add(1), "method": method, "params": params})
	if err != nil {
		return nil, fmt.Errorf("impersonate: encoding %s: %w", method, err)
	}
	out, err := u.post(ctx, body)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Result json.RawMessage `json:"result"`
		Error  *rpcError       `json:"error"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		return nil, fmt.Errorf("%w: %s: an answer that is not a JSON-RPC response", ErrUpstream, method)
	}
	if resp.Error != nil {
		return nil, resp.Error
	}
	if len(resp.Result) == 0 {
		return nil, fmt.Errorf("%w: %s: an answer with neither result nor error", ErrUpstream, method)
	}
	return resp.Result, nil
}
