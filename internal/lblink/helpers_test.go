package lblink

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/testutil"
)

const testIdentity = "node-a"

func testLogger() *slog.Logger {
	if os.Getenv("LBLINK_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}

// unixDialer dials a unix socket path.
type unixDialer string

func (d unixDialer) Dial(ctx context.Context) (net.Conn, error) {
	var nd net.Dialer
	return nd.DialContext(ctx, "unix", string(d))
}

// testNode is an lb.DataPlane served by a Node on a unix socket.
type testNode struct {
	dp     *lb.DataPlane
	node   *Node
	sock   string
	cancel context.CancelFunc
	served chan error
	once   sync.Once
}

func startNode(t testing.TB, sock, identity string) *testNode {
	t.Helper()
	reg := prometheus.NewRegistry()
	n := &testNode{sock: sock, served: make(chan error, 1)}
	n.dp = lb.New(lb.Options{Host: "127.0.0.1", Registerer: reg, Logger: testLogger(),
		OnHealthChange: func(ev lb.HealthEvent) { n.node.OnHealthChange(ev) }})
	n.node = NewNode(n.dp, NodeOptions{Identity: identity, Host: "127.0.0.1", Gatherer: reg, Logger: testLogger()})
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	go func() { n.served <- n.node.Serve(ctx, ln) }()
	t.Cleanup(n.stop)
	return n
}

// stop ends Serve and closes the data plane, as the process's exit would.
func (n *testNode) stop() {
	n.once.Do(func() {
		n.cancel()
		<-n.served
		n.dp.Close()
	})
}

func socketPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "link.sock")
}

// connect returns a connected client running in the background.
func connect(t testing.TB, sock string, opts ClientOptions) *Client {
	t.Helper()
	if opts.Identity == "" {
		opts.Identity = testIdentity
	}
	if opts.Logger == nil {
		opts.Logger = testLogger()
	}
	c := NewClient(unixDialer(sock), opts)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); c.Close(); <-done })
	return c
}

// backend is an HTTP target whose /health can be made to fail.
type backend struct {
	srv  *httptest.Server
	port int
	sick atomic.Bool
	busy atomic.Int64 // requests being answered
}

func startBackend(t testing.TB, name string) *backend {
	t.Helper()
	b := &backend{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" && b.sick.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		b.busy.Add(1)
		defer b.busy.Add(-1)
		if d, _ := time.ParseDuration(r.URL.Query().Get("sleep")); d > 0 {
			time.Sleep(d)
		}
		io.WriteString(w, name)
	}))
	t.Cleanup(b.srv.Close)
	b.port = b.srv.Listener.Addr().(*net.TCPAddr).Port
	return b
}

func (b *backend) target() lb.Target {
	return lb.Target{ID: "127.0.0.1", Host: "127.0.0.1", Port: b.port, Revision: "web:1"}
}

const testGroup = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1"

// config is a listener on port forwarding to one group of targets.
func config(version uint64, port int, delay time.Duration, targets ...lb.Target) lb.Config {
	return lb.Config{
		Version: version,
		Listeners: []lb.Listener{{ARN: "listener/1", Port: port, Protocol: "HTTP",
			DefaultActions: []lb.Action{{Type: "forward", Forward: []lb.WeightedTargetGroup{{ARN: testGroup, Weight: 1}}}}}},
		TargetGroups: []lb.TargetGroup{{ARN: testGroup, Name: "web", Protocol: "HTTP", Port: 80, DeregistrationDelay: delay,
			HealthCheck: lb.HealthCheck{Enabled: true, Path: "/health", Interval: time.Second, Timeout: time.Second,
				HealthyThreshold: 2, UnhealthyThreshold: 2},
			Targets: targets}},
	}
}

// freePort is a port outside the ephemeral range, reserved for this test
// (testutil.FreePort), so no outgoing connection can take it meanwhile.
func freePort(t testing.TB) int {
	return testutil.FreePort(t)
}

func get(url string) (string, error) {
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return strconv.Itoa(resp.StatusCode) + " " + string(b), err
}

func states(ths []lb.TargetHealth) map[int]string {
	out := map[int]string{}
	for _, th := range ths {
		out[th.Target.Port] = th.State
	}
	return out
}

func waitState(t *testing.T, c *Client, port int, state string) {
	t.Helper()
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		got := states(c.TargetHealth(testGroup))
		return got[port] == state, "target health " + strconv.Itoa(port) + ": " + got[port]
	})
}
