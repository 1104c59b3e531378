package lblink

import (
	"context"
	"net"
	"testing"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
)

// fakeNetwork is a network plane that only counts.
type fakeNetwork struct{ st l4.NetworkStats }

func (f *fakeNetwork) Apply(context.Context, l4.Config) error { return nil }
func (f *fakeNetwork) TargetHealth(string) []lb.TargetHealth  { return nil }
func (f *fakeNetwork) HealthSnapshot() map[string][]lb.TargetHealth {
	return map[string][]lb.TargetHealth{}
}
func (f *fakeNetwork) FlushEvents()                  {}
func (f *fakeNetwork) NetworkStats() l4.NetworkStats { return f.st }

// TestNetworkStatsComeFromTheNetworkPlane: network-stats answers the
// network plane's counters, and an error from a node without one.
func TestNetworkStatsComeFromTheNetworkPlane(t *testing.T) {
	sock := socketPath(t)
	startNode(t, sock, testIdentity)
	c := connect(t, sock, ClientOptions{})
	if _, err := c.NetworkStats(context.Background()); err == nil {
		t.Fatal("network-stats from a node without a network plane answered")
	}

	sock = socketPath(t)
	fake := &fakeNetwork{st: l4.NetworkStats{Stats: l4.Stats{Version: 7, TargetGroups: map[string]l4.GroupStats{
		"tg": {Total: l4.TargetStats{Active: 2, Flows: 5, BytesIn: 10, BytesOut: 20}}}},
		Listeners: map[string]l4.ListenerStats{"listener/net/a/1/2": {ClientResets: 1, TargetResets: 2, ELBResets: 3}}}}
	dp := lb.New(lb.Options{Host: "127.0.0.1", Logger: testLogger()})
	node := NewNode(&Planes{HTTP: dp, Network: fake}, NodeOptions{Identity: testIdentity, Host: "127.0.0.1", Logger: testLogger()})
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- node.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-served; dp.Close() })
	c = connect(t, sock, ClientOptions{})
	st, err := c.NetworkStats(context.Background())
	if err != nil || st.Version != 7 || st.TargetGroups["tg"].Total.Flows != 5 || st.Listeners["listener/net/a/1/2"].ELBResets != 3 {
		t.Fatalf("NetworkStats = %+v, %v", st, err)
	}
}
