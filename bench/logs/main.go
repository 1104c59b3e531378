// Command logs measures log ingestion beside load-balancer traffic: an embedded
// server runs a service of talk-service tasks behind a Slipway listener, which a
// load generator (wrk when on PATH, else a Go client) drives at full speed, and a
// chatty container (bench/logs/chatty) whose -rate lines/s the awslogs driver
// ships into the CloudWatch Logs store. Each round measures the listener's
// requests/s in two windows seconds apart, one with the chatty container paused
// (SIGSTOP) and one with it writing, in alternating order; it prints both, the
// throughput lost, the lines/s that reached the store and the CPU that shipping
// took, and the medians over the rounds.
//
//	go run ./bench/logs                       # 60000 lines/s, 10 rounds of 2 x 3 s
//	go run ./bench/logs -rate 100000 -rounds 4 -duration 10s
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/internal/lbnode"
	"github.com/slipway-dev/slipway/internal/runtime/process"
)

type settings struct {
	rate     int
	duration time.Duration
	rounds   int
	conns    int
	backends int
	useWrk   string
	profile  string
}

func main() {
	// This binary is also the process runtime's shim and the data plane's process.
	if len(os.Args) > 1 && os.Args[1] == process.ShimArg {
		os.Exit(process.ShimMain(os.Args[1:]))
	}
	if len(os.Args) > 1 && os.Args[1] == lbnode.Arg {
		os.Exit(lbnode.Main(os.Args[1:]))
	}
	var s settings
	flag.IntVar(&s.rate, "rate", 60000, "lines per second the chatty container writes")
	flag.DurationVar(&s.duration, "duration", 3*time.Second, "length of each window")
	flag.IntVar(&s.rounds, "rounds", 10, "rounds (each: a window of traffic alone and one beside the chatty container)")
	flag.IntVar(&s.conns, "conns", 64, "load generator connections")
	flag.IntVar(&s.backends, "backends", 2, "talk-service tasks behind the listener")
	flag.StringVar(&s.useWrk, "wrk", "auto", "load generator: auto (wrk when on PATH), wrk, or go")
	flag.StringVar(&s.profile, "cpuprofile", "", "write a CPU profile of the server (this process) during the last measurement beside the chatty container")
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
	// CPU (cores) used while measuring beside: by the server process (agent,
	// shippers, log store, API), the chatty container and its shim.
	server, chatty, shim float64
}

// run measures rounds of two windows, traffic alone and traffic beside the
// chatty container, in alternating order. The chatty container runs throughout
// and is paused (SIGSTOP) for the windows alone, so that the two windows of a
// round are seconds apart and what else runs on the machine weighs on both alike.
func run(ctx context.Context, s settings) error {
	e, err := newEnv(ctx, s, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer e.close()
	if err := e.scaleChatty(ctx, 1); err != nil {
		return err
	}
	stream, err := e.chattyStream(ctx)
	if err != nil {
		return err
	}
	chattyPID, shimPID := pidOf(e.chatty)
	if chattyPID == 0 {
		return fmt.Errorf("chatty container's process not found")
	}
	defer syscall.Kill(chattyPID, syscall.SIGCONT)
	gen := pickLoad(s)
	fmt.Printf("load: %s, %d connections, %s per window; chatty container: %d lines/s of ~100 bytes; %d talk-service tasks\n",
		gen.name(), s.conns, s.duration, s.rate, s.backends)
	var results []roundResult
	for round := 1; round <= s.rounds; round++ {
		var r roundResult
		alone := func() error {
			if err := syscall.Kill(chattyPID, syscall.SIGSTOP); err != nil {
				return err
			}
			time.Sleep(500 * time.Millisecond) // the shipper drains what was written
			r.alone, err = gen.measure(ctx, e.url, s.duration)
			return err
		}
		beside := func() error {
			if err := syscall.Kill(chattyPID, syscall.SIGCONT); err != nil {
				return err
			}
			time.Sleep(500 * time.Millisecond)
			seq0, _, err := e.newestSeq(ctx, stream)
			if err != nil {
				return err
			}
			self0, chatty0, shim0 := procCPU(os.Getpid()), procCPU(chattyPID), procCPU(shimPID)
			t0 := time.Now()
			stopProfile := startProfile(s.profile, round == s.rounds)
			r.beside, err = gen.measure(ctx, e.url, s.duration)
			stopProfile()
			if err != nil {
				return err
			}
			seq1, newest, err := e.newestSeq(ctx, stream)
			if err != nil {
				return err
			}
			elapsed := time.Since(t0).Seconds()
			r.server = (procCPU(os.Getpid()) - self0).Seconds() / elapsed
			r.chatty = (procCPU(chattyPID) - chatty0).Seconds() / elapsed
			r.shim = (procCPU(shimPID) - shim0).Seconds() / elapsed
			r.lines, r.behind = float64(seq1-seq0)/elapsed, time.Since(newest)
			return nil
		}
		first, second := alone, beside
		if round%2 == 0 {
			first, second = beside, alone
		}
		if err := first(); err != nil {
			return err
		}
		if err := second(); err != nil {
			return err
		}
		fmt.Printf("round %d: alone %.0f req/s; beside the chatty container %.0f req/s (loss %.1f%%) while %.0f lines/s were stored, the newest %s behind; CPU (cores): server %.2f, chatty %.2f, its shim %.2f\n",
			round, r.alone, r.beside, 100*(1-r.beside/r.alone), r.lines, r.behind.Round(time.Millisecond), r.server, r.chatty, r.shim)
		results = append(results, r)
	}
	loss := median(results, func(r roundResult) float64 { return 1 - r.beside/r.alone })
	fmt.Printf("median of %d rounds: %.0f req/s alone, %.0f req/s beside %.0f lines/s ingested; throughput loss %.1f%% (median of the rounds' losses); goals: >= 50000 lines/s, < 5%%\n",
		len(results), median(results, func(r roundResult) float64 { return r.alone }),
		median(results, func(r roundResult) float64 { return r.beside }), median(results, func(r roundResult) float64 { return r.lines }), 100*loss)
	fmt.Printf("ingestion's CPU (median, cores): server %.3f, shim %.3f (and the chatty container itself %.3f)\n",
		median(results, func(r roundResult) float64 { return r.server }), median(results, func(r roundResult) float64 { return r.shim }),
		median(results, func(r roundResult) float64 { return r.chatty }))
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

// startProfile starts a CPU profile into path when on; the returned function stops it.
func startProfile(path string, on bool) func() {
	if path == "" || !on {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/logs:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench/logs:", err)
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
