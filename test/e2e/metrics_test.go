package e2e

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestMetricsOnTheirOwnAddress: /metrics and /slipway/lb/stats are served
// on --metrics-addr and not on the API's port, and like every listener the
// metrics one stays on loopback without credentials.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	t.Parallel()
	site := newSite(t)
	metrics := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	srv := site.startServer(t, "--metrics-addr", metrics)
	get := func(url string) (int, string) {
		resp, err := httpClient.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("http://" + metrics + "/metrics"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("GET /metrics on %s: %d %.200s", metrics, code, body)
	}
	code, body := get("http://" + metrics + "/slipway/lb/stats")
	var stats struct{ TargetGroups map[string]any }
	if code != http.StatusOK || json.Unmarshal([]byte(body), &stats) != nil {
		t.Errorf("GET /slipway/lb/stats on %s: %d %.200s", metrics, code, body)
	}
	for _, path := range []string{"/metrics", "/slipway/lb/stats"} {
		if code, _ := get(srv.url + path); code != http.StatusNotFound {
			t.Errorf("API port answers %s: %d", path, code)
		}
	}
	public := net.JoinHostPort("0.0.0.0", strconv.Itoa(freePort(t)))
	out, err := runToExit(t, []string{"server", "--data-dir", t.TempDir(), "--api-addr", "127.0.0.1:0", "--metrics-addr", public})
	if err == nil || !strings.Contains(out, "credentials") {
		t.Fatalf("metrics on %s without credentials: %v %s", public, err, out)
	}
}
