package main

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/slipway-dev/slipway/internal/lbnode"
	"github.com/slipway-dev/slipway/internal/runtime/process"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestMain lets the test binary serve as the process runtime's shim, which
// the fixture's tasks run under.
func TestMain(m *testing.M) {
	if testutil.IsShim() {
		os.Exit(process.ShimMain(os.Args[1:]))
	}
	if len(os.Args) > 1 && os.Args[1] == lbnode.Arg { // the default data plane command
		os.Exit(lbnode.Main(os.Args[1:]))
	}
	code := m.Run()
	if shared != nil {
		shared.close()
	}
	os.Exit(code)
}

// shared is the benchmarks' fixture: Go runs a benchmark function several
// times to find b.N, and building the service each time would dominate.
var shared *fixture

func sharedFixture(b *testing.B) *fixture {
	if shared == nil {
		shim, env := testutil.ShimCommand()
		f, err := startFixture(context.Background(), fixtureOptions{shim: shim, shimEnv: env, logLevel: slog.LevelError})
		if err != nil {
			b.Fatal(err)
		}
		shared = f
	}
	return shared
}

// TestBenchmarkMeasuresBothOperations runs a short benchmark with signing
// on: every request succeeds, each operation is measured, and the figures
// are consistent.
func TestBenchmarkMeasuresBothOperations(t *testing.T) {
	shim, env := testutil.ShimCommand()
	o := benchOptions{load: loadOptions{clients: 4, requests: 100}, signed: true}
	results, err := runBenchmark(context.Background(), o, shim, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 {
		t.Fatalf("%d results, want DescribeServices and RegisterTaskDefinition", len(results))
	}
	for _, r := range results {
		if r.failed != 0 || r.ok != 100 {
			t.Fatalf("%s: %d ok, %d failed (%v); want 100 ok", r.name, r.ok, r.failed, r.firstErr)
		}
		if r.p50 <= 0 || r.p50 > r.p99 || r.p99 > r.max || r.throughput() <= 0 {
			t.Fatalf("%s: inconsistent figures %+v", r.name, r)
		}
	}
}

// BenchmarkDescribeServices and BenchmarkRegisterTaskDefinition run b.N
// calls from 50 clients and report latency percentiles beside ns/op
// (which is wall time per call at that concurrency).
func BenchmarkDescribeServices(b *testing.B) { benchmarkOperation(b, describeServices) }

func BenchmarkRegisterTaskDefinition(b *testing.B) { benchmarkOperation(b, registerTaskDefinition) }

func benchmarkOperation(b *testing.B, op operation) {
	f := sharedFixture(b)
	b.ResetTimer()
	r := runLoad(f.url(), op, loadOptions{clients: 50, requests: b.N})
	b.StopTimer()
	if r.failed > 0 {
		b.Fatalf("%d calls failed: %v", r.failed, r.firstErr)
	}
	b.ReportMetric(float64(r.p50)/1e6, "p50-ms")
	b.ReportMetric(float64(r.p99)/1e6, "p99-ms")
}
