package lbsync

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// networkGroup writes a network load balancer's target group record as the
// API will store one (the model refuses TCP groups today, so it is written as is).
func (f *fixture) networkGroup(name, protocol string, port int, hc model.TargetGroupHealthCheck, attrs map[string]string) model.TargetGroup {
	f.t.Helper()
	tg, err := model.NewTargetGroup(f.st.Partition, model.TargetGroupSpec{Name: name, Protocol: "HTTP", Port: &port}, time.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	tg.Protocol, tg.HealthCheck = protocol, hc
	for k, v := range attrs {
		tg.Attributes[k] = v
	}
	f.update(func(tx state.Tx) error { return tx.PutTargetGroup(tg) })
	return tg
}

func (f *fixture) networkListener(port int, protocol string, actions []model.ELBAction, certs ...string) model.Listener {
	l := f.listener(port, actions)
	l.Protocol = protocol
	for i, c := range certs {
		l.Certificates = append(l.Certificates, model.ListenerCertificate{ARN: c, IsDefault: i == 0})
	}
	f.update(func(tx state.Tx) error { return tx.PutListener(l) })
	return l
}

func TestCompileNetworkLoadBalancers(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	web := f.targetGroup("web", 8080)
	f.listener(8000, forward(map[string]int{web.ARN: 1}))
	tcp := f.networkGroup("tcp", l4.ProtocolTCP, 9000,
		model.TargetGroupHealthCheck{Enabled: true, Protocol: "TCP", Port: "traffic-port", Path: "/", IntervalSeconds: 10,
			TimeoutSeconds: 10, HealthyThresholdCount: 3, UnhealthyThresholdCount: 3, HTTPCode: "200-399"},
		map[string]string{model.AttrDeregistrationDelay: "20", model.AttrConnectionTermination: "true",
			model.AttrProxyProtocolV2: "true", model.AttrStickinessEnabled: "true", model.AttrStickinessType: "source_ip"})
	udp := f.networkGroup("udp", l4.ProtocolUDP, 5353,
		model.TargetGroupHealthCheck{Enabled: true, Protocol: "HTTP", Port: "8081", Path: "/ping", IntervalSeconds: 30,
			TimeoutSeconds: 6, HealthyThresholdCount: 5, UnhealthyThresholdCount: 2, HTTPCode: "200"}, nil)
	f.register(tcp.ARN, model.TargetDescription{ID: "10.0.0.5", Port: 9001})
	tcpListener := f.networkListener(7000, l4.ProtocolTCP, forward(map[string]int{tcp.ARN: 1}))
	tcpListener.Attributes = map[string]string{model.ListenerAttrTCPIdleTimeout: "60"}
	f.update(func(tx state.Tx) error { return tx.PutListener(tcpListener) })
	f.networkListener(7001, l4.ProtocolTLS, forward(map[string]int{tcp.ARN: 1}), "file:///etc/cert.pem")
	f.networkListener(5353, l4.ProtocolUDP, forward(map[string]int{udp.ARN: 1}))

	var cfg lb.Config
	var net l4.Config
	err := st.View(ctx, func(tx state.Tx) error {
		var err error
		if cfg, err = Compile(tx); err != nil {
			return err
		}
		net, err = CompileNetwork(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The application load balancer's configuration holds none of it: lb refuses TCP.
	if len(cfg.Listeners) != 1 || len(cfg.TargetGroups) != 1 || cfg.TargetGroups[0].ARN != web.ARN {
		t.Fatalf("lb config %+v", cfg)
	}
	if len(net.Listeners) != 3 || len(net.TargetGroups) != 2 {
		t.Fatalf("l4 config %+v", net)
	}
	l := net.Listeners[1]
	if l.Port != 7000 || l.Protocol != l4.ProtocolTCP || len(l.Forward) != 1 || l.Forward[0].ARN != tcp.ARN ||
		l.IdleTimeout != 60*time.Second {
		t.Errorf("TCP listener %+v", l)
	}
	// tcp.idle_timeout.seconds defaults to 350 on TCP and TLS; UDP has none.
	if tl := net.Listeners[2]; tl.Protocol != l4.ProtocolTLS || len(tl.Certificates) != 1 || tl.Certificates[0].Name != "file:///etc/cert.pem" ||
		tl.IdleTimeout != 350*time.Second {
		t.Errorf("TLS listener %+v", tl)
	}
	if ul := net.Listeners[0]; ul.Protocol != l4.ProtocolUDP || ul.IdleTimeout != 0 {
		t.Errorf("UDP listener %+v", ul)
	}
	byARN := map[string]l4.TargetGroup{}
	for _, g := range net.TargetGroups {
		byARN[g.ARN] = g
	}
	g := byARN[tcp.ARN]
	if g.DeregistrationDelay != 20*time.Second || !g.ConnectionTermination || !g.ProxyProtocolV2 || !g.SourceIPStickiness ||
		!g.UnhealthyConnectionTermination || g.HealthCheck.Path != "" || g.HealthCheck.Matcher != "" ||
		g.HealthCheck.Interval != 10*time.Second || g.HealthCheck.HealthyThreshold != 3 {
		t.Errorf("TCP group %+v", g)
	}
	if len(g.Targets) != 1 || g.Targets[0] != (lb.Target{ID: "10.0.0.5", Host: "10.0.0.5", Port: 9001}) {
		t.Errorf("targets %+v", g.Targets)
	}
	if u := byARN[udp.ARN]; u.HealthCheck.Path != "/ping" || u.HealthCheck.Matcher != "200" || u.HealthCheck.Port != "8081" ||
		u.ProxyProtocolV2 || u.ConnectionTermination || u.DeregistrationDelay != 300*time.Second {
		t.Errorf("UDP group %+v", u)
	}
}
