package lb

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// freePort finds a free TCP port on 127.0.0.1 by binding :0 and closing it.
// freePort is a TCP port no other test gets while this one runs
// (outside the ephemeral range that other tests' connections draw from).
func freePort(t testing.TB) int {
	return testutil.FreePort(t)
}

func newDP(t testing.TB, opts Options) *DataPlane {
	t.Helper()
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Logger == nil && os.Getenv("LB_TEST_LOG") != "" {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	d := New(opts)
	t.Cleanup(func() { d.Close() })
	return d
}

// testBackend is an httptest server that counts requests and names itself in a header.
type testBackend struct {
	*httptest.Server
	name  string
	hits  atomic.Int64
	port  int
	fail  atomic.Bool // /health returns 500
	delay atomic.Int64
}

func startBackend(t testing.TB, name string, h http.HandlerFunc) *testBackend {
	t.Helper()
	tb := &testBackend{name: name}
	tb.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			if tb.fail.Load() {
				w.WriteHeader(500)
			}
			return
		}
		tb.hits.Add(1)
		if d := tb.delay.Load(); d > 0 {
			time.Sleep(time.Duration(d))
		}
		w.Header().Set("X-Backend", name)
		if h != nil {
			h(w, r)
			return
		}
		io.WriteString(w, "hello from "+name)
	}))
	t.Cleanup(tb.Close)
	tb.port = tb.Listener.Addr().(*net.TCPAddr).Port
	return tb
}

func (tb *testBackend) target() Target {
	return Target{ID: "127.0.0.1", Host: "127.0.0.1", Port: tb.port, Revision: tb.name}
}

func tgroup(arn string, hc bool, bs ...*testBackend) TargetGroup {
	tg := TargetGroup{ARN: arn, Name: arn, Protocol: "HTTP", DeregistrationDelay: 5 * time.Second}
	if hc {
		tg.HealthCheck = HealthCheck{Enabled: true, Path: "/health", Interval: time.Second, Timeout: time.Second,
			HealthyThreshold: 2, UnhealthyThreshold: 2, Matcher: "200"}
	}
	for _, b := range bs {
		tg.Targets = append(tg.Targets, b.target())
	}
	return tg
}

func forward(arns ...string) []Action {
	a := Action{Type: "forward"}
	for _, arn := range arns {
		a.Forward = append(a.Forward, WeightedTargetGroup{ARN: arn, Weight: 1})
	}
	return []Action{a}
}

func httpListener(port int, def []Action, rules ...Rule) Listener {
	return Listener{ARN: "lst-" + strconv.Itoa(port), Port: port, Protocol: "HTTP", DefaultActions: def, Rules: rules}
}

func apply(t testing.TB, d *DataPlane, cfg Config) {
	t.Helper()
	if err := d.Apply(context.Background(), cfg); err != nil {
		t.Fatalf("apply v%d: %v", cfg.Version, err)
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func client() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t testing.TB, c *http.Client, url string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func lbURL(port int, path string) string { return "http://127.0.0.1:" + strconv.Itoa(port) + path }
