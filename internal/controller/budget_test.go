package controller

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// A service far larger than one pass's budget scales in batches: no pass
// starts or stops more than maxTaskWritesPerPass tasks, each pass goes on
// where the last one stopped, and the service gets there.
func TestLargeServiceScalesInBoundedBatches(t *testing.T) {
	w := newWorld(t, false)
	td := w.registerTD("talk", 1, false)
	const n = 3*maxTaskWritesPerPass + 50
	w.createService("talk", td, n, model.DeploymentConfiguration{}, nil)
	for running := 0; running < n; {
		w.step() // one pass, then the simulated agent runs what it started
		now := w.running(td)
		if want := min(running+maxTaskWritesPerPass, n); now != want {
			t.Fatalf("one pass took the service from %d to %d running tasks, want %d", running, now, want)
		}
		running = now
	}
	for _, e := range w.service("talk").Events {
		if len(e.Message) > 600 {
			t.Fatalf("an event lists more than %d tasks: %s", maxIDsPerEvent, e.Message)
		}
	}
	w.updateService("talk", func(_ state.Tx, s *model.Service) error {
		s.DesiredCount, s.Deployments[0].DesiredCount = 0, 0
		return nil
	})
	for running := n; running > 0; {
		w.step()
		now := w.running(td)
		if want := max(running-maxTaskWritesPerPass, 0); now != want {
			t.Fatalf("one pass took the service from %d to %d running tasks, want %d", running, now, want)
		}
		running = now
	}
}

// steady5000 is a world with a steady service of ECS's maximum size.
func steady5000(b *testing.B) (*world, string) {
	w := newWorld(b, false)
	td := w.registerTD("talk", 1, false)
	w.createService("talk", td, model.MaxTasksPerService, model.DeploymentConfiguration{}, nil)
	for range 1000 {
		w.step()
		w.advance(time.Second)
		if w.completed("talk", td) {
			return w, td
		}
	}
	b.Fatal("the service did not complete its deployment")
	return nil, ""
}

// cpuTime is the CPU time this process has used. On the shared machine,
// a benchmark reports it per operation beside the wall time, which other
// processes' load inflates.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPassSteady5000 is one controller pass over a steady service of
// 5,000 tasks: the write transaction every other write may wait behind.
func BenchmarkPassSteady5000(b *testing.B) {
	w, _ := steady5000(b)
	start, n := cpuTime(), 0
	for b.Loop() {
		if err := w.c.ReconcileOnce(context.Background()); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n)/1e6, "cpu-ms/op")
}

// BenchmarkPassScaling5000 is a pass that starts a full batch beside 5,000
// running tasks, the longest pass of a scale-up.
func BenchmarkPassScaling5000(b *testing.B) {
	w, _ := steady5000(b)
	desired := model.MaxTasksPerService
	var cpu time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		desired += maxTaskWritesPerPass
		w.updateService("talk", func(_ state.Tx, s *model.Service) error {
			s.DesiredCount, s.Deployments[0].DesiredCount = desired, desired
			return nil
		})
		b.StartTimer()
		start := cpuTime()
		if err := w.c.ReconcileOnce(context.Background()); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - start
		n++
	}
	b.ReportMetric(float64(cpu)/float64(n)/1e6, "cpu-ms/op")
}
