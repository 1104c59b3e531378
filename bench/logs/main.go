// Command logs measures log ingestion beside load-balancer traffic: an embedded
// server runs a service of talk-service tasks behind a Slipway listener, which a
// load generator (wrk when on PATH, else a Go client) drives at full speed. Each
// round measures the listener's requests/s alone, then again while a chatty
// container (bench/logs/chatty) writes -rate lines/s that the awslogs driver
// ships into the CloudWatch Logs store; it prints both figures, the throughput
// lost, and the lines/s that reached the store.
//
//	go run ./bench/logs                       # 60000 lines/s, 3 rounds of 10 s
//	go run ./bench/logs -rate 100000 -rounds 1
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"time"
)

type settings struct {
	rate     int
	duration time.Duration
	rounds   int
	conns    int
	backends int
	useWrk   string
}

func main() {
	var s settings
	flag.IntVar(&s.rate, "rate", 60000, "lines per second the chatty container writes")
	flag.DurationVar(&s.duration, "duration", 10*time.Second, "length of each measurement")
	flag.IntVar(&s.rounds, "rounds", 3, "rounds (each: traffic alone, then traffic beside the chatty container)")
	flag.IntVar(&s.conns, "conns", 64, "load generator connections")
	flag.IntVar(&s.backends, "backends", 2, "talk-service tasks behind the listener")
	flag.StringVar(&s.useWrk, "wrk", "auto", "load generator: auto (wrk when on PATH), wrk, or go")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, s); err != nil {
		fmt.Fprintln(os.Stderr, "bench/logs:", err)
		os.Exit(1)
	}
}

type roundResult struct {
	alone, beside float64 // requests/s
	lines         float64 // lines/s stored while measuring beside
	behind        time.Duration
	cpuAlone      float64
	cpuBeside     float64
}

func run(ctx context.Context, s settings) error {
	e, err := newEnv(ctx, s, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer e.close()
	gen := pickLoad(s)
	fmt.Printf("load: %s, %d connections, %s per measurement; chatty container: %d lines/s of ~100 bytes; %d talk-service tasks\n",
		gen.name(), s.conns, s.duration, s.rate, s.backends)
	var results []roundResult
	for round := 1; round <= s.rounds; round++ {
		var r roundResult
		if err := e.scaleChatty(ctx, 0); err != nil {
			return err
		}
		cpu0 := sampleBusy()
		if r.alone, err = gen.measure(ctx, e.url, s.duration); err != nil {
			return err
		}
		r.cpuAlone = busyShare(cpu0, sampleBusy())
		if err := e.scaleChatty(ctx, 1); err != nil {
			return err
		}
		stream, err := e.chattyStream(ctx)
		if err != nil {
			return err
		}
		time.Sleep(2 * time.Second) // ingestion at its pace
		seq0, _, err := e.newestSeq(ctx, stream)
		if err != nil {
			return err
		}
		cpu0, t0 := sampleBusy(), time.Now()
		if r.beside, err = gen.measure(ctx, e.url, s.duration); err != nil {
			return err
		}
		seq1, newest, err := e.newestSeq(ctx, stream)
		elapsed := time.Since(t0)
		r.cpuBeside = busyShare(cpu0, sampleBusy())
		if err != nil {
			return err
		}
		r.lines = float64(seq1-seq0) / elapsed.Seconds()
		r.behind = time.Since(newest)
		fmt.Printf("round %d: alone %.0f req/s (CPU %.0f%%); beside the chatty container %.0f req/s (CPU %.0f%%), loss %.1f%%; %.0f lines/s stored, newest %s behind\n",
			round, r.alone, 100*r.cpuAlone, r.beside, 100*r.cpuBeside, 100*(1-r.beside/r.alone), r.lines, r.behind.Round(time.Millisecond))
		results = append(results, r)
	}
	alone := median(results, func(r roundResult) float64 { return r.alone })
	beside := median(results, func(r roundResult) float64 { return r.beside })
	lines := median(results, func(r roundResult) float64 { return r.lines })
	fmt.Printf("median of %d rounds: %.0f req/s alone, %.0f req/s beside %.0f lines/s ingested: throughput loss %.1f%% (goals: >= 50000 lines/s, < 5%%)\n",
		len(results), alone, beside, lines, 100*(1-beside/alone))
	used, bound := e.srv.LogsUsage()
	fmt.Printf("log store: %d MiB on disk of its %d MiB bound\n", used>>20, bound>>20)
	return nil
}

func median(rs []roundResult, f func(roundResult) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}
