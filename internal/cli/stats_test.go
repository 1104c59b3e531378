package cli

import "testing"

// TestMetricsEndpoint: deploy reads the stats from --metrics-url, else from
// the API endpoint's host on the metrics listener's default port.
func TestMetricsEndpoint(t *testing.T) {
	for _, c := range []struct{ endpoint, flag, want string }{
		{"http://127.0.0.1:4566", "", "http://127.0.0.1:9566"},
		{"https://slipway.example:4566/", "", "http://slipway.example:9566"},
		{"http://[::1]:4566", "", "http://[::1]:9566"},
		{"http://127.0.0.1:4566", "http://127.0.0.1:19000", "http://127.0.0.1:19000"},
		{"::not a url", "", "http://127.0.0.1:9566"},
	} {
		g := &globals{endpoint: c.endpoint, metricsURL: c.flag}
		if got := g.metricsEndpoint(); got != c.want {
			t.Errorf("endpoint %q, --metrics-url %q: %q, want %q", c.endpoint, c.flag, got, c.want)
		}
	}
}
