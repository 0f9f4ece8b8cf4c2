package webhook_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/firebreak-dev/firebreak/engine/notify/webhook"
)

// A receiver checks each delivery before it parses the body.
func ExampleVerify() {
	secret := []byte("whsec_example")
	body := []byte(`{"version":1,"text":"Incident opened","notification":{"id":"incident/inc-1/opened"}}`)

	// What firebreak sends (webhook.Sign is the signature it computes).
	h := http.Header{}
	h.Set(webhook.HeaderTimestamp, "1772366400")
	h.Set(webhook.HeaderSignature, webhook.Sign(secret, 1772366400, body))
	fmt.Println(h.Get(webhook.HeaderSignature))

	// What the receiver does with the raw body and the headers.
	now := time.Unix(1772366412, 0)
	fmt.Println(webhook.Verify(secret, h, body, now, 5*time.Minute))
	fmt.Println(webhook.Verify(secret, h, []byte(`{"version":1,"text":"tampered"}`), now, 5*time.Minute))
	// Output:
	// v1=bbba3d7b80cc6076e8d61aca8415631499c348aeb7e1acec65d83d7fb5ecfe0e
	// <nil>
	// webhook: the signature does not match
}
