package event_test

import (
	"errors"
	"fmt"

	"github.com/firebreak-dev/firebreak/engine/event"
)

func ExampleDecode() {
	e, err := event.Decode([]byte(`{
		"id": "0xfcbf1c3d20fcfae7ebc7c963c78ca16b4454e64a8f6d8c459aab78bb45c1760e",
		"source": "forta",
		"chain_id": 1,
		"severity": "critical",
		"confidence": 0.9,
		"alert_type": "exploit",
		"protocol": "demo-vault",
		"addresses": ["0x2439243727ac7d0bbfa962b6f21ca47a72eeb347"],
		"timestamp": "2023-08-19T14:35:59+02:00"
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Severity, e.Severity.AtLeast(event.SeverityHigh), e.Protocol)
	fmt.Println(e.Addresses[0].Hex(), e.Timestamp)

	_, err = event.Decode([]byte(`{"id": "evt-1", "source": "forta", "chain_id": 1, "severity": "high",
		"confidence": 1.7, "alert_type": "exploit", "protocol": "demo-vault",
		"timestamp": "2026-11-25T12:00:00Z"}`))
	var fe *event.FieldError
	fmt.Println(errors.Is(err, event.ErrInvalid), errors.As(err, &fe) && fe.Field == "confidence")
	fmt.Println(err)
	// Output:
	// critical true demo-vault
	// 0x2439243727Ac7D0BBfA962B6F21cA47a72eEB347 2023-08-19 12:35:59 +0000 UTC
	// true true
	// event: field "confidence": must be between 0 and 1, got 1.7
}
