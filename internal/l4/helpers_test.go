package l4

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// newDP starts a data plane on 127.0.0.1 whose Run ends with the test.
func newDP(t testing.TB, opts Options) *DataPlane {
	t.Helper()
	opts.Host = "127.0.0.1"
	d := New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return within 10s of its context ending")
		}
	})
	return d
}

// freePort finds a port free for TCP and UDP on 127.0.0.1.
func freePort(t testing.TB) int {
	t.Helper()
	for range 20 {
		// A reserved port outside the ephemeral range (testutil.FreePort),
		// so no outgoing connection takes it before the test binds it.
		port := testutil.FreePort(t)
		if pc, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			pc.Close()
			return port
		}
	}
	t.Fatal("no port free for both TCP and UDP")
	return 0
}

func apply(t testing.TB, d *DataPlane, cfg Config) {
	t.Helper()
	if err := d.Apply(context.Background(), cfg); err != nil {
		t.Fatalf("Apply v%d: %v", cfg.Version, err)
	}
}

// echoServer is a TCP target: it answers every connection with its name line,
// then echoes. With proxy set it first reads a PROXY v2 header.
type echoServer struct {
	ln       net.Listener
	name     string
	proxy    bool
	headers  chan ProxyHeader
	accepted atomic.Int64
	mu       sync.Mutex
	conns    []net.Conn
}

func startEcho(t testing.TB, name string, proxy bool) *echoServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &echoServer{ln: ln, name: name, proxy: proxy, headers: make(chan ProxyHeader, 16)}
	go e.serve()
	t.Cleanup(e.close)
	return e
}

func (e *echoServer) serve() {
	for {
		c, err := e.ln.Accept()
		if err != nil {
			return
		}
		e.accepted.Add(1)
		e.mu.Lock()
		e.conns = append(e.conns, c)
		e.mu.Unlock()
		go e.handle(c)
	}
}

func (e *echoServer) handle(c net.Conn) {
	defer c.Close()
	if e.proxy {
		h, err := ReadProxyV2(c)
		if err != nil {
			return
		}
		select {
		case e.headers <- h:
		default:
		}
	}
	if _, err := io.WriteString(c, e.name+"\n"); err != nil {
		return
	}
	io.Copy(c, c)
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
}

func (e *echoServer) close() {
	e.ln.Close()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.conns {
		c.Close()
	}
}

func (e *echoServer) port() int { return e.ln.Addr().(*net.TCPAddr).Port }

func (e *echoServer) target() lb.Target {
	return lb.Target{ID: "127.0.0.1", Host: "127.0.0.1", Port: e.port()}
}

// tcpGroup is a TCP target group of the given echo servers with TCP checks every second.
func tcpGroup(arn string, es ...*echoServer) TargetGroup {
	tg := TargetGroup{ARN: arn, Name: arn, Protocol: ProtocolTCP, DeregistrationDelay: 30 * time.Second,
		HealthCheck: HealthCheck{Enabled: true, Interval: time.Second, Timeout: time.Second, HealthyThreshold: 2, UnhealthyThreshold: 2}}
	for _, e := range es {
		tg.Targets = append(tg.Targets, e.target())
	}
	return tg
}

func listener(port int, protocol string, groups ...string) Listener {
	l := Listener{ARN: "listener/" + strconv.Itoa(port), Port: port, Protocol: protocol}
	for _, g := range groups {
		l.Forward = append(l.Forward, lb.WeightedTargetGroup{ARN: g, Weight: 1})
	}
	return l
}

// waitHealthy waits until n targets of the group are healthy.
func waitHealthy(t testing.TB, d *DataPlane, arn string, n int) {
	t.Helper()
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		healthy := 0
		for _, th := range d.TargetHealth(arn) {
			if th.State == lb.StateHealthy {
				healthy++
			}
		}
		return healthy == n, "health: " + healthString(d.TargetHealth(arn))
	})
}

func healthString(ths []lb.TargetHealth) string {
	s := ""
	for _, th := range ths {
		s += th.Target.ID + ":" + strconv.Itoa(th.Target.Port) + "=" + th.State + " "
	}
	return s
}

// dialEcho connects through the listener and returns the connection and the
// name line of the target that answered.
func dialEcho(t testing.TB, port int) (net.Conn, *bufio.Reader, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	name, err := br.ReadString('\n')
	if err != nil {
		c.Close()
		t.Fatalf("reading the target's name: %v", err)
	}
	return c, br, name[:len(name)-1]
}

// roundTrip writes msg and reads it back.
func roundTrip(c net.Conn, br *bufio.Reader, msg string) error {
	if _, err := io.WriteString(c, msg); err != nil {
		return err
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(br, got); err != nil {
		return err
	}
	if string(got) != msg {
		return errors.New("echo differs: " + string(got))
	}
	return nil
}
