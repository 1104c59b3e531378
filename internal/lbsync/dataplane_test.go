package lbsync

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/testutil"
)

func backend(t *testing.T, name string) (*httptest.Server, int) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, name)
	}))
	t.Cleanup(srv.Close)
	return srv, srv.Listener.Addr().(*net.TCPAddr).Port
}

// freePort is a TCP port no other test gets while this one runs
// (outside the ephemeral range that other tests' connections draw from).
func freePort(t *testing.T) int {
	return testutil.FreePort(t)
}

func get(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	return string(body), err
}

// TestRealDataPlane drives a real lb.DataPlane: a listener forwards to two
// backends, and once a deregistration is synced no new request reaches the
// deregistered backend.
func TestRealDataPlane(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	_, portA := backend(t, "A")
	_, portB := backend(t, "B")
	tg := f.targetGroup("web", portA, model.TargetGroupAttribute{Key: model.AttrDeregistrationDelay, Value: "30"})
	f.register(tg.ARN, model.TargetDescription{ID: "i-a", Port: portA, Revision: "web:1"}, model.TargetDescription{ID: "i-b", Port: portB, Revision: "web:2"})
	port := freePort(t)
	f.listener(port, forward(map[string]int{tg.ARN: 1}))

	var s *Syncer
	dp := lb.New(lb.Options{Host: "127.0.0.1", Logger: quietLogger(), OnHealthChange: func(ev lb.HealthEvent) { s.OnHealthChange(ev) }})
	t.Cleanup(func() { dp.Close() })
	s = New(st, []DataPlane{dp}, quietLogger())
	v := mustSync(t, s)
	if dp.AppliedVersion() != v {
		t.Fatalf("plane at %d, Sync returned %d", dp.AppliedVersion(), v)
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/"
	eventually(t, "both targets healthy", func() bool {
		th := s.TargetHealth(tg.ARN)
		return len(th) == 2 && th[0].State == lb.StateHealthy && th[1].State == lb.StateHealthy
	})
	seen := map[string]bool{}
	eventually(t, "both backends answer through the listener", func() bool {
		body, err := get(client, url)
		seen[body] = err == nil
		return seen["A"] && seen["B"]
	})

	f.deregister(tg.ARN, model.TargetDescription{ID: "i-a", Port: portA})
	mustSync(t, s)
	for i := range 20 {
		body, err := get(client, url)
		if err != nil || body != "B" {
			t.Fatalf("request %d after deregistration: %q, %v", i, body, err)
		}
	}
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.WaitDrained(waitCtx, tg.ARN, "i-a", portA); err != nil {
		t.Fatalf("WaitDrained: %v", err)
	}
}
