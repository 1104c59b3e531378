package lblink

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestApplyIsAcknowledgedWithItsHealth: once Apply returns, the routing is
// the node's and the mirror already shows what it caused (the removed
// target draining), then the end of the drain.
func TestApplyIsAcknowledgedWithItsHealth(t *testing.T) {
	sock := socketPath(t)
	startNode(t, sock, testIdentity)
	changes := atomic.Int64{}
	c := connect(t, sock, ClientOptions{OnHealthChange: func() { changes.Add(1) }})
	a, b := startBackend(t, "A"), startBackend(t, "B")
	port := freePort(t)
	ctx := context.Background()
	if err := c.Apply(ctx, config(1, port, time.Minute, a.target(), b.target())); err != nil {
		t.Fatal(err)
	}
	if v := c.AppliedVersion(); v != 1 {
		t.Fatalf("AppliedVersion = %d after applying 1", v)
	}
	waitState(t, c, a.port, lb.StateHealthy)
	waitState(t, c, b.port, lb.StateHealthy)
	if body, err := get("http://127.0.0.1:" + strconv.Itoa(port) + "/"); err != nil || !strings.HasPrefix(body, "200 ") {
		t.Fatalf("through the listener: %q %v", body, err)
	}
	if err := c.Apply(ctx, config(2, port, time.Minute, b.target())); err != nil {
		t.Fatal(err)
	}
	// With nothing in flight A's drain may have ended already; either way
	// the mirror no longer shows it as routable.
	if got := states(c.TargetHealth(testGroup)); got[a.port] != lb.StateDraining && got[a.port] != "" || got[b.port] != lb.StateHealthy {
		t.Fatalf("right after the acknowledgement: %v; want A draining or gone, B healthy", got)
	}
	if err := c.WaitDrained(ctx, testGroup, "127.0.0.1", b.port); !errors.Is(err, lb.ErrNotDraining) {
		t.Fatalf("WaitDrained of a registered target = %v", err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.WaitDrained(wctx, testGroup, "127.0.0.1", a.port); err != nil {
		t.Fatalf("WaitDrained: %v", err)
	}
	if got := states(c.TargetHealth(testGroup)); len(got) != 1 {
		t.Fatalf("after the drain: %v", got)
	}
	if changes.Load() == 0 {
		t.Fatal("OnHealthChange never called")
	}
}

// TestReconnectLearnsVersionHealthAndDrains: a new client (a restarted
// control plane) learns the node's version, its targets' health and a drain
// still in progress, and WaitDrained follows that drain to its end.
func TestReconnectLearnsVersionHealthAndDrains(t *testing.T) {
	sock := socketPath(t)
	startNode(t, sock, testIdentity)
	first := connect(t, sock, ClientOptions{})
	a, b := startBackend(t, "A"), startBackend(t, "B")
	port := freePort(t)
	ctx := context.Background()
	if err := first.Apply(ctx, config(7, port, time.Minute, a.target())); err != nil {
		t.Fatal(err)
	}
	waitState(t, first, a.port, lb.StateHealthy)
	// A slow request keeps A draining once it is deregistered.
	slow := make(chan error, 1)
	go func() {
		_, err := get("http://127.0.0.1:" + strconv.Itoa(port) + "/?sleep=1500ms")
		slow <- err
	}()
	testutil.Eventually(t, 5*time.Second, func() (bool, string) { return a.busy.Load() > 0, "no request in flight yet" })
	if err := first.Apply(ctx, config(8, port, time.Minute, b.target())); err != nil {
		t.Fatal(err)
	}
	if got := states(first.TargetHealth(testGroup)); got[a.port] != lb.StateDraining {
		t.Fatalf("right after the acknowledgement: %v; want A draining", got)
	}
	first.Close()

	second := connect(t, sock, ClientOptions{})
	if v := second.AppliedVersion(); v != 8 {
		t.Fatalf("a new client learned version %d, want 8", v)
	}
	if got := states(second.TargetHealth(testGroup)); got[a.port] != lb.StateDraining || got[b.port] == "" {
		t.Fatalf("a new client learned %v; want A draining and B", got)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := second.WaitDrained(wctx, testGroup, "127.0.0.1", a.port); err != nil {
		t.Fatalf("WaitDrained on the new client: %v", err)
	}
	if err := <-slow; err != nil {
		t.Fatalf("the in-flight request failed across the control plane's restart: %v", err)
	}
}

// TestBindErrorCarriesItsPort: the node's bind error reaches the client as
// ErrBind with the port, which lbsync needs to leave that listener out.
func TestBindErrorCarriesItsPort(t *testing.T) {
	sock := socketPath(t)
	startNode(t, sock, testIdentity)
	c := connect(t, sock, ClientOptions{})
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	err = c.Apply(context.Background(), config(1, port, 0))
	var be *lb.BindError
	if !errors.Is(err, lb.ErrBind) || !errors.As(err, &be) || be.Port != port || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("Apply on a busy port = %v", err)
	}
	err = c.Apply(context.Background(), lb.Config{Version: 2, Listeners: []lb.Listener{{ARN: "l", Port: port, Protocol: "FTP"}}})
	if !errors.Is(err, lb.ErrInvalidConfig) {
		t.Fatalf("Apply of an invalid config = %v", err)
	}
	if c.AppliedVersion() != 0 {
		t.Fatalf("failed applies moved the version to %d", c.AppliedVersion())
	}
}

// TestForeignEndsAreRefused: a node of another installation is refused by
// the client, and a client of another installation by the node.
func TestForeignEndsAreRefused(t *testing.T) {
	sock := socketPath(t)
	startNode(t, sock, testIdentity)
	ctx := context.Background()
	c := NewClient(unixDialer(sock), ClientOptions{Identity: "node-b"})
	if err := c.Connect(ctx); !errors.Is(err, ErrForeignNode) {
		t.Fatalf("connecting to a foreign node = %v", err)
	}
	lax := NewClient(unixDialer(sock), ClientOptions{Identity: "node-b", Check: func(*Hello) error { return nil }})
	if err := lax.Connect(ctx); !errors.Is(err, ErrForeignNode) {
		t.Fatalf("a foreign client was not refused by the node: %v", err)
	}
	if lax.Connected() || c.Connected() {
		t.Fatal("a refused client counts as connected")
	}
}

// TestFreshNodeAsksForTheRoutingAgain: a client that reconnects to a node
// behind what it acknowledged (the node's process restarted) calls OnReset.
func TestFreshNodeAsksForTheRoutingAgain(t *testing.T) {
	sock := socketPath(t)
	n := startNode(t, sock, testIdentity)
	resets := make(chan struct{}, 1)
	c := connect(t, sock, ClientOptions{OnReset: func() { resets <- struct{}{} }})
	port := freePort(t)
	if err := c.Apply(context.Background(), config(3, port, 0)); err != nil {
		t.Fatal(err)
	}
	n.stop()
	startNode(t, sock, testIdentity)
	select {
	case <-resets:
	case <-time.After(10 * time.Second):
		t.Fatal("no OnReset after the node came back empty")
	}
	if v := c.AppliedVersion(); v != 0 {
		t.Fatalf("AppliedVersion = %d from a fresh node", v)
	}
	if err := c.Apply(context.Background(), config(4, port, 0)); err != nil {
		t.Fatalf("applying to the fresh node: %v", err)
	}
}

// TestStatsAndMetricsComeFromTheNode: statistics and Prometheus metrics are
// the node's counters; while the node is down Gather still answers.
func TestStatsAndMetricsComeFromTheNode(t *testing.T) {
	sock := socketPath(t)
	n := startNode(t, sock, testIdentity)
	c := connect(t, sock, ClientOptions{})
	a := startBackend(t, "A")
	port := freePort(t)
	if err := c.Apply(context.Background(), config(5, port, 0, a.target())); err != nil {
		t.Fatal(err)
	}
	waitState(t, c, a.port, lb.StateHealthy)
	if _, err := get("http://127.0.0.1:" + strconv.Itoa(port) + "/"); err != nil {
		t.Fatal(err)
	}
	st, err := c.Stats(context.Background())
	if err != nil || st.Version != 5 || st.TargetGroups[testGroup].Revisions["web:1"].Requests != 1 {
		t.Fatalf("Stats = %+v, %v", st, err)
	}
	names := func() map[string]bool {
		fams, err := c.Gather()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, f := range fams {
			out[f.GetName()] = true
		}
		return out
	}
	if got := names(); !got["slipway_lb_requests_total"] || !got["slipway_lb_applied_version"] || !got["slipway_lb_data_plane_connected"] {
		t.Fatalf("metrics: %v", got)
	}
	n.stop()
	testutil.Eventually(t, 5*time.Second, func() (bool, string) { return !c.Connected(), "still connected" })
	if _, err := c.Stats(context.Background()); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("Stats with the node down = %v", err)
	}
	if got := names(); !got["slipway_lb_data_plane_connected"] || got["slipway_lb_requests_total"] {
		t.Fatalf("metrics with the node down: %v", got)
	}
}

// TestShutdownClosesListenersThenServe: Shutdown returns after the node
// closed its listeners; Serve returns and the client stops reconnecting.
func TestShutdownClosesListenersThenServe(t *testing.T) {
	sock := socketPath(t)
	n := startNode(t, sock, testIdentity)
	c := connect(t, sock, ClientOptions{})
	port := freePort(t)
	if err := c.Apply(context.Background(), config(1, port, 0)); err != nil {
		t.Fatal(err)
	}
	if err := c.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
		conn.Close()
		t.Fatal("the listener still accepts after Shutdown")
	}
	select {
	case <-n.node.ShutdownRequested():
	default:
		t.Fatal("ShutdownRequested not closed")
	}
	select {
	case err := <-n.served:
		n.served <- err
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the shutdown")
	}
	if err := c.Apply(context.Background(), config(2, port, 0)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Apply after Shutdown = %v", err)
	}
}
