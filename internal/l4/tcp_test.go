package l4

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/testutil"
)

func TestTCPRelaysAMebibyteBothWays(t *testing.T) {
	d := newDP(t, Options{})
	e := startEcho(t, "a", false)
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{listener(port, ProtocolTCP, "tg")}, TargetGroups: []TargetGroup{tcpGroup("tg", e)}})
	waitHealthy(t, d, "tg", 1)

	c, br, name := dialEcho(t, port)
	defer c.Close()
	if name != "a" {
		t.Fatalf("answered by %q", name)
	}
	payload := make([]byte, 1<<20)
	rand.Read(payload)
	go func() {
		c.Write(payload)
		c.(*net.TCPConn).CloseWrite() // the half-close must reach the target
	}()
	got, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, payload) {
		t.Fatalf("echoed %d bytes, differing from the %d sent", len(got), len(payload))
	}
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		s := d.Stats()
		ts := s.TargetGroups["tg"].Targets["127.0.0.1:"+strconv.Itoa(e.port())]
		return s.ActiveConnections == 0 && ts.BytesIn == 1<<20 && ts.BytesOut == 1<<20+2 && ts.Flows == 1,
			"stats: " + strconv.FormatInt(s.ActiveConnections, 10) + " " + strconv.FormatUint(ts.BytesIn, 10) + " " + strconv.FormatUint(ts.BytesOut, 10)
	})
	// Bulk data is spliced: a direction that read a full buffer took a pipe and
	// gave it back empty (the client's 1 MiB write fills the first reads).
	if runtime.GOOS == "linux" && d.pipes.pooled() < 1 {
		t.Fatal("no pipe pooled after a 1 MiB transfer: nothing was spliced")
	}
}

func TestTCPSpreadsByFlowHashAndAvoidsUnhealthy(t *testing.T) {
	d := newDP(t, Options{})
	a, b := startEcho(t, "a", false), startEcho(t, "b", false)
	dead := startEcho(t, "dead", false)
	dead.close() // registered, but nothing listens: it must become unhealthy and get nothing
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{listener(port, ProtocolTCP, "tg")}, TargetGroups: []TargetGroup{tcpGroup("tg", a, b, dead)}})
	waitHealthy(t, d, "tg", 2)
	seen := map[string]int{}
	for range 60 {
		c, _, name := dialEcho(t, port)
		c.Close()
		seen[name]++
	}
	if seen["a"] < 10 || seen["b"] < 10 || seen["dead"] != 0 {
		t.Fatalf("60 connections went %v; want both healthy targets used and none to the dead one", seen)
	}
}

func TestWeightedForwardAcrossGroups(t *testing.T) {
	d := newDP(t, Options{})
	a, b := startEcho(t, "a", false), startEcho(t, "b", false)
	port := freePort(t)
	l := listener(port, ProtocolTCP)
	l.Forward = []lb.WeightedTargetGroup{{ARN: "tga", Weight: 1}, {ARN: "tgb", Weight: 0}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{l}, TargetGroups: []TargetGroup{tcpGroup("tga", a), tcpGroup("tgb", b)}})
	waitHealthy(t, d, "tga", 1)
	waitHealthy(t, d, "tgb", 1)
	for range 20 {
		c, _, name := dialEcho(t, port)
		c.Close()
		if name != "a" {
			t.Fatalf("a group of weight 0 got a connection")
		}
	}
}

func TestSourceIPStickiness(t *testing.T) {
	d := newDP(t, Options{})
	es := []*echoServer{startEcho(t, "a", false), startEcho(t, "b", false), startEcho(t, "c", false)}
	port := freePort(t)
	tg := tcpGroup("tg", es...)
	tg.SourceIPStickiness = true
	apply(t, d, Config{Version: 1, Listeners: []Listener{listener(port, ProtocolTCP, "tg")}, TargetGroups: []TargetGroup{tg}})
	waitHealthy(t, d, "tg", 3)
	first := ""
	for i := range 20 {
		c, _, name := dialEcho(t, port)
		c.Close()
		if i == 0 {
			first = name
		} else if name != first {
			t.Fatalf("one client address reached %s and %s", first, name)
		}
	}
}

func TestApplyKeepsEstablishedConnections(t *testing.T) {
	d := newDP(t, Options{})
	a, b := startEcho(t, "a", false), startEcho(t, "b", false)
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{listener(port, ProtocolTCP, "tg")}, TargetGroups: []TargetGroup{tcpGroup("tg", a)}})
	waitHealthy(t, d, "tg", 1)
	c, br, _ := dialEcho(t, port)
	defer c.Close()
	// A new version that adds a target and changes the health check settings.
	tg := tcpGroup("tg", a, b)
	tg.HealthCheck.HealthyThreshold = 3
	apply(t, d, Config{Version: 2, Listeners: []Listener{listener(port, ProtocolTCP, "tg")}, TargetGroups: []TargetGroup{tg}})
	if err := roundTrip(c, br, "still here"); err != nil {
		t.Fatalf("established connection after Apply: %v", err)
	}
	if d.AppliedVersion() != 2 {
		t.Fatalf("version %d", d.AppliedVersion())
	}
	// An older version is a no-op.
	apply(t, d, Config{Version: 1})
	if d.ListenerAddr(port) == nil {
		t.Fatal("an older version removed the listener")
	}
}

func TestDrainingTargetKeepsItsConnectionsAndGetsNoNewOnes(t *testing.T) {
	d := newDP(t, Options{})
	a, b := startEcho(t, "a", false), startEcho(t, "b", false)
	port := freePort(t)
	ls := []Listener{listener(port, ProtocolTCP, "tg")}
	apply(t, d, Config{Version: 1, Listeners: ls, TargetGroups: []TargetGroup{tcpGroup("tg", a)}})
	waitHealthy(t, d, "tg", 1)
	c, br, _ := dialEcho(t, port)
	defer c.Close()
	apply(t, d, Config{Version: 2, Listeners: ls, TargetGroups: []TargetGroup{tcpGroup("tg", b)}})
	if st := stateOf(d, "tg", a.port()); st != lb.StateDraining {
		t.Fatalf("deregistered target is %q", st)
	}
	waitHealthy(t, d, "tg", 1)
	for range 10 {
		nc, _, name := dialEcho(t, port)
		nc.Close()
		if name != "b" {
			t.Fatalf("a new connection reached the draining target")
		}
	}
	if err := roundTrip(c, br, "draining"); err != nil {
		t.Fatalf("the draining target's connection: %v", err)
	}
	drained := make(chan error, 1)
	go func() { drained <- d.WaitDrained(t.Context(), "tg", "127.0.0.1", a.port()) }()
	select {
	case err := <-drained:
		t.Fatalf("drain ended with a connection open: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	c.Close()
	select {
	case err := <-drained:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("drain did not end when the last connection closed")
	}
	if st := stateOf(d, "tg", a.port()); st != "" {
		t.Fatalf("drained target still listed as %q", st)
	}
}

func TestConnectionTerminationAtTheEndOfTheDelay(t *testing.T) {
	for _, terminate := range []bool{true, false} {
		t.Run("termination="+strconv.FormatBool(terminate), func(t *testing.T) {
			d := newDP(t, Options{})
			a := startEcho(t, "a", false)
			port := freePort(t)
			tg := tcpGroup("tg", a)
			tg.DeregistrationDelay = 200 * time.Millisecond
			tg.ConnectionTermination = terminate
			ls := []Listener{listener(port, ProtocolTCP, "tg")}
			apply(t, d, Config{Version: 1, Listeners: ls, TargetGroups: []TargetGroup{tg}})
			waitHealthy(t, d, "tg", 1)
			c, br, _ := dialEcho(t, port)
			defer c.Close()
			tg.Targets = nil
			apply(t, d, Config{Version: 2, Listeners: ls, TargetGroups: []TargetGroup{tg}})
			if err := d.WaitDrained(t.Context(), "tg", "127.0.0.1", a.port()); err != nil {
				t.Fatal(err)
			}
			err := roundTrip(c, br, "after the delay")
			if terminate && err == nil {
				t.Fatal("connection survived connection termination")
			}
			if !terminate && err != nil {
				t.Fatalf("connection ended without connection termination: %v", err)
			}
		})
	}
}

func TestUnhealthyConnectionTermination(t *testing.T) {
	d := newDP(t, Options{})
	a := startEcho(t, "a", false)
	hc := startEcho(t, "health", false) // the health check port, separate so it can fail alone
	port := freePort(t)
	tg := tcpGroup("tg", a)
	tg.HealthCheck.Port = strconv.Itoa(hc.port())
	tg.UnhealthyConnectionTermination = true
	apply(t, d, Config{Version: 1, Listeners: []Listener{listener(port, ProtocolTCP, "tg")}, TargetGroups: []TargetGroup{tg}})
	waitHealthy(t, d, "tg", 1)
	c, br, _ := dialEcho(t, port)
	defer c.Close()
	hc.close()
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		st := stateOf(d, "tg", a.port())
		return st == lb.StateUnhealthy, st
	})
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		return roundTrip(c, br, "x") != nil, "connection to an unhealthy target still open"
	})
}

func TestProxyProtocolV2HeaderReachesTarget(t *testing.T) {
	d := newDP(t, Options{})
	e := startEcho(t, "a", true)
	port := freePort(t)
	tg := tcpGroup("tg", e)
	tg.ProxyProtocolV2 = true
	apply(t, d, Config{Version: 1, Listeners: []Listener{listener(port, ProtocolTCP, "tg")}, TargetGroups: []TargetGroup{tg}})
	waitHealthy(t, d, "tg", 1)
	c, br, _ := dialEcho(t, port)
	defer c.Close()
	h := <-e.headers
	want := netip.MustParseAddrPort(c.LocalAddr().String())
	if h.Local || h.Source != want || h.Destination != netip.MustParseAddrPort(c.RemoteAddr().String()) {
		t.Fatalf("header %+v, want source %s destination %s", h, want, c.RemoteAddr())
	}
	if err := roundTrip(c, br, "after the header"); err != nil {
		t.Fatal(err)
	}
}

func TestNoRoutableTargetResets(t *testing.T) {
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{listener(port, ProtocolTCP, "tg")}, TargetGroups: []TargetGroup{tcpGroup("tg")}})
	expectReset(t, port)
	if d.Stats().NoTarget != 1 {
		t.Fatalf("NoTarget %d", d.Stats().NoTarget)
	}
}

func TestMaxConnectionsBound(t *testing.T) {
	d := newDP(t, Options{MaxConnections: 2})
	e := startEcho(t, "a", false)
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{listener(port, ProtocolTCP, "tg")}, TargetGroups: []TargetGroup{tcpGroup("tg", e)}})
	waitHealthy(t, d, "tg", 1)
	c1, _, _ := dialEcho(t, port)
	defer c1.Close()
	c2, _, _ := dialEcho(t, port)
	defer c2.Close()
	expectReset(t, port)
	if d.Stats().Rejected != 1 {
		t.Fatalf("Rejected %d", d.Stats().Rejected)
	}
}

func TestIdleTimeoutClosesQuietConnections(t *testing.T) {
	d := newDP(t, Options{})
	e := startEcho(t, "a", false)
	port := freePort(t)
	l := listener(port, ProtocolTCP, "tg")
	l.IdleTimeout = 300 * time.Millisecond
	apply(t, d, Config{Version: 1, Listeners: []Listener{l}, TargetGroups: []TargetGroup{tcpGroup("tg", e)}})
	waitHealthy(t, d, "tg", 1)
	c, br, _ := dialEcho(t, port)
	defer c.Close()
	// Busy for longer than the idle timeout: the connection stays.
	for range 6 {
		if err := roundTrip(c, br, "tick"); err != nil {
			t.Fatalf("an active connection was closed: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := br.ReadByte(); err == nil {
		t.Fatal("read a byte from a quiet connection")
	}
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		return d.Stats().ActiveConnections == 0, "idle connection still counted"
	})
}

// One direction busy, the other quiet for longer than the idle timeout: the
// connection stays, as idleness counts bytes either way; then both quiet, it ends.
func TestIdleTimeoutCountsEitherDirection(t *testing.T) {
	d := newDP(t, Options{})
	sink := testutil.ServeTCP(t, func(c *net.TCPConn) { defer c.Close(); io.Copy(io.Discard, c) })
	port := freePort(t)
	l := listener(port, ProtocolTCP, "tg")
	l.IdleTimeout = 300 * time.Millisecond
	tg := tcpGroup("tg")
	tg.Targets = []lb.Target{{ID: "127.0.0.1", Host: "127.0.0.1", Port: sink}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{l}, TargetGroups: []TargetGroup{tg}})
	waitHealthy(t, d, "tg", 1)
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 8 {
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write([]byte("upload")); err != nil {
			t.Fatalf("a connection moving bytes one way was closed: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := d.Stats().ActiveConnections; got != 1 {
		t.Fatalf("active connections %d after an 800 ms upload, want 1", got)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read: %v; want the quiet connection closed by the idle timeout", err)
	}
}

// A write to a target that stops reading times out while the other direction
// keeps the connection busy: the connection goes on and no byte is lost once the
// target reads again (buffered or spliced bytes carried over to the next step).
func TestStalledWriteLosesNoBytes(t *testing.T) {
	const size = 32 << 20
	d := newDP(t, Options{})
	type result struct {
		n   int
		err error
	}
	got := make(chan result, 1)
	target := testutil.ServeTCP(t, func(c *net.TCPConn) {
		defer c.Close()
		stop := make(chan struct{})
		defer close(stop)
		go func() { // the busy direction: a byte every 50 ms
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
					c.Write([]byte("x"))
				}
			}
		}()
		time.Sleep(time.Second) // not reading: the proxy's writes stall past the idle timeout
		buf := make([]byte, 64<<10)
		n := 0
		for {
			m, err := c.Read(buf)
			for i := range m {
				if buf[i] != byte((n+i)%251) {
					got <- result{n + i, errors.New("byte out of sequence")}
					return
				}
			}
			n += m
			if err != nil {
				got <- result{n, err}
				return
			}
		}
	})
	port := freePort(t)
	l := listener(port, ProtocolTCP, "tg")
	l.IdleTimeout = 300 * time.Millisecond
	tg := tcpGroup("tg")
	tg.HealthCheck.Enabled = false
	tg.Targets = []lb.Target{{ID: "127.0.0.1", Host: "127.0.0.1", Port: target}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{l}, TargetGroups: []TargetGroup{tg}})
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go io.Copy(io.Discard, c)
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i % 251)
	}
	c.SetWriteDeadline(time.Now().Add(20 * time.Second))
	if _, err := c.Write(data); err != nil {
		t.Fatalf("write: %v", err)
	}
	c.(*net.TCPConn).CloseWrite()
	select {
	case r := <-got:
		if r.n != size || !errors.Is(r.err, io.EOF) {
			t.Fatalf("target read %d of %d bytes, then %v", r.n, size, r.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the target did not receive the upload")
	}
}

func stateOf(d *DataPlane, arn string, port int) string {
	for _, th := range d.TargetHealth(arn) {
		if th.Target.Port == port {
			return th.State
		}
	}
	return ""
}

// expectReset connects to port and expects the connection to be reset or closed
// before any byte arrives (the reset may even fail the connect on loopback).
func expectReset(t *testing.T, port int) {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read: %v; want the connection reset", err)
	}
}
