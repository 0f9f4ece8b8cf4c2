package engine

import (
	"testing"

	"github.com/firebreak-dev/firebreak/engine/incident"
	"github.com/firebreak-dev/firebreak/engine/ingest"
	"github.com/firebreak-dev/firebreak/engine/record"
	"github.com/firebreak-dev/firebreak/engine/recovery"
)

// ingest names the buckets in its permission table without importing the
// stages that own them; the names must stay the same.
func TestPermissionTableNamesTheStagesBuckets(t *testing.T) {
	for _, c := range []struct{ ingest, owner string }{
		{ingest.IncidentsBucket, incident.Bucket},
		{ingest.RecoveryBucket, recovery.Bucket},
		{ingest.InflightBucket, record.InflightBucket},
		{ingest.ActionsBucket, record.ActionsBucket},
	} {
		if c.ingest != c.owner {
			t.Errorf("ingest names bucket %q, its owner %q", c.ingest, c.owner)
		}
	}
}
