package adapt

import (
	"net/http"
	"testing"
	"time"
)

// BenchmarkAdapt measures verification plus translation of one webhook per vendor,
// on the fixtures.
func BenchmarkAdapt(b *testing.B) {
	scanner := detKey("bench scanner")
	cases := []struct {
		name   string
		route  Route
		now    time.Time
		file   string
		header func(body []byte) http.Header
	}{
		{"oz-monitor-raw", ozRoute(), testNow, "vendor/oz_monitor_webhook_raw_mode_body_evm__extracted_from_docs_scripts.json",
			func(body []byte) http.Header { return ozHeaders(testSecret, body, testNow) }},
		{"tenderly", tenderlyRoute(), testNow, "synthetic/tenderly_alert.json",
			func(body []byte) http.Header { return tenderlyHeaders(testSecret, body, testNow) }},
		{"forta-batch-jwt", fortaRoute(addrOf(scanner)), testNow, "synthetic/forta_webhook_batch.json",
			func([]byte) http.Header { return fortaBearer(b, scanner, testNow, nil) }},
		{"hypernative", hypernativeRoute(), time.Date(2023, 9, 5, 4, 56, 53, 0, time.UTC), "vendor/hypernative_webhook_body__watchlist_ownership_changed.json",
			func([]byte) http.Header { return nil }},
		{"sec3", sec3Route(), time.Date(2022, 12, 6, 17, 11, 0, 0, time.UTC), "vendor/sec3_watchtower_webhook_alert__docs.json",
			func([]byte) http.Header { return http.Header{"X-Watchtower-Secret": {string(testSecret)}} }},
	}
	for _, bc := range cases {
		body := readTestdata(b, bc.file)
		h := bc.header(body)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := bc.route.Adapt(bc.now, h, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
