package docker_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/runtime/docker"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// usageOf picks the named container's sample.
func usageOf(t *testing.T, rt *docker.Runtime, task string) (runtime.ContainerUsage, bool) {
	t.Helper()
	all, err := rt.Usage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range all {
		if u.TaskARN == task {
			return u, true
		}
	}
	return runtime.ContainerUsage{}, false
}

// TestUsageOfABurningContainer measures a container that keeps a CPU busy
// beside one that sleeps: the burner's CPU time grows by a good share of a
// CPU per second of wall time, the sleeper's hardly at all, and the
// engine's own stats agree with the cgroup's figures.
func TestUsageOfABurningContainer(t *testing.T) {
	e := newEnv(t)
	burnSpec, idleSpec := e.spec("burn", "burn"), e.spec("idle", "sleep")
	// Weighed as the machine's other processes (no cpu would be 2 shares,
	// which gets next to nothing beside a busy machine's other work).
	burnSpec.Resources = runtime.Resources{CPUUnits: 1024, MemoryMiB: 64}
	idleSpec.Resources.CPUUnits = 1024
	burner, idle := e.start(burnSpec), e.start(idleSpec)
	if !docker.MeasuredByCgroup(burner) {
		t.Error("the container is measured through the engine although its cgroup is on this machine")
	}
	b0, ok := usageOf(t, e.rt, burnSpec.TaskARN)
	i0, ok2 := usageOf(t, e.rt, idleSpec.TaskARN)
	if !ok || !ok2 || b0.ContainerName != "burn" || b0.MemoryLimitBytes != 64<<20 || i0.MemoryBytes == 0 {
		t.Fatalf("first samples: burner %+v (%v), idle %+v (%v)", b0, ok, i0, ok2)
	}
	start := time.Now()
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		b, _ := usageOf(t, e.rt, burnSpec.TaskARN)
		i, _ := usageOf(t, e.rt, idleSpec.TaskARN)
		wall := time.Since(start)
		burnShare := float64(b.CPUTime-b0.CPUTime) / float64(wall)
		idleShare := float64(i.CPUTime-i0.CPUTime) / float64(wall)
		// Other work may share the two CPUs; a busy loop still gets a
		// part of one, an idle process next to nothing.
		return wall > 2*time.Second && burnShare > 0.1 && idleShare < 0.02,
			fmt.Sprintf("over %s: burner %.2f CPU, idle %.3f CPU", wall.Round(time.Millisecond), burnShare, idleShare)
	})
	viaCgroup, err := burner.(runtime.UsageSampler).Usage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	viaEngine, err := docker.UsageFromEngine(context.Background(), burner)
	if err != nil {
		t.Fatal(err)
	}
	if viaEngine.CPUTime < viaCgroup.CPUTime || viaEngine.CPUTime > viaCgroup.CPUTime+5*time.Second || viaEngine.MemoryBytes == 0 {
		t.Errorf("engine's sample %+v disagrees with the cgroup's %+v", viaEngine, viaCgroup)
	}
	if err := idle.Kill(); err != nil {
		t.Fatal(err)
	}
	waitExit(t, idle, 30*time.Second)
	if u, ok := usageOf(t, e.rt, idleSpec.TaskARN); ok {
		t.Errorf("an exited container is still measured: %+v", u)
	}
	if _, err := idle.(runtime.UsageSampler).Usage(context.Background()); err == nil {
		t.Error("an exited container's own sample did not fail")
	}
}

// BenchmarkUsageSample compares the two ways of measuring one running
// container: its cgroup files (what Usage does) and the engine's stats API
// (the fallback when the cgroup cannot be read). The recorder samples
// every task every 10 s through Usage; with one container running, the
// figure is what a one-container task costs per sample.
func BenchmarkUsageSample(b *testing.B) {
	e := newEnv(b)
	h := e.start(e.spec("idle", "sleep"))
	ctx := context.Background()
	b.Run("cgroup", func(b *testing.B) {
		for b.Loop() {
			if u, err := e.rt.Usage(ctx); err != nil || len(u) != 1 {
				b.Fatal(u, err)
			}
		}
	})
	b.Run("engine", func(b *testing.B) {
		for b.Loop() {
			if _, err := docker.UsageFromEngine(ctx, h); err != nil {
				b.Fatal(err)
			}
		}
	})
}
