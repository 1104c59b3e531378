// Command logs measures log ingestion beside load-balancer traffic: an embedded
// server runs a service of talk-service tasks behind a Slipway listener, which a
// load generator (wrk when on PATH, else a Go client) drives at full speed, and
// two chatty containers (bench/logs/chatty, -rate lines/s each): one with the
// awslogs driver, whose output is shipped into the CloudWatch Logs store, and one
// whose output stays in its log files. Each round measures the listener's
// requests/s in three windows seconds apart, in rotating order: with both paused
// (SIGSTOP), beside the files-only one, and beside the shipped one; it prints
// the three, the throughput lost beside each, the lines/s that reached the store
// and the CPU that shipping took, then the medians over the rounds.
//
//	go run ./bench/logs                       # 60000 lines/s, 10 rounds of 3 x 3 s
//	go run ./bench/logs -rate 100000 -rounds 4 -duration 10s
package main

import (
	"context"
	"errors"
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
	flag.IntVar(&s.rate, "rate", 60000, "lines per second each chatty container writes")
	flag.DurationVar(&s.duration, "duration", 3*time.Second, "length of each window")
	flag.IntVar(&s.rounds, "rounds", 10, "rounds (each: a window quiet, one beside each chatty container)")
	flag.IntVar(&s.conns, "conns", 64, "load generator connections")
	flag.IntVar(&s.backends, "backends", 2, "talk-service tasks behind the listener")
	flag.StringVar(&s.useWrk, "wrk", "auto", "load generator: auto (wrk when on PATH), wrk, or go")
	flag.StringVar(&s.profile, "cpuprofile", "", "write a CPU profile of the server (this process) during the last window beside the shipped chatty container")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, s); err != nil {
		fmt.Fprintln(os.Stderr, "bench/logs:", err)
		os.Exit(1)
	}
}

type roundResult struct {
	alone, files, shipped float64 // requests/s
	lines                 float64 // lines/s stored while measuring shipped
	behind                time.Duration
	// CPU (cores) used while measuring shipped: by the server process (agent,
	// shippers, log store, API), the chatty container and its shim.
	server, chatty, shim float64
}

// window is one measurement: which chatty container writes meanwhile.
type window int

const (
	quiet   window = iota // both paused
	files                 // the one whose output stays in its files
	shipped               // the one with the awslogs driver
)

// run measures rounds of three windows seconds apart, in rotating order: traffic
// with both chatty containers paused (SIGSTOP), beside the one whose output only
// goes to its log files, and beside the one whose output the awslogs driver ships.
// The second tells what a chatty container costs on any runtime, the third what
// shipping adds to it; what else runs on the machine weighs on all three alike.
func run(ctx context.Context, s settings) error {
	e, err := newEnv(ctx, s, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer e.close()
	stream, err := e.chattyStream(ctx)
	if err != nil {
		return err
	}
	shippedPID, shimPID := pidOf(e.chatty)
	filesPID, _ := pidOf(e.chattyFiles)
	if shippedPID == 0 || filesPID == 0 {
		return fmt.Errorf("the chatty containers' processes were not found")
	}
	defer syscall.Kill(shippedPID, syscall.SIGCONT)
	defer syscall.Kill(filesPID, syscall.SIGCONT)
	gen := pickLoad(s)
	fmt.Printf("load: %s, %d connections, %s per window; chatty containers: %d lines/s of ~100 bytes each; %d talk-service tasks\n",
		gen.name(), s.conns, s.duration, s.rate, s.backends)
	var results []roundResult
	for round := 1; round <= s.rounds; round++ {
		var r roundResult
		for k := range 3 {
			w := window((round + k) % 3)
			if err := e.measureWindow(ctx, s, gen, w, stream, shippedPID, filesPID, shimPID, round == s.rounds, &r); err != nil {
				return err
			}
		}
		fmt.Printf("round %2d: %6.0f req/s quiet, %6.0f beside the files-only container (%5.1f%%), %6.0f beside the shipped one (%5.1f%%; %5.1f%% more than files-only); %.0f lines/s stored, the newest %s behind; CPU (cores): server %.3f, shim %.3f, chatty %.3f\n",
			round, r.alone, r.files, 100*(1-r.files/r.alone), r.shipped, 100*(1-r.shipped/r.alone), 100*(1-r.shipped/r.files),
			r.lines, r.behind.Round(time.Millisecond), r.server, r.shim, r.chatty)
		results = append(results, r)
	}
	m := func(f func(roundResult) float64) float64 { return median(results, f) }
	fmt.Printf("median of %d rounds: %.0f req/s quiet, %.0f beside the files-only chatty container, %.0f beside the shipped one while %.0f lines/s were ingested (goal >= 50000)\n",
		len(results), m(func(r roundResult) float64 { return r.alone }), m(func(r roundResult) float64 { return r.files }),
		m(func(r roundResult) float64 { return r.shipped }), m(func(r roundResult) float64 { return r.lines }))
	fmt.Printf("throughput loss (medians of the rounds'): %.1f%% beside the shipped container, of which its shipping %.1f%% (beside the files-only one %.1f%%); goal < 5%%\n",
		100*m(func(r roundResult) float64 { return 1 - r.shipped/r.alone }), 100*m(func(r roundResult) float64 { return 1 - r.shipped/r.files }),
		100*m(func(r roundResult) float64 { return 1 - r.files/r.alone }))
	fmt.Printf("shipping's CPU (median, cores): server %.3f, shim %.3f (and the chatty container itself %.3f)\n",
		m(func(r roundResult) float64 { return r.server }), m(func(r roundResult) float64 { return r.shim }), m(func(r roundResult) float64 { return r.chatty }))
	used, bound := e.srv.LogsUsage()
	fmt.Printf("log store: %d MiB on disk of its %d MiB bound\n", used>>20, bound>>20)
	return nil
}

// measureWindow runs one window w of a round into r.
func (e *env) measureWindow(ctx context.Context, s settings, gen load, w window, stream string, shippedPID, filesPID, shimPID int, profile bool, r *roundResult) error {
	pause := func(pid int, paused bool) error {
		sig := syscall.SIGCONT
		if paused {
			sig = syscall.SIGSTOP
		}
		return syscall.Kill(pid, sig)
	}
	if err := errors.Join(pause(shippedPID, w != shipped), pause(filesPID, w != files)); err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond) // the shipper drains or gets going
	if w != shipped {
		rate, err := gen.measure(ctx, e.url, s.duration)
		if w == quiet {
			r.alone = rate
		} else {
			r.files = rate
		}
		return err
	}
	seq0, _, err := e.newestSeq(ctx, stream)
	if err != nil {
		return err
	}
	self0, chatty0, shim0 := procCPU(os.Getpid()), procCPU(shippedPID), procCPU(shimPID)
	t0 := time.Now()
	stop := startProfile(s.profile, profile)
	r.shipped, err = gen.measure(ctx, e.url, s.duration)
	stop()
	if err != nil {
		return err
	}
	seq1, newest, err := e.newestSeq(ctx, stream)
	if err != nil {
		return err
	}
	elapsed := time.Since(t0).Seconds()
	r.server = (procCPU(os.Getpid()) - self0).Seconds() / elapsed
	r.chatty = (procCPU(shippedPID) - chatty0).Seconds() / elapsed
	r.shim = (procCPU(shimPID) - shim0).Seconds() / elapsed
	r.lines, r.behind = float64(seq1-seq0)/elapsed, time.Since(newest)
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
