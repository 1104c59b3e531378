package lb

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// slowBackend answers /slow only after release is closed; started reports arrivals.
func slowBackend(t *testing.T, name string) (*testBackend, chan struct{}, chan struct{}) {
	release := make(chan struct{})
	started := make(chan struct{}, 16)
	be := startBackend(t, name, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			started <- struct{}{}
			<-release
		}
		w.Write([]byte("done " + name))
	})
	return be, release, started
}

func TestDrainSlowInflightCompletesWhileNewRequestsGoElsewhere(t *testing.T) {
	a, release, started := slowBackend(t, "a")
	b := startBackend(t, "b", nil)
	var log eventLog
	d := newDP(t, Options{OnHealthChange: log.add})
	port := freePort(t)
	lst := httpListener(port, forward("tg"))
	v1 := tgroup("tg", false, a)
	v1.DeregistrationDelay = 20 * time.Second
	apply(t, d, Config{Version: 1, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{v1}})

	c := client()
	slowResult := make(chan string, 1)
	go func() {
		resp, body := get(t, c, lbURL(port, "/slow"))
		slowResult <- resp.Status + " " + body
	}()
	<-started
	v2 := tgroup("tg", false, b)
	v2.DeregistrationDelay = 20 * time.Second
	t0 := time.Now()
	apply(t, d, Config{Version: 2, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{v2}})
	if el := time.Since(t0); el > 10*time.Millisecond {
		t.Errorf("Apply took %v", el)
	}
	if th := healthOf(d, "tg", a.port); th.State != StateDraining || th.Reason != ReasonDeregistrationInProgress {
		t.Fatalf("a should be draining: %+v", th)
	}
	before := a.hits.Load()
	for i := 0; i < 20; i++ {
		if resp, _ := get(t, c, lbURL(port, "/")); resp.Header.Get("X-Backend") != "b" {
			t.Fatalf("new request went to %q", resp.Header.Get("X-Backend"))
		}
	}
	if a.hits.Load() != before {
		t.Fatalf("draining target got new requests")
	}
	if n := d.InFlight("tg", "127.0.0.1", a.port); n != 1 {
		t.Fatalf("in flight %d", n)
	}
	close(release)
	if got := <-slowResult; got != "200 OK done a" {
		t.Fatalf("slow request: %q", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.WaitDrained(ctx, "tg", "127.0.0.1", a.port); err != nil {
		t.Fatal(err)
	}
	if st := healthOf(d, "tg", a.port).State; st != "gone" {
		t.Fatalf("drained target still listed as %s", st)
	}
	eventually(t, time.Second, "unused event", func() bool { return log.saw(a.port, StateDraining, StateUnused) })
}

func TestDrainEndsEarlyWhenIdle(t *testing.T) {
	a := startBackend(t, "a", nil)
	d := newDP(t, Options{})
	port := freePort(t)
	lst := httpListener(port, forward("tg"))
	v1 := tgroup("tg", false, a)
	v1.DeregistrationDelay = 300 * time.Second
	apply(t, d, Config{Version: 1, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{v1}})
	get(t, client(), lbURL(port, "/")) // leaves an idle pooled connection
	v2 := v1
	v2.Targets = nil
	apply(t, d, Config{Version: 2, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{v2}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := d.WaitDrained(ctx, "tg", "127.0.0.1", a.port); err != nil {
		t.Fatalf("drain did not end early: %v", err)
	}
	if resp, _ := get(t, client(), lbURL(port, "/")); resp.StatusCode != 503 {
		t.Fatalf("empty group: %d", resp.StatusCode)
	}
}

func TestDrainDelayExpiresWithRequestInFlight(t *testing.T) {
	a, release, started := slowBackend(t, "a")
	defer close(release)
	d := newDP(t, Options{})
	port := freePort(t)
	lst := httpListener(port, forward("tg"))
	v1 := tgroup("tg", false, a)
	v1.DeregistrationDelay = 300 * time.Millisecond
	apply(t, d, Config{Version: 1, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{v1}})
	go func() {
		resp, err := client().Get(lbURL(port, "/slow"))
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	v2 := v1
	v2.Targets = nil
	apply(t, d, Config{Version: 2, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{v2}})
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := d.WaitDrained(ctx, "tg", "127.0.0.1", a.port); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(t0); el < 200*time.Millisecond {
		t.Fatalf("drain ended after %v despite a request in flight", el)
	}
}

func TestReregisterWhileDraining(t *testing.T) {
	a, release, started := slowBackend(t, "a")
	d := newDP(t, Options{})
	port := freePort(t)
	lst := httpListener(port, forward("tg"))
	v1 := tgroup("tg", false, a)
	apply(t, d, Config{Version: 1, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{v1}})
	var done atomic.Bool
	go func() {
		resp, err := client().Get(lbURL(port, "/slow"))
		if err == nil {
			resp.Body.Close()
		}
		done.Store(true)
	}()
	<-started
	v2 := v1
	v2.Targets = nil
	apply(t, d, Config{Version: 2, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{v2}})
	if st := healthOf(d, "tg", a.port).State; st != StateDraining {
		t.Fatalf("state %s", st)
	}
	apply(t, d, Config{Version: 3, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{v1}})
	if st := healthOf(d, "tg", a.port).State; st != StateUnavailable {
		t.Fatalf("re-registered target state %s", st)
	}
	err := d.WaitDrained(context.Background(), "tg", "127.0.0.1", a.port)
	if !errors.Is(err, ErrNotDraining) {
		t.Fatalf("WaitDrained: %v", err)
	}
	close(release)
	eventually(t, 2*time.Second, "slow request done", done.Load)
	if resp, _ := get(t, client(), lbURL(port, "/")); resp.Header.Get("X-Backend") != "a" {
		t.Fatalf("re-registered target not used")
	}
}

// TestNewRevisionOnSameHostPortWhileDraining: a new task that reuses a draining task's
// id and port is a separate target, counted under its own revision.
func TestNewRevisionOnSameHostPortWhileDraining(t *testing.T) {
	a, release, started := slowBackend(t, "talk:3")
	d := newDP(t, Options{Registerer: nil})
	port := freePort(t)
	lst := httpListener(port, forward("tg"))
	v1 := tgroup("tg", false, a)
	apply(t, d, Config{Version: 1, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{v1}})
	go func() {
		if resp, err := client().Get(lbURL(port, "/slow")); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	v2 := v1
	v2.Targets = []Target{a.target()}
	v2.Targets[0].Revision = "talk:4"
	apply(t, d, Config{Version: 2, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{v2}})
	states := map[string]string{}
	for _, th := range d.TargetHealth("tg") {
		states[th.Target.Revision] = th.State
	}
	if states["talk:3"] != StateDraining || states["talk:4"] != StateUnavailable {
		t.Fatalf("states %v", states)
	}
	get(t, client(), lbURL(port, "/"))
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.WaitDrained(ctx, "tg", "127.0.0.1", a.port); err != nil {
		t.Fatal(err)
	}
	revs := d.Stats().TargetGroups["tg"].Revisions
	if revs["talk:3"].Requests != 1 || revs["talk:4"].Requests != 1 {
		t.Fatalf("per-revision requests: talk:3 %d, talk:4 %d", revs["talk:3"].Requests, revs["talk:4"].Requests)
	}
}
