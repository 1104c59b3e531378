package l4

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
)

func TestValidateRefusesWhatCannotBeServed(t *testing.T) {
	group := func(mod func(*TargetGroup)) []TargetGroup {
		tg := TargetGroup{ARN: "tg", Protocol: ProtocolTCP, Port: 80}
		mod(&tg)
		return []TargetGroup{tg}
	}
	fwd := []lb.WeightedTargetGroup{{ARN: "tg"}}
	cases := map[string]Config{
		"protocol":         {Listeners: []Listener{{Port: 1, Protocol: "HTTP", Forward: fwd}}, TargetGroups: group(func(*TargetGroup) {})},
		"no certificate":   {Listeners: []Listener{{Port: 1, Protocol: ProtocolTLS, Forward: fwd}}, TargetGroups: group(func(*TargetGroup) {})},
		"UDP to TCP group": {Listeners: []Listener{{Port: 1, Protocol: ProtocolUDP, Forward: fwd}}, TargetGroups: group(func(*TargetGroup) {})},
		"TCP_UDP to TCP":   {Listeners: []Listener{{Port: 1, Protocol: ProtocolTCPUDP, Forward: fwd}}, TargetGroups: group(func(*TargetGroup) {})},
		"unknown group":    {Listeners: []Listener{{Port: 1, Protocol: ProtocolTCP, Forward: []lb.WeightedTargetGroup{{ARN: "x"}}}}},
		"no forward":       {Listeners: []Listener{{Port: 1, Protocol: ProtocolTCP}}},
		"port":             {Listeners: []Listener{{Port: 70000, Protocol: ProtocolTCP, Forward: fwd}}, TargetGroups: group(func(*TargetGroup) {})},
		"weights all zero": {Listeners: []Listener{{Port: 1, Protocol: ProtocolTCP, Forward: []lb.WeightedTargetGroup{{ARN: "tg"}, {ARN: "tg2"}}}},
			TargetGroups: []TargetGroup{{ARN: "tg", Protocol: ProtocolTCP}, {ARN: "tg2", Protocol: ProtocolTCP}}},
		"proxy on UDP":    {TargetGroups: group(func(tg *TargetGroup) { tg.Protocol, tg.ProxyProtocolV2 = ProtocolUDP, true })},
		"group protocol":  {TargetGroups: group(func(tg *TargetGroup) { tg.Protocol = "HTTP" })},
		"check protocol":  {TargetGroups: group(func(tg *TargetGroup) { tg.HealthCheck.Protocol = "UDP" })},
		"matcher":         {TargetGroups: group(func(tg *TargetGroup) { tg.HealthCheck.Protocol, tg.HealthCheck.Matcher = CheckHTTP, "100" })},
		"TCP check path":  {TargetGroups: group(func(tg *TargetGroup) { tg.HealthCheck.Path = "/" })},
		"interval":        {TargetGroups: group(func(tg *TargetGroup) { tg.HealthCheck.Interval = time.Millisecond })},
		"duplicate":       {TargetGroups: group(func(tg *TargetGroup) { tg.Targets = []lb.Target{{ID: "a"}, {ID: "a"}} })},
		"negative delay":  {TargetGroups: group(func(tg *TargetGroup) { tg.DeregistrationDelay = -time.Second })},
		"target port":     {TargetGroups: group(func(tg *TargetGroup) { tg.Port, tg.Targets = 0, []lb.Target{{ID: "a"}} })},
		"duplicate group": {TargetGroups: append(group(func(*TargetGroup) {}), group(func(*TargetGroup) {})...)},
	}
	for name, cfg := range cases {
		if err := validate(&cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
	ok := Config{Listeners: []Listener{{Port: 1, Protocol: ProtocolTCP, Forward: fwd}}, TargetGroups: group(func(tg *TargetGroup) {
		tg.HealthCheck = HealthCheck{Protocol: CheckHTTP, Matcher: "200,300-399"}
	})}
	if err := validate(&ok); err != nil {
		t.Fatal(err)
	}
}

func TestHealthCheckDefaultsAreNLBs(t *testing.T) {
	hc := HealthCheck{}.withDefaults()
	if hc.Protocol != CheckTCP || hc.Interval != 30*time.Second || hc.Timeout != 10*time.Second ||
		hc.HealthyThreshold != 5 || hc.UnhealthyThreshold != 2 || hc.Port != "traffic-port" || hc.Path != "" {
		t.Fatalf("TCP defaults %+v", hc)
	}
	hc = HealthCheck{Protocol: CheckHTTP}.withDefaults()
	if hc.Timeout != 6*time.Second || hc.Path != "/" || hc.Matcher != "200-399" {
		t.Fatalf("HTTP defaults %+v", hc)
	}
}

func TestBindErrorNamesThePortAndChangesNothing(t *testing.T) {
	d := newDP(t, Options{})
	e := startEcho(t, "a", false)
	taken := e.port() // the echo server holds it
	free := freePort(t)
	err := d.Apply(t.Context(), Config{Version: 1,
		Listeners:    []Listener{listener(free, ProtocolTCP, "tg"), listener(taken, ProtocolTCP, "tg")},
		TargetGroups: []TargetGroup{tcpGroup("tg", e)}})
	var be *lb.BindError
	if !errors.As(err, &be) || be.Port != taken || !errors.Is(err, lb.ErrBind) {
		t.Fatalf("Apply: %v, want a BindError for port %d", err, taken)
	}
	if d.ListenerAddr(free) != nil || d.AppliedVersion() != 0 || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("a failed Apply left port %d bound or version %d", free, d.AppliedVersion())
	}
}
