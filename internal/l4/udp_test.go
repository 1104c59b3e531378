package l4

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// startUDPEcho answers each datagram with name + ":" + the datagram.
func startUDPEcho(t *testing.T, name string) *net.UDPConn { return startUDPEchoOn(t, name, 0) }

func udpExchange(t *testing.T, c *net.UDPConn, msg string) string {
	t.Helper()
	for range 20 { // UDP may lose a datagram; retry a few times
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(250 * time.Millisecond))
		buf := make([]byte, 2048)
		if n, err := c.Read(buf); err == nil {
			return string(buf[:n])
		}
	}
	t.Fatalf("no answer to %q", msg)
	return ""
}

func TestUDPFlowsRelayAndIdleOut(t *testing.T) {
	d := newDP(t, Options{UDPIdleTimeout: 300 * time.Millisecond})
	target := startUDPEcho(t, "u")
	// UDP target groups are health-checked over TCP: a TCP listener on the same port.
	hc := startEcho(t, "hc", false)
	port := freePort(t)
	tg := TargetGroup{ARN: "udp", Protocol: ProtocolUDP,
		HealthCheck: HealthCheck{Enabled: true, Interval: time.Second, Port: strconv.Itoa(hc.port())},
		Targets:     []lb.Target{{ID: "127.0.0.1", Host: "127.0.0.1", Port: target.LocalAddr().(*net.UDPAddr).Port}}}
	apply(t, d, Config{Version: 1, Listeners: []Listener{listener(port, ProtocolUDP, "udp")}, TargetGroups: []TargetGroup{tg}})
	waitHealthy(t, d, "udp", 1)

	c, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := udpExchange(t, c, "hello"); got != "u:hello" {
		t.Fatalf("answer %q", got)
	}
	if n := d.Stats().ActiveFlows; n != 1 {
		t.Fatalf("%d flows", n)
	}
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		return d.Stats().ActiveFlows == 0, "flow did not idle out"
	})
	if got := udpExchange(t, c, "again"); got != "u:again" {
		t.Fatalf("answer %q after the flow idled out", got)
	}
}

func TestTCPUDPListenerServesBoth(t *testing.T) {
	d := newDP(t, Options{})
	tcpSide := startEcho(t, "t", false)
	// One target port serving TCP (echo) and UDP: bind UDP on the echo server's port.
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: tcpSide.port()})
	if err != nil {
		t.Skipf("UDP port %d taken: %v", tcpSide.port(), err)
	}
	pc.Close()
	startUDPEchoOn(t, "u", tcpSide.port())
	port := freePort(t)
	tg := tcpGroup("both", tcpSide)
	tg.Protocol = ProtocolTCPUDP
	apply(t, d, Config{Version: 1, Listeners: []Listener{listener(port, ProtocolTCPUDP, "both")}, TargetGroups: []TargetGroup{tg}})
	waitHealthy(t, d, "both", 1)
	c, br, name := dialEcho(t, port)
	defer c.Close()
	if name != "t" || roundTrip(c, br, "tcp") != nil {
		t.Fatalf("TCP side: %q", name)
	}
	uc, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	if got := udpExchange(t, uc, "udp"); got != "u:udp" {
		t.Fatalf("UDP side: %q", got)
	}
	// Becoming TCP only closes the UDP socket and keeps the TCP connection.
	tg.Protocol = ProtocolTCP
	apply(t, d, Config{Version: 2, Listeners: []Listener{listener(port, ProtocolTCP, "both")}, TargetGroups: []TargetGroup{tg}})
	if err := roundTrip(c, br, "still"); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		return d.Stats().ActiveFlows == 0, "UDP flow survived its socket"
	})
}

func startUDPEchoOn(t *testing.T, name string, port int) *net.UDPConn {
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			pc.WriteToUDPAddrPort(append([]byte(name+":"), buf[:n]...), from)
		}
	}()
	return pc
}
