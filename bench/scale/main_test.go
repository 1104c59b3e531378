package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestScaleRunsEveryPhase runs a small scale: every phase completes, every
// write succeeds and the table reports them. Its latencies are not judged:
// a test is no benchmark (see docs/benchmarks.md for the full run).
func TestScaleRunsEveryPhase(t *testing.T) {
	o := options{tasks: 250, rate: 50, clients: 5, idle: 200 * time.Millisecond, bound: time.Hour, timeout: 2 * time.Minute}
	r, err := run(context.Background(), o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.phases) != 3 {
		t.Fatalf("%d phases, want idle, scale up and scale down", len(r.phases))
	}
	for _, p := range r.phases {
		if p.writes == 0 || p.failed != 0 || p.p50 > p.p99 || p.p99 > p.max {
			t.Fatalf("%s: %d writes, %d failed (%v), figures %+v", p.name, p.writes, p.failed, p.firstErr, p.figures)
		}
	}
	var out bytes.Buffer
	if !r.print(&out, o.bound) || !strings.Contains(out.String(), "scale to 0, every task STOPPED") {
		t.Fatalf("table:\n%s", out.String())
	}
}
