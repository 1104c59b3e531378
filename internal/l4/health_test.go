package l4

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/testutil"
)

func TestHTTPHealthCheckOfATCPGroup(t *testing.T) {
	var status atomic.Int32
	status.Store(200)
	var agent atomic.Value
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agent.Store(r.UserAgent() + " " + r.URL.Path)
		w.WriteHeader(int(status.Load()))
	}))
	defer hs.Close()
	var events atomic.Int32
	d := newDP(t, Options{OnHealthChange: func(lb.HealthEvent) { events.Add(1) }})
	e := startEcho(t, "a", false)
	_, hport, _ := net.SplitHostPort(hs.Listener.Addr().String())
	tg := tcpGroup("tg", e)
	tg.HealthCheck = HealthCheck{Enabled: true, Protocol: CheckHTTP, Port: hport, Path: "/ping", Interval: time.Second,
		HealthyThreshold: 2, UnhealthyThreshold: 2, Matcher: "200-299"}
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{listener(port, ProtocolTCP, "tg")}, TargetGroups: []TargetGroup{tg}})
	waitHealthy(t, d, "tg", 1)
	if got := agent.Load(); got != "ELB-HealthChecker/2.0 /ping" {
		t.Fatalf("probe was %q", got)
	}
	status.Store(503)
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		th := d.TargetHealth("tg")[0]
		return th.State == lb.StateUnhealthy && th.Reason == lb.ReasonResponseCodeMismatch &&
			th.Description == "Health checks failed with these codes: [503]", th.State + " " + th.Reason + " " + th.Description
	})
	// Fail open: the only target is unhealthy, so it still gets the traffic.
	c, _, name := dialEcho(t, port)
	c.Close()
	if name != "a" {
		t.Fatalf("name %q", name)
	}
	status.Store(200)
	waitHealthy(t, d, "tg", 1)
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		// registration, initial checking, healthy, unhealthy, healthy
		return events.Load() >= 4, "events: " + strconv.Itoa(int(events.Load()))
	})
}

func TestHealthCheckStatesOfUnusedAndDisabledGroups(t *testing.T) {
	d := newDP(t, Options{})
	e := startEcho(t, "a", false)
	off := tcpGroup("off", e)
	off.HealthCheck.Enabled = false
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{listener(port, ProtocolTCP, "off")},
		TargetGroups: []TargetGroup{off, tcpGroup("unused", e)}})
	if th := d.TargetHealth("off")[0]; th.State != lb.StateUnavailable || th.Reason != lb.ReasonHealthCheckDisabled {
		t.Fatalf("disabled checks: %+v", th)
	}
	if th := d.TargetHealth("unused")[0]; th.State != lb.StateUnused || th.Reason != lb.ReasonNotInUse {
		t.Fatalf("unused group: %+v", th)
	}
	c, _, name := dialEcho(t, port) // unavailable targets are routable
	c.Close()
	if name != "a" {
		t.Fatalf("name %q", name)
	}
}
