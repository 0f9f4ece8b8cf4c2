package engine

import (
	"slices"
	"testing"

	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
)

// ingress.routes.<name>.adapter names exactly engine/ingest/adapt's adapters.
func TestIngressAdaptersMatchAdapt(t *testing.T) {
	var names []string
	for _, a := range adapt.Adapters {
		names = append(names, string(a))
	}
	if !slices.Equal(names, config.IngressAdapters) {
		t.Errorf("config.IngressAdapters = %v, adapt.Adapters = %v", config.IngressAdapters, names)
	}
}
