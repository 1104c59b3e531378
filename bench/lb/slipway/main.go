// Command slipway-lb-bench runs a Slipway load-balancer data plane with one HTTP
// listener forwarding to one backend, for bench/lb.sh.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
)

func main() {
	port := flag.Int("port", 18081, "listener port on 127.0.0.1")
	backend := flag.String("backend", "127.0.0.1:18080", "backend host:port")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here until SIGINT/SIGTERM")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	host, p, err := net.SplitHostPort(*backend)
	if err != nil {
		log.Fatal(err)
	}
	bport, _ := strconv.Atoi(p)
	d := lb.New(lb.Options{Host: "127.0.0.1", Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	cfg := lb.Config{
		Version: 1,
		Listeners: []lb.Listener{{
			ARN: "bench-listener", Port: *port, Protocol: "HTTP",
			DefaultActions: []lb.Action{{Type: "forward", Forward: []lb.WeightedTargetGroup{{ARN: "bench-tg", Weight: 1}}}},
		}},
		TargetGroups: []lb.TargetGroup{{
			ARN: "bench-tg", Name: "bench", Protocol: "HTTP", Port: bport,
			HealthCheck: lb.HealthCheck{Enabled: true, Path: "/", Interval: 5 * time.Second, Timeout: 2 * time.Second,
				HealthyThreshold: 2, UnhealthyThreshold: 2, Matcher: "200"},
			Targets: []lb.Target{{ID: host, Host: host, Port: bport, Revision: "bench:1"}},
		}},
	}
	if err := d.Apply(context.Background(), cfg); err != nil {
		log.Fatal(err)
	}
	// Targets get traffic only once healthy: wait for the first passing check.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if th := d.TargetHealth("bench-tg"); len(th) == 1 && th[0].State == lb.StateHealthy {
			break
		}
		if time.Now().After(deadline) {
			log.Fatalf("backend not healthy: %+v", d.TargetHealth("bench-tg"))
		}
	}
	log.Printf("listening on 127.0.0.1:%d, forwarding to %s", *port, *backend)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	s := d.Stats().TargetGroups["bench-tg"].Total
	log.Printf("served %d requests, 5xx %d, p50 %v p99 %v", s.Requests, s.Status5xx, s.Latency.P50(), s.Latency.P99())
	logSchedLatency()
	d.Close()
}

// logSchedLatency reports how long runnable goroutines waited for a processor: a
// diagnostic for tail latency that comes from scheduling rather than from the proxy.
func logSchedLatency() {
	sample := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindFloat64Histogram {
		return
	}
	h := sample[0].Value.Float64Histogram()
	var total uint64
	for _, c := range h.Counts {
		total += c
	}
	quantile := func(q float64) float64 {
		var seen uint64
		for i, c := range h.Counts {
			seen += c
			if float64(seen) >= q*float64(total) {
				return h.Buckets[i+1]
			}
		}
		return h.Buckets[len(h.Buckets)-1]
	}
	log.Printf("goroutine scheduling latency: p50 <= %.1fµs, p99 <= %.1fµs, p99.9 <= %.1fµs",
		quantile(0.5)*1e6, quantile(0.99)*1e6, quantile(0.999)*1e6)
}
