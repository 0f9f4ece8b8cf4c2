package dispatch

import (
	"slices"
	"sort"
	"strings"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/notify"
)

// router picks the channels of a message from the configured routes.
type router struct {
	routes   []config.RouteOptions
	channels []string // every channel, sorted
}

func newRouter(routes []config.RouteOptions, channels map[string]notify.Notifier) router {
	names := make([]string, 0, len(channels))
	for n := range channels {
		names = append(names, n)
	}
	sort.Strings(names)
	return router{routes: routes, channels: names}
}

// route is the sorted channels msg goes to: the union of the channels of
// every route it matches, or every channel when there is no route.
func (r router) route(msg notify.Message) []string {
	if len(r.routes) == 0 {
		return slices.Clone(r.channels)
	}
	var out []string
	for _, rt := range r.routes {
		if matches(rt, msg) {
			out = append(out, rt.Channels...)
		}
	}
	sort.Strings(out)
	out = slices.Compact(out)
	// A route may name a channel that has no notifier (not built): left out.
	return slices.DeleteFunc(out, func(c string) bool { _, ok := slices.BinarySearch(r.channels, c); return !ok })
}

// matches: every condition the route sets holds for msg.
func matches(rt config.RouteOptions, msg notify.Message) bool {
	if len(rt.Kinds) > 0 && !slices.ContainsFunc(rt.Kinds, func(k string) bool {
		return k == string(msg.Kind) || strings.HasPrefix(string(msg.Kind), k+".")
	}) {
		return false
	}
	if len(rt.Protocols) > 0 && !slices.Contains(rt.Protocols, msg.Protocol) {
		return false
	}
	if rt.MinSeverity != "" && severity(msg).Rank() < event.Severity(rt.MinSeverity).Rank() {
		return false
	}
	return true
}

// severity is the message's, info when unset.
func severity(msg notify.Message) event.Severity {
	if msg.Severity.Valid() {
		return msg.Severity
	}
	return event.SeverityInfo
}
