package lblink

import (
	"context"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
)

// BenchmarkApply measures one acknowledged configuration change (a target
// deregistered or registered again, of 10) applied to an lb.DataPlane
// directly and through the link over a unix socket: the link's share of the
// deregistration-to-no-new-requests time.
func BenchmarkApply(b *testing.B) {
	backends := make([]lb.Target, 10)
	for i := range backends {
		backends[i] = startBackend(b, "t").target()
	}
	port := freePort(b)
	cfg := func(v uint64) lb.Config {
		targets := backends
		if v%2 == 0 {
			targets = backends[1:]
		}
		return config(v, port, 0, targets...)
	}
	run := func(b *testing.B, apply func(context.Context, lb.Config) error) {
		ctx := context.Background()
		v := uint64(1)
		if err := apply(ctx, cfg(v)); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			v++
			if err := apply(ctx, cfg(v)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("direct", func(b *testing.B) {
		dp := lb.New(lb.Options{Host: "127.0.0.1", OnHealthChange: func(lb.HealthEvent) {}})
		defer dp.Close()
		run(b, dp.Apply)
	})
	b.Run("link", func(b *testing.B) {
		sock := socketPath(b)
		startNode(b, sock, testIdentity)
		c := connect(b, sock, ClientOptions{KeepAlive: time.Second})
		run(b, c.Apply)
	})
}
