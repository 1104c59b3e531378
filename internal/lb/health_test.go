package lb

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// eventLog records HealthEvents delivered through Options.OnHealthChange.
type eventLog struct {
	mu  sync.Mutex
	evs []HealthEvent
}

func (e *eventLog) add(ev HealthEvent) { e.mu.Lock(); e.evs = append(e.evs, ev); e.mu.Unlock() }

func (e *eventLog) saw(port int, from, to string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ev := range e.evs {
		if ev.Target.Port == port && ev.From.State == from && ev.To.State == to {
			return true
		}
	}
	return false
}

func healthOf(d *DataPlane, tg string, port int) TargetHealth {
	for _, th := range d.TargetHealth(tg) {
		if th.Target.Port == port {
			return th
		}
	}
	return TargetHealth{State: "gone"}
}

func TestHealthTransitions(t *testing.T) {
	flip := startBackend(t, "flip", nil)
	slow := startBackend(t, "slow", nil)
	slowDone := make(chan struct{})
	t.Cleanup(func() { close(slowDone) })
	slow.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // the health check times out before this answers
		case <-slowDone:
		case <-time.After(3 * time.Second):
		}
	})
	dead := Target{ID: "127.0.0.1", Host: "127.0.0.1", Port: freePort(t)}
	var log eventLog
	d := newDP(t, Options{OnHealthChange: log.add})
	port := freePort(t)
	tg := tgroup("tg", true, flip, slow)
	tg.Targets = append(tg.Targets, dead)
	unused := tgroup("unused", true, flip)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tg, unused}})

	if th := healthOf(d, "unused", flip.port); th.State != StateUnused || th.Reason != ReasonNotInUse {
		t.Errorf("unused group target: %+v", th)
	}
	// A newly registered target is healthy after one passing check.
	eventually(t, 3*time.Second, "flip healthy", func() bool { return healthOf(d, "tg", flip.port).State == StateHealthy })
	// Events reach OnHealthChange from their own goroutine, after the state
	// they report is visible: wait for the event too.
	eventually(t, 3*time.Second, "an initial->healthy event", func() bool { return log.saw(flip.port, StateInitial, StateHealthy) })
	flip.fail.Store(true)
	eventually(t, 5*time.Second, "flip unhealthy", func() bool { return healthOf(d, "tg", flip.port).State == StateUnhealthy })
	th := healthOf(d, "tg", flip.port)
	if th.Reason != ReasonResponseCodeMismatch || th.Description != "Health checks failed with these codes: [500]" {
		t.Errorf("unhealthy flip: %+v", th)
	}
	flip.fail.Store(false)
	eventually(t, 5*time.Second, "flip healthy again", func() bool { return healthOf(d, "tg", flip.port).State == StateHealthy })
	eventually(t, 3*time.Second, "healthy->unhealthy->healthy events", func() bool {
		return log.saw(flip.port, StateHealthy, StateUnhealthy) && log.saw(flip.port, StateUnhealthy, StateHealthy)
	})
	eventually(t, 6*time.Second, "slow target timed out", func() bool { return healthOf(d, "tg", slow.port).Reason == ReasonTimeout })
	eventually(t, 5*time.Second, "dead target failed", func() bool { return healthOf(d, "tg", dead.Port).Reason == ReasonFailedHealthChecks })
	if th := healthOf(d, "tg", dead.Port); th.State != StateUnhealthy {
		t.Errorf("dead target: %+v", th)
	}
}

func TestHealthCheckDisabledIsUnavailableAndRoutable(t *testing.T) {
	be := startBackend(t, "a", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
	if th := healthOf(d, "tg", be.port); th.State != StateUnavailable || th.Reason != ReasonHealthCheckDisabled {
		t.Fatalf("%+v", th)
	}
	if resp, _ := get(t, client(), lbURL(port, "/")); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestUnhealthyTargetGetsNoTraffic(t *testing.T) {
	a := startBackend(t, "a", nil)
	b := startBackend(t, "b", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", true, a, b)}})
	eventually(t, 3*time.Second, "both healthy", func() bool {
		return healthOf(d, "tg", a.port).State == StateHealthy && healthOf(d, "tg", b.port).State == StateHealthy
	})
	b.fail.Store(true)
	eventually(t, 5*time.Second, "b unhealthy", func() bool { return healthOf(d, "tg", b.port).State == StateUnhealthy })
	c := client()
	for i := 0; i < 20; i++ {
		if resp, _ := get(t, c, lbURL(port, "/")); resp.Header.Get("X-Backend") != "a" {
			t.Fatalf("request %d went to %q", i, resp.Header.Get("X-Backend"))
		}
	}
}

func TestFailOpen(t *testing.T) {
	a := startBackend(t, "a", nil)
	b := startBackend(t, "b", nil)
	a.fail.Store(true)
	b.fail.Store(true)
	d := newDP(t, Options{})
	port := freePort(t)
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tgroup("tg", true, a, b)}})
	eventually(t, 5*time.Second, "both unhealthy", func() bool {
		return healthOf(d, "tg", a.port).State == StateUnhealthy && healthOf(d, "tg", b.port).State == StateUnhealthy
	})
	c := client()
	seen := map[string]int{}
	for i := 0; i < 20; i++ {
		resp, _ := get(t, c, lbURL(port, "/"))
		if resp.StatusCode != 200 {
			t.Fatalf("fail-open request got %d", resp.StatusCode)
		}
		seen[resp.Header.Get("X-Backend")]++
	}
	if seen["a"] == 0 || seen["b"] == 0 {
		t.Fatalf("fail-open should use all targets: %v", seen)
	}
}

// TestInitialTargetsGetNoTraffic: a target that has not passed a check yet is never
// used, even when it is the only one (503), and is used as soon as it passes.
func TestInitialTargetsGetNoTraffic(t *testing.T) {
	a := startBackend(t, "a", nil)
	a.fail.Store(true)
	d := newDP(t, Options{})
	port := freePort(t)
	tg := tgroup("tg", true, a)
	tg.HealthCheck.UnhealthyThreshold = 10 // stays initial while failing
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(port, forward("tg"))}, TargetGroups: []TargetGroup{tg}})
	eventually(t, 3*time.Second, "first check done", func() bool { return healthOf(d, "tg", a.port).Reason == ReasonInitialHealthChecking })
	if resp, _ := get(t, client(), lbURL(port, "/")); resp.StatusCode != 503 || a.hits.Load() != 0 {
		t.Fatalf("initial target used: %d, hits %d", resp.StatusCode, a.hits.Load())
	}
	a.fail.Store(false)
	eventually(t, 3*time.Second, "healthy", func() bool { return healthOf(d, "tg", a.port).State == StateHealthy })
	if resp, _ := get(t, client(), lbURL(port, "/")); resp.StatusCode != 200 {
		t.Fatalf("healthy target: %d", resp.StatusCode)
	}
}

// TestNewTargetNotYetListeningIsProbedQuickly: a target whose process opens
// its port after registration becomes healthy as soon as it listens, not a
// whole interval later; the quick probes never hasten "unhealthy".
func TestNewTargetNotYetListeningIsProbedQuickly(t *testing.T) {
	late := Target{ID: "127.0.0.1", Host: "127.0.0.1", Port: freePort(t)}
	never := Target{ID: "127.0.0.1", Host: "127.0.0.1", Port: freePort(t)}
	d := newDP(t, Options{})
	tg := TargetGroup{ARN: "tg", Protocol: "HTTP", Port: 80, Targets: []Target{late, never},
		HealthCheck: HealthCheck{Enabled: true, Protocol: "HTTP", Port: "traffic-port", Path: "/", Interval: 5 * time.Second,
			Timeout: 2 * time.Second, HealthyThreshold: 2, UnhealthyThreshold: 2, Matcher: "200"}}
	start := time.Now()
	apply(t, d, Config{Version: 1, Listeners: []Listener{httpListener(freePort(t), forward("tg"))}, TargetGroups: []TargetGroup{tg}})
	time.AfterFunc(300*time.Millisecond, func() {
		l, err := net.Listen("tcp", net.JoinHostPort(late.Host, strconv.Itoa(late.Port)))
		if err != nil {
			t.Error(err)
			return
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})}
		t.Cleanup(func() { srv.Close() })
		go srv.Serve(l)
	})
	eventually(t, 3*time.Second, "late target healthy", func() bool { return healthOf(d, "tg", late.Port).State == StateHealthy })
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("late target took %s to become healthy with a 5s interval", took)
	}
	// Over the next 1.5 s the never-listening target is re-probed several
	// times; it must stay initial until a second regular probe fails.
	for end := start.Add(2 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if th := healthOf(d, "tg", never.Port); th.State != StateInitial {
			t.Fatalf("a target that never listens is %s before its second regular probe; quick probes must not count", th.State)
		}
	}
}
