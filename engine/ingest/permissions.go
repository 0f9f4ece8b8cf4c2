package ingest

import (
	"fmt"
	"strings"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
)

// Names of the JetStream resources other packages own, repeated here
// because the permission table must name them and those packages import
// this one. A test checks that they agree.
const (
	AuditStream     = "FIREBREAK_AUDIT" // engine/audit.Stream
	AuditSubjects   = "audit.>"         // engine/audit.SubjectPrefix + ">"
	ActionsBucket   = "FIREBREAK_ACTIONS"
	LeasesBucket    = "FIREBREAK_LEASES"
	ControlBucket   = "FIREBREAK_CONTROL" // the kill switch and the policy status
	HaltKey         = "halt"              // engine/guard.HaltKey
	ApprovalsBucket = "FIREBREAK_APPROVALS"
	NotifySubjects  = "firebreak.notify.>"
	// IncidentsBucket: engine/incident.Bucket; operators ack, resolve and
	// dismiss incidents in it.
	IncidentsBucket = "FIREBREAK_INCIDENTS"
	// RecoveryBucket: engine/recovery.Bucket; operators store recovery
	// proposals and their signed approvals in it (the engine checks its MAC
	// and every signature before it sends anything).
	RecoveryBucket = "FIREBREAK_RECOVERY"
	// InflightBucket: engine/record.InflightBucket, the calls in flight;
	// only the engine writes it.
	InflightBucket = "FIREBREAK_INFLIGHT"
)

// ReplaySubject is where an operator asks the engine to replay a dead
// letter. The request names the dead letter by its stream sequence in
// DETECTIONS; the engine republishes the stored original itself, so an
// operator never publishes an event and cannot forge one as a detector.
// The engine answers it (Replayer; firebreak dead-letters replay).
const ReplaySubject = "firebreak.replay.request"

// StateBuckets are the KV buckets operators and readers may read.
var StateBuckets = []string{
	EventsBucket, ActionsBucket, ApprovalsBucket, ControlBucket, LeasesBucket, IncidentsBucket, RecoveryBucket, InflightBucket,
}

// Subject building blocks.
const (
	jsAPI = "$JS.API."
	kvPre = "$KV."
)

func kvStream(bucket string) string { return "KV_" + bucket }

// readStream is what reading stream s needs, and nothing that changes it:
// its info, single messages (by sequence or last by subject, the way KV
// Get reads), and the ephemeral ordered consumers that scan it (pull for
// the audit reader, push with flow control for KV watches and key lists).
// CONSUMER.CREATE cannot be narrowed to ephemeral, ordered consumers by
// subject; docs/nats.md says what that leaves to a reader.
func readStream(s string) []string {
	return []string{
		jsAPI + "STREAM.INFO." + s,
		jsAPI + "STREAM.MSG.GET." + s,
		jsAPI + "DIRECT.GET." + s,
		jsAPI + "DIRECT.GET." + s + ".>",
		jsAPI + "CONSUMER.CREATE." + s,
		jsAPI + "CONSUMER.CREATE." + s + ".>",
		jsAPI + "CONSUMER.MSG.NEXT." + s + ".>",
		// A reader deletes its own consumers when done (nats.go waits for
		// the answer); consumer names are random and cannot be listed.
		jsAPI + "CONSUMER.DELETE." + s + ".>",
		"$JS.FC." + s + ".>",
	}
}

// readStreams is readStream of the audit stream and every state bucket.
func readStreams() []string {
	out := readStream(AuditStream)
	for _, b := range StateBuckets {
		out = append(out, readStream(kvStream(b))...)
	}
	return out
}

// deniedAdmin is what no identity but the engine's may publish, whatever
// else it is allowed: the JetStream API that creates, changes, deletes,
// purges, snapshots or restores streams and consumers, the account and
// cluster APIs, writes to the buckets only the engine writes, detections,
// audit records and the system account.
var deniedAdmin = []string{
	jsAPI + "STREAM.CREATE.>",
	jsAPI + "STREAM.UPDATE.>",
	jsAPI + "STREAM.DELETE.>",
	jsAPI + "STREAM.PURGE.>",
	jsAPI + "STREAM.MSG.DELETE.>",
	jsAPI + "STREAM.SNAPSHOT.>",
	jsAPI + "STREAM.RESTORE.>",
	jsAPI + "STREAM.LEADER.>",
	jsAPI + "STREAM.PEER.>",
	jsAPI + "STREAM.LIST",
	jsAPI + "STREAM.NAMES",
	jsAPI + "CONSUMER.DURABLE.CREATE.>",
	// No consumer at all on DETECTIONS: its durable is the engine's.
	jsAPI + "CONSUMER.CREATE." + Stream,
	jsAPI + "CONSUMER.CREATE." + Stream + ".>",
	jsAPI + "CONSUMER.DELETE." + Stream + ".>",
	jsAPI + "CONSUMER.MSG.NEXT." + Stream + ".>",
	jsAPI + "CONSUMER.PAUSE.>",
	jsAPI + "CONSUMER.RESET.>",
	jsAPI + "CONSUMER.UNPIN.>",
	jsAPI + "CONSUMER.LEADER.>",
	jsAPI + "CONSUMER.INFO.>",
	jsAPI + "CONSUMER.LIST.>",
	jsAPI + "CONSUMER.NAMES.>",
	jsAPI + "ACCOUNT.>",
	jsAPI + "META.>",
	jsAPI + "SERVER.>",
	kvPre + EventsBucket + ".>",
	kvPre + ActionsBucket + ".>",
	kvPre + LeasesBucket + ".>",
	kvPre + InflightBucket + ".>",
	SubjectPrefix + ">",
	AuditSubjects,
	"$SYS.>",
}

// grant is one row of the permission table. In its subjects, {inbox}
// stands for the identity's inbox prefix and {source} for its name.
type grant struct {
	pubAllow, pubDeny []string
	subAllow, subDeny []string
	// connTypes the identity may connect with (nil: any).
	connTypes []string
}

// rolePermissions is the permission table: the one place that says what
// each role may publish and subscribe to. Deny wins over allow in NATS, and
// anything not allowed is denied; the explicit denies say what each role
// must never do even if an allow is widened by mistake. docs/nats.md shows
// the same table and the matching nats-server configuration.
var rolePermissions = map[Role]grant{
	RoleEngine: {
		pubAllow:  []string{">"},
		subAllow:  []string{">"},
		connTypes: []string{jwt.ConnectionTypeStandard, jwt.ConnectionTypeInProcess},
	},
	RoleDetector: {
		// Publish its own detections and read the stream's acks in its
		// own inbox: js.Publish is a request to the stream.
		pubAllow: []string{SubjectPrefix + "{source}"},
		pubDeny: []string{
			DeadSubject, "$JS.>", kvPre + ">", AuditSubjects, "firebreak.>", "_INBOX.>", "$SYS.>",
		},
		subAllow:  []string{"{inbox}.>"},
		subDeny:   []string{SubjectPrefix + ">", "$JS.>", kvPre + ">", AuditSubjects, "firebreak.>", "$SYS.>"},
		connTypes: []string{jwt.ConnectionTypeStandard},
	},
	RoleOperator: {
		pubAllow: append([]string{
			kvPre + ControlBucket + "." + HaltKey, // halt and resume
			kvPre + ApprovalsBucket + ".>",        // add owner signatures
			kvPre + IncidentsBucket + ".>",        // ack, resolve, dismiss
			kvPre + RecoveryBucket + ".>",         // propose and approve recoveries
			ReplaySubject,
			// Dead letters, to pick what to replay: single messages only,
			// no consumer on DETECTIONS (its durable is the engine's).
			jsAPI + "STREAM.INFO." + Stream,
			jsAPI + "STREAM.MSG.GET." + Stream,
		}, readStreams()...),
		pubDeny:   deniedAdmin,
		subAllow:  []string{"{inbox}.>"},
		subDeny:   []string{SubjectPrefix + ">", kvPre + ">", AuditSubjects, "firebreak.>", "$SYS.>"},
		connTypes: []string{jwt.ConnectionTypeStandard},
	},
	RoleReader: {
		pubAllow: readStreams(),
		pubDeny:  append([]string{kvPre + ">", "firebreak.>"}, deniedAdmin...),
		// A reader may also relay the engine's notifications to people
		// (a chat bot): they are core messages on firebreak.notify.>.
		subAllow:  []string{"{inbox}.>", NotifySubjects},
		subDeny:   []string{SubjectPrefix + ">", kvPre + ">", AuditSubjects, ReplaySubject, "$SYS.>"},
		connTypes: []string{jwt.ConnectionTypeStandard},
	},
}

// Permissions returns the NATS permissions of an identity, from the table.
func Permissions(id Identity) (*server.Permissions, error) {
	g, ok := rolePermissions[id.Role]
	if !ok {
		return nil, fmt.Errorf("%w: role %q", ErrBadIdentity, id.Role)
	}
	if id.Role != RoleEngine {
		if err := ValidateName(id.Name); err != nil {
			return nil, err
		}
	}
	expand := func(subjects []string) []string {
		if subjects == nil {
			return nil
		}
		out := make([]string, len(subjects))
		for i, s := range subjects {
			s = strings.ReplaceAll(s, "{inbox}", id.InboxPrefix())
			out[i] = strings.ReplaceAll(s, "{source}", id.Name)
		}
		return out
	}
	return &server.Permissions{
		Publish:   &server.SubjectPermission{Allow: expand(g.pubAllow), Deny: expand(g.pubDeny)},
		Subscribe: &server.SubjectPermission{Allow: expand(g.subAllow), Deny: expand(g.subDeny)},
	}, nil
}

// NkeyUsers are the server's users for these identities, each with its
// role's permissions.
func NkeyUsers(ids []Identity) ([]*server.NkeyUser, error) {
	users := make([]*server.NkeyUser, 0, len(ids))
	for _, id := range ids {
		perms, err := Permissions(id)
		if err != nil {
			return nil, err
		}
		u := &server.NkeyUser{Nkey: id.PublicKey, Permissions: perms}
		if ct := rolePermissions[id.Role].connTypes; ct != nil {
			u.AllowedConnectionTypes = make(map[string]struct{}, len(ct))
			for _, t := range ct {
				u.AllowedConnectionTypes[t] = struct{}{}
			}
		}
		users = append(users, u)
	}
	return users, nil
}
