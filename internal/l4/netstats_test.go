package l4

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// resetAfterALine resets a connection once it has read a line from it.
func resetAfterALine(c *net.TCPConn) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	bufio.NewReader(c).ReadString('\n')
	c.SetLinger(0)
	c.Close()
}

func listenerStats(d *DataPlane, port int) ListenerStats {
	return d.NetworkStats().Listeners["listener/"+strconv.Itoa(port)]
}

func TestResetsAreCountedBySide(t *testing.T) {
	d := newDP(t, Options{})
	e := startEcho(t, "a", false)
	rsPort := testutil.ServeTCP(t, resetAfterALine)
	echoPort, resetPort, emptyPort := freePort(t), freePort(t), freePort(t)
	resetting := tcpGroup("resetting")
	resetting.Targets = []lb.Target{{ID: "127.0.0.1", Host: "127.0.0.1", Port: rsPort}}
	apply(t, d, Config{Version: 1,
		Listeners: []Listener{listener(echoPort, ProtocolTCP, "echo"), listener(resetPort, ProtocolTCP, "resetting"),
			listener(emptyPort, ProtocolTCP, "empty")},
		TargetGroups: []TargetGroup{tcpGroup("echo", e), resetting, tcpGroup("empty")}})
	waitHealthy(t, d, "echo", 1)
	waitHealthy(t, d, "resetting", 1)

	// The client resets.
	c, _, _ := dialEcho(t, echoPort)
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
	// The target resets.
	tc, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(resetPort))
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	fmt.Fprintln(tc, "hello")
	// No target: the data plane resets.
	if ec, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(emptyPort)); err == nil { // else reset already
		defer ec.Close()
		ec.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := ec.Read(make([]byte, 1)); err == nil {
			t.Error("a connection with no target was not closed")
		}
	}

	want := map[int]ListenerStats{echoPort: {ClientResets: 1}, resetPort: {TargetResets: 1}, emptyPort: {ELBResets: 1}}
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		ok, got := true, ""
		for port, w := range want {
			s := listenerStats(d, port)
			ok = ok && s == w
			got += fmt.Sprintf("%d: %+v (want %+v) ", port, s, w)
		}
		return ok, got
	})
}

// TestRemovedListenersCountersAreDropped: a removed listener's counters are
// still reported for retiredRetention (the recorder has yet to read its last
// resets), then dropped; a listener still configured keeps its counters, and
// one that comes back before the drop keeps its counts.
func TestRemovedListenersCountersAreDropped(t *testing.T) {
	d := newDP(t, Options{})
	kept, gone := listener(freePort(t), ProtocolTCP, "g"), listener(freePort(t), ProtocolTCP, "g")
	apply(t, d, Config{Version: 1, Listeners: []Listener{kept, gone}, TargetGroups: []TargetGroup{tcpGroup("g")}})
	d.net.of(kept.ARN).elb.Add(1)
	d.net.of(gone.ARN).elb.Add(2)
	only := []Listener{kept}
	apply(t, d, Config{Version: 2, Listeners: only, TargetGroups: []TargetGroup{tcpGroup("g")}})
	if got := d.NetworkStats().Listeners[gone.ARN]; got.ELBResets != 2 {
		t.Fatalf("a just-removed listener's counters %+v, want its 2 resets still reported", got)
	}
	d.net.retire(only, time.Now().Add(retiredRetention/2))
	if _, ok := d.NetworkStats().Listeners[gone.ARN]; !ok {
		t.Fatal("dropped before retiredRetention")
	}
	d.net.retire(only, time.Now().Add(retiredRetention+time.Second))
	st := d.NetworkStats().Listeners
	if _, ok := st[gone.ARN]; ok || st[kept.ARN].ELBResets != 1 || len(st) != 1 {
		t.Fatalf("after retiredRetention: %+v, want only %s with 1 reset", st, kept.ARN)
	}

	// Removed, then configured again before the drop: the counts stay.
	t0 := time.Now()
	d.net.retire(nil, t0)
	d.net.retire(only, t0.Add(retiredRetention/2))
	d.net.retire(only, t0.Add(2*retiredRetention))
	if got := d.NetworkStats().Listeners[kept.ARN]; got.ELBResets != 1 {
		t.Fatalf("a listener that came back: %+v, want its reset kept", got)
	}
}
