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
