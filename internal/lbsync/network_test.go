package lbsync

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/lblink"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// tcpEcho is a TCP target that names itself, then echoes.
func tcpEcho(t *testing.T, name string) int {
	t.Helper()
	return testutil.ServeTCP(t, func(c *net.TCPConn) {
		defer c.Close()
		io.WriteString(c, name+"\n")
		io.Copy(c, c)
	})
}

// echoGroup is a TCP target group with one registered tcpEcho target named
// name, checked over TCP every 5 s.
func (f *fixture) echoGroup(tgName, name string) model.TargetGroup {
	f.t.Helper()
	target := tcpEcho(f.t, name)
	tg := f.networkGroup(tgName, l4.ProtocolTCP, target, model.TargetGroupHealthCheck{Enabled: true, Protocol: "TCP",
		Port: "traffic-port", IntervalSeconds: 5, TimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2}, nil)
	f.register(tg.ARN, model.TargetDescription{ID: "127.0.0.1", Port: target})
	return tg
}

type unixDialer string

func (d unixDialer) Dial(ctx context.Context) (net.Conn, error) {
	var nd net.Dialer
	return nd.DialContext(ctx, "unix", string(d))
}

// linkedPlanes serves an lb and an l4 data plane through an lblink node, as
// the data plane process does, and returns the control plane's client.
func linkedPlanes(t *testing.T, onHealth func()) *lblink.Client {
	t.Helper()
	var node *lblink.Node
	report := func(ev lb.HealthEvent) { node.OnHealthChange(ev) }
	net4 := l4.New(l4.Options{Host: "127.0.0.1", Logger: quietLogger(), OnHealthChange: report})
	runCtx, stopNet := context.WithCancel(context.Background())
	netDone := make(chan error, 1)
	go func() { netDone <- net4.Run(runCtx) }()
	planes := &lblink.Planes{HTTP: lb.New(lb.Options{Host: "127.0.0.1", Logger: quietLogger(), OnHealthChange: report}),
		Network: net4, CloseNetwork: func() error { stopNet(); return <-netDone }}
	node = lblink.NewNode(planes, lblink.NodeOptions{Identity: "n", Host: "127.0.0.1", Logger: quietLogger()})
	sock := filepath.Join(t.TempDir(), "link.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stopServe := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- node.Serve(serveCtx, ln) }()
	c := lblink.NewClient(unixDialer(sock), lblink.ClientOptions{Identity: "n", OnHealthChange: onHealth, Logger: quietLogger()})
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.Connect(cctx); err != nil {
		t.Fatal(err)
	}
	clientCtx, stopClient := context.WithCancel(context.Background())
	clientDone := make(chan struct{})
	go func() { c.Run(clientCtx); close(clientDone) }()
	t.Cleanup(func() {
		stopClient()
		c.Close()
		<-clientDone
		stopServe()
		<-served
		planes.Close()
	})
	return c
}

func dialName(t *testing.T, port int) (net.Conn, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	name, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		c.Close()
		t.Fatalf("through the network listener: %v", err)
	}
	return c, name[:len(name)-1]
}

// TestNetworkLoadBalancerServedThroughTheLink: a network load balancer's TCP
// listener in the store is served by the l4 plane behind the link beside an
// application load balancer's listener; its targets' health reaches the
// syncer's mirror, and a deregistered target drains while its connection lives.
func TestNetworkLoadBalancerServedThroughTheLink(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	_, webPort := backend(t, "web")
	web := f.targetGroup("web", webPort)
	f.register(web.ARN, model.TargetDescription{ID: "i-web", Port: webPort})
	httpPort := freePort(t)
	f.listener(httpPort, forward(map[string]int{web.ARN: 1}))
	a, b := tcpEcho(t, "a"), tcpEcho(t, "b")
	tcp := f.networkGroup("tcp", l4.ProtocolTCP, a, model.TargetGroupHealthCheck{Enabled: true, Protocol: "TCP", Port: "traffic-port",
		IntervalSeconds: 5, TimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2},
		map[string]string{model.AttrDeregistrationDelay: "30"})
	f.register(tcp.ARN, model.TargetDescription{ID: "127.0.0.1", Port: a})
	tcpPort := freePort(t)
	f.networkListener(tcpPort, l4.ProtocolTCP, forward(map[string]int{tcp.ARN: 1}))

	var syncer atomic.Pointer[Syncer]
	c := linkedPlanes(t, func() {
		if s := syncer.Load(); s != nil {
			s.OnHealthChange(lb.HealthEvent{})
		}
	})
	s := New(st, []DataPlane{c}, quietLogger())
	syncer.Store(s)
	mustSync(t, s)
	eventually(t, "the TCP target healthy in the mirror", func() bool {
		th := s.TargetHealth(tcp.ARN)
		return len(th) == 1 && th[0].State == lb.StateHealthy
	})
	conn, name := dialName(t, tcpPort)
	defer conn.Close()
	if name != "a" {
		t.Fatalf("answered by %q", name)
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	eventually(t, "the application listener beside it answering", func() bool {
		body, err := get(client, "http://127.0.0.1:"+strconv.Itoa(httpPort)+"/")
		return err == nil && body == "web"
	})

	f.register(tcp.ARN, model.TargetDescription{ID: "127.0.0.1", Port: b})
	f.deregister(tcp.ARN, model.TargetDescription{ID: "127.0.0.1", Port: a})
	mustSync(t, s)
	if th := s.TargetHealth(tcp.ARN); len(th) != 2 {
		t.Fatalf("after the deregistration the mirror shows %+v; want a draining beside b", th)
	}
	eventually(t, "b healthy", func() bool {
		for _, th := range s.TargetHealth(tcp.ARN) {
			if th.Target.Port == b && th.State == lb.StateHealthy {
				return true
			}
		}
		return false
	})
	if nc, name := dialName(t, tcpPort); name != "b" {
		nc.Close()
		t.Fatalf("a new connection reached %q, the draining target", name)
	} else {
		nc.Close()
	}
	if _, err := io.WriteString(conn, "x"); err != nil {
		t.Fatalf("the draining target's connection: %v", err)
	}
	conn.Close()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.WaitDrained(wctx, tcp.ARN, "127.0.0.1", a); err != nil {
		t.Fatalf("WaitDrained: %v", err)
	}
}

// TestNetworkTLSListenerGetsItsCertificate: a TLS listener's file://
// certificate is read by the syncer and terminates TLS in the l4 plane.
func TestNetworkTLSListenerGetsItsCertificate(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	ca := testutil.NewTestCA(t, t.TempDir())
	tg := f.echoGroup("tls", "behind-tls")
	port := freePort(t)
	f.networkListener(port, l4.ProtocolTLS, forward(map[string]int{tg.ARN: 1}), "file://"+ca.CertFile+"#"+ca.KeyFile)
	c := linkedPlanes(t, nil)
	s := New(st, []DataPlane{c}, quietLogger())
	mustSync(t, s)
	eventually(t, "the target healthy", func() bool {
		th := s.TargetHealth(tg.ARN)
		return len(th) == 1 && th[0].State == lb.StateHealthy
	})
	conn, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), &tls.Config{RootCAs: ca.Pool, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("TLS to the listener: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if name, err := bufio.NewReader(conn).ReadString('\n'); err != nil || name != "behind-tls\n" {
		t.Fatalf("through TLS: %q, %v", name, err)
	}
	if len(s.problems) != 0 {
		t.Fatalf("problems: %v", s.problems)
	}
}
