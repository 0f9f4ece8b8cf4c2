package adapt

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/event"
)

// ctx is one Translate call.
type ctx struct {
	r      *Route
	now    time.Time
	header http.Header
	body   []byte
	sha    string // hex SHA-256 of body
}

// alert is a vendor alert reduced to what an Event needs, before the route's mappings.
type alert struct {
	vendorID  string   // the vendor's id of this alert (hash, UUID); "" to hash idBytes
	idBytes   []byte   // hashed into the ID when vendorID is empty
	title     string   // vendor's name for the alert
	ruleID    string   // vendor's id of the rule
	typeKeys  []string // alert-type lookup keys: id, name, category
	severity  string   // vendor severity, "" for none
	chainID   uint64   // 0: see chainName, then the route's default
	chainName string   // vendor chain name
	txHash    string
	block     uint64
	timestamp time.Time // zero: now
	addrs     addrSet
	metadata  map[string]any
}

// The roles, by rank: an address keeps the most specific role it was given.
const (
	rankAttacker = iota
	rankVictim
	rankContract
	rankRelated
	numRanks
)

var rankRole = [numRanks]string{event.RoleAttacker, event.RoleVictim, event.RoleContract, event.RoleRelated}

// addrSet collects an alert's addresses in first-seen order with their best role.
type addrSet struct {
	order []common.Address
	rank  map[common.Address]int
}

func (s *addrSet) add(rank int, addrs ...common.Address) {
	if s.rank == nil {
		s.rank = make(map[common.Address]int)
	}
	for _, a := range addrs {
		if old, ok := s.rank[a]; ok {
			s.rank[a] = min(old, rank)
			continue
		}
		if len(s.order) >= MaxAddresses*4 {
			continue // bound the work; MaxAddresses are kept
		}
		s.rank[a] = rank
		s.order = append(s.order, a)
	}
}

// finish returns the event's Addresses and AddressRoles: the addresses with a role
// first, by rank, at most event.MaxRoleAddresses per role and MaxAddresses in all. The
// zero address never gets a role. dropped is how many addresses were left out.
func (s *addrSet) finish() (addrs []common.Address, roles map[string][]common.Address, dropped int) {
	byRank := make([][]common.Address, numRanks)
	for _, a := range s.order {
		byRank[s.rank[a]] = append(byRank[s.rank[a]], a)
	}
	for rank, list := range byRank {
		for _, a := range list {
			if len(addrs) >= MaxAddresses {
				dropped++
				continue
			}
			addrs = append(addrs, a)
			if a == (common.Address{}) || len(roles[rankRole[rank]]) >= event.MaxRoleAddresses {
				continue
			}
			if roles == nil {
				roles = make(map[string][]common.Address)
			}
			roles[rankRole[rank]] = append(roles[rankRole[rank]], a)
		}
	}
	return addrs, roles, dropped
}

// build maps a onto an Event with the route's defaults and mappings.
func (c *ctx) build(a *alert) (event.Event, error) {
	r := c.r
	e := event.Event{
		Source:     r.source(),
		Confidence: r.confidence(),
		RawSHA256:  c.sha,
	}
	if a.vendorID != "" {
		e.ID = makeID(e.Source, a.vendorID)
	} else {
		sum := sha256.Sum256(a.idBytes)
		e.ID = e.Source + "-sha256-" + hex.EncodeToString(sum[:])
	}

	e.ChainID = a.chainID
	if e.ChainID == 0 {
		if id, ok := r.chainByName(a.chainName); ok {
			e.ChainID = id
		} else if r.ChainID != 0 {
			e.ChainID = r.ChainID
		} else if a.chainName != "" {
			return event.Event{}, errorf(ErrUnknownChain, "alert %s: chain %s is not known and the route has no default chain id", e.ID, q(a.chainName))
		} else {
			return event.Event{}, errorf(ErrUnknownChain, "alert %s names no chain and the route has no default chain id", e.ID)
		}
	}

	sev, err := r.severity(a.severity)
	if err != nil {
		return event.Event{}, fmt.Errorf("alert %s: %w", e.ID, err)
	}
	e.Severity = sev
	e.AlertType = r.alertType(a.typeKeys)
	e.Title = cleanText(a.title, event.MaxTitleLen)
	e.RuleID = cleanText(a.ruleID, event.MaxRuleIDLen)

	var dropped int
	e.Addresses, e.AddressRoles, dropped = a.addrs.finish()
	if e.Protocol, err = r.resolveProtocol(&a.addrs); err != nil {
		return event.Event{}, fmt.Errorf("alert %s: %w", e.ID, err)
	}
	if h, ok := toHash(a.txHash); ok {
		e.TxHash = &h
	}
	e.Block = a.block
	e.Timestamp = a.timestamp
	if e.Timestamp.IsZero() {
		e.Timestamp = c.now
	}

	md := make(map[string]any, len(a.metadata)+2)
	md["adapter"] = string(r.Adapter)
	for k, v := range a.metadata {
		if !empty(v) {
			md[k] = v
		}
	}
	if dropped > 0 {
		md["addresses_dropped"] = dropped
	}
	e.Metadata = boundMetadata(md)

	if err := e.Validate(); err != nil {
		return event.Event{}, fmt.Errorf("alert %s: %w", e.ID, err)
	}
	if err := fitEvent(&e); err != nil {
		return event.Event{}, fmt.Errorf("alert %s: %w", e.ID, err)
	}
	return e, nil
}

// empty reports whether a metadata value carries nothing: nil, "", or an empty (or
// nil) object or list.
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case map[string]any:
		return len(v) == 0
	case obj:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// makeID returns "<source>-<vendorID>" when that is a valid event ID, else
// "<source>-sha256-<hex SHA-256 of vendorID>".
func makeID(source, vendorID string) string {
	id := source + "-" + vendorID
	ok := len(id) <= event.MaxIDLen
	for i := 0; ok && i < len(id); i++ {
		ok = id[i] > ' ' && id[i] <= '~'
	}
	if ok {
		return id
	}
	sum := sha256.Sum256([]byte(vendorID))
	return source + "-sha256-" + hex.EncodeToString(sum[:])
}

// cleanText makes vendor text fit Event.Title and RuleID: white space becomes a space,
// other unprintable characters are dropped, runs of spaces shrink to one, and the
// result is cut to max bytes at a character boundary.
func cleanText(s string, max int) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case !unicode.IsPrint(r):
			continue
		}
		if space {
			if b.Len()+1 > max {
				break
			}
			b.WriteByte(' ')
			space = false
		}
		if b.Len()+utf8.RuneLen(r) > max {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Bounds on the vendor data an adapter keeps in Metadata.
const (
	maxMetaDepth  = 8    // nested objects and arrays below a top-level key
	maxMetaString = 2048 // bytes of one string
	maxMetaList   = 64   // elements of one array
	maxMetaKeys   = 64   // keys of one object
)

// boundMetadata bounds every value of m (see the max* constants above): deeper
// containers become the string "(truncated)", longer strings are cut, longer arrays
// and objects keep their first elements (objects: in key order). It records
// "truncated": true when it cut anything.
func boundMetadata(m map[string]any) map[string]any {
	cut := false
	out := make(map[string]any, len(m))
	for _, k := range sortedKeys(m) {
		if len(out) >= event.MaxMetadataKeys-1 {
			cut = true
			break
		}
		out[k] = bound(m[k], 1, &cut)
	}
	if cut {
		out["truncated"] = true
	}
	return out
}

func bound(v any, depth int, cut *bool) any {
	switch v := v.(type) {
	case string:
		if len(v) > maxMetaString {
			*cut = true
			return cleanUTF8Prefix(v, maxMetaString)
		}
		return v
	case []any:
		if depth > maxMetaDepth {
			*cut = true
			return "(truncated)"
		}
		n := min(len(v), maxMetaList)
		if n < len(v) {
			*cut = true
		}
		out := make([]any, n)
		for i := range n {
			out[i] = bound(v[i], depth+1, cut)
		}
		return out
	case map[string]any:
		if depth > maxMetaDepth {
			*cut = true
			return "(truncated)"
		}
		out := make(map[string]any, min(len(v), maxMetaKeys))
		for _, k := range sortedKeys(v) {
			if len(out) >= maxMetaKeys {
				*cut = true
				break
			}
			out[cleanUTF8Prefix(k, maxMetaString)] = bound(v[k], depth+1, cut)
		}
		return out
	case obj:
		return bound(map[string]any(v), depth, cut)
	case []string:
		l := make([]any, len(v))
		for i, s := range v {
			l[i] = s
		}
		return bound(l, depth, cut)
	case map[string]string:
		m := make(map[string]any, len(v))
		for k, s := range v {
			m[k] = s
		}
		return bound(m, depth, cut)
	case nil, bool, json.Number, int, int64, uint64:
		return v
	case float64:
		if !finite(v) {
			return nil
		}
		return v
	}
	return fmt.Sprint(v)
}

// cleanUTF8Prefix cuts s to at most n bytes at a character boundary.
func cleanUTF8Prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fitEvent makes e's encoding fit in event.MaxSize by dropping its largest metadata
// values, one at a time, recording "truncated": true.
func fitEvent(e *event.Event) error {
	for {
		_, err := e.Encode()
		if !errors.Is(err, event.ErrTooLarge) {
			return err
		}
		biggest, size := "", -1
		for _, k := range sortedKeys(e.Metadata) {
			if k == "adapter" || k == "truncated" {
				continue
			}
			b, _ := json.Marshal(e.Metadata[k])
			if len(b) > size {
				biggest, size = k, len(b)
			}
		}
		if size < 0 {
			return err
		}
		delete(e.Metadata, biggest)
		e.Metadata["truncated"] = true
	}
}

// batch adapts each of items with one, collecting per-item failures. It fails with
// ErrTooManyAlerts above the route's MaxAlerts, with ErrNotActionable for no items,
// and with the first failure when no item adapted (see PartialError).
func batch[T any](c *ctx, kind string, items []T, one func(i int, item T) (event.Event, error)) ([]event.Event, error) {
	if len(items) == 0 {
		return nil, errorf(ErrNotActionable, "%s holds no alerts", kind)
	}
	if n := c.r.maxAlerts(); len(items) > n {
		return nil, errorf(ErrTooManyAlerts, "%s holds %d alerts, more than the route's %d", kind, len(items), n)
	}
	var events []event.Event
	var failed []error
	for i, item := range items {
		e, err := one(i, item)
		if err != nil {
			if len(items) > 1 {
				err = fmt.Errorf("alert %d of %d: %w", i, len(items), err)
			}
			failed = append(failed, err)
			continue
		}
		events = append(events, e)
	}
	switch {
	case len(failed) == 0:
		return events, nil
	case len(events) == 0:
		if len(failed) > 1 {
			return nil, fmt.Errorf("%w (and %d more alerts failed)", failed[0], len(failed)-1)
		}
		return nil, failed[0]
	}
	return events, &PartialError{Total: len(items), Failed: failed}
}

// header returns the value of the named header, matched case-insensitively so that
// headers taken from a NATS message (not canonicalized) are found too.
func headerValue(h http.Header, name string) string {
	if h == nil {
		return ""
	}
	if v := h.Get(name); v != "" {
		return v
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.EqualFold(k, name) && len(h[k]) > 0 {
			return h[k][0]
		}
	}
	return ""
}
