package adapt_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/firebreak-dev/firebreak/engine/event"
	"github.com/firebreak-dev/firebreak/engine/ingest/adapt"
)

// An OpenZeppelin Monitor webhook in template mode, signed as the monitor signs it:
// the route's defaults supply what the message does not say.
func ExampleRoute_Adapt() {
	secret := []byte("webhook-secret")
	route := adapt.Route{
		Name:     "oz-vault",
		Adapter:  adapt.OZMonitor,
		Secret:   secret,
		Severity: event.SeverityHigh,
		ChainID:  1,
		Protocol: "demo-vault",
		AlertTypes: map[string]string{
			"Large * triggered": "anomalous-outflow",
		},
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"title":"Large Transfer of USDC Token triggered","body":"Large transfer of 434924400 USDC to 0x94d953b148d4d7143028f397de3a65a1800f97b3"}`)

	// What the monitor sends: X-Timestamp in milliseconds, X-Signature over body+timestamp.
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	mac.Write([]byte(ts))
	header := http.Header{}
	header.Set("X-Timestamp", ts)
	header.Set("X-Signature", hex.EncodeToString(mac.Sum(nil)))

	events, err := route.Adapt(now, header, body)
	fmt.Println(len(events), err, adapt.StatusCode(err))
	e := events[0]
	fmt.Println(e.Source, e.Severity, e.AlertType, e.Protocol)
	fmt.Println(e.Title)
	fmt.Println(e.AddressRoles[event.RoleRelated][0].Hex())

	// The same body with a changed byte is refused before it is read.
	body[10] ^= 1
	_, err = route.Adapt(now, header, body)
	fmt.Println(errors.Is(err, adapt.ErrBadSignature), adapt.StatusCode(err), adapt.Reason(err))
	// Output:
	// 1 <nil> 200
	// oz-vault high anomalous-outflow demo-vault
	// Large Transfer of USDC Token triggered
	// 0x94d953b148d4d7143028f397De3a65a1800F97b3
	// true 401 bad-signature
}

// A Forta Attack Detector alert: its attacker and the registry contract it names map
// to address roles and to the protocol.
func ExampleRoute_Translate() {
	route := adapt.Route{
		Name:       "forta-feed",
		Adapter:    adapt.Forta,
		SkipVerify: true, // a NATS subject whose publisher is authenticated
		ChainID:    1,
		Contracts: map[common.Address]string{
			common.HexToAddress("0xba12222222228d8ba445958a75a0704d566bf2c8"): "balancer",
		},
	}
	body := []byte(`{
	  "alertId": "ATTACK-DETECTOR-2", "severity": "CRITICAL", "findingType": "EXPLOIT",
	  "hash": "0xfcbf1c3d20fcfae7ebc7c963c78ca16b4454e64a8f6d8c459aab78bb45c1760e",
	  "createdAt": "2023-08-19T12:35:59.129519588Z",
	  "metadata": {"attackerAddress": "0x2439243727ac7d0bbfa962b6f21ca47a72eeb347",
	               "involvedAddresses1": "0xba12222222228d8ba445958a75a0704d566bf2c8"}
	}`)
	events, err := route.Translate(time.Now(), nil, body)
	if err != nil {
		fmt.Println(err)
		return
	}
	e := events[0]
	fmt.Println(e.ID)
	fmt.Println(e.Severity, e.AlertType, e.Protocol, e.RuleID)
	fmt.Println("attacker", e.AddressRoles[event.RoleAttacker][0].Hex())
	// Output:
	// forta-feed-0xfcbf1c3d20fcfae7ebc7c963c78ca16b4454e64a8f6d8c459aab78bb45c1760e
	// critical exploit balancer ATTACK-DETECTOR-2
	// attacker 0x2439243727Ac7D0BBfA962B6F21cA47a72eEB347
}

// An ingress answers with StatusCode: a Tenderly TEST delivery is acknowledged and not
// acted on.
func ExampleStatusCode() {
	route := adapt.Route{Name: "tenderly", Adapter: adapt.Tenderly, Secret: []byte("k"),
		Severity: event.SeverityMedium, Protocol: "demo-vault"}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"id":"5f2b9c1e-0c44-4b7e-a1d2-8f7e6d5c4b3a","event_type":"TEST","transaction":{"network":"1"}}`)
	date := now.Format(http.TimeFormat)
	mac := hmac.New(sha256.New, []byte("k"))
	mac.Write(body)
	mac.Write([]byte(date))
	header := http.Header{"Date": {date}, "X-Tenderly-Signature": {hex.EncodeToString(mac.Sum(nil))}}

	_, err := route.Adapt(now, header, body)
	fmt.Println(adapt.StatusCode(err), adapt.Reason(err))
	_, err = route.Adapt(now.Add(time.Hour), header, body)
	fmt.Println(adapt.StatusCode(err), adapt.Reason(err))
	_, err = route.Adapt(now, nil, body)
	fmt.Println(adapt.StatusCode(err), adapt.Reason(err))
	// Output:
	// 200 not-actionable
	// 401 stale-timestamp
	// 401 missing-signature
}

// The alert-type defaults as shipped.
func ExampleDefaultAlertTypes() {
	for _, a := range adapt.Adapters {
		table := adapt.DefaultAlertTypes(a)
		keys := make([]string, 0, len(table))
		for k := range table {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Printf("%s %s -> %s\n", a, k, table[k])
		}
	}
	// Output:
	// forta ATTACK-DETECTOR-* -> exploit
	// forta ATTACK-DETECTOR-FALSE-POSITIVE -> false-positive
	// forta SCAM-DETECTOR-ICE-PHISHING -> phishing-drainer
}
