// Command l4 measures Slipway's layer-4 data plane (internal/l4) beside HAProxy in
// TCP mode and nginx's stream module, in one run, all on 127.0.0.1 in front of the
// same echo server: connections per second (connect, 64 bytes echoed, close), the
// p50/p99 connect time of those connections (dial to first echoed byte, under that
// load), and throughput in MB/s through 1 MiB echoes on persistent connections.
// The proxies run one after another in each round, rounds interleaved, and the
// figure of each is the median over rounds; "direct" is the echo server without a
// proxy, the ceiling.
//
//	go run ./bench/l4                       # 3 rounds of 3 s per phase
//	go run ./bench/l4 -rounds 5 -duration 5s
//
// Needs haproxy, nginx and its stream module (Debian: apt-get install -y haproxy
// nginx libnginx-mod-stream). Every process it starts runs in the foreground in a
// temporary directory and is stopped before it exits.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/cpuload"
)

func main() {
	serveSlip := flag.Int("serve-slipway", 0, "internal: serve our data plane on this port")
	target := flag.String("target", "", "internal: the echo server's address")
	serveEchoAddr := flag.String("serve-echo", "", "internal: run the echo server on this address")
	rounds := flag.Int("rounds", 3, "rounds (each measures every proxy once)")
	duration := flag.Duration("duration", 3*time.Second, "length of each phase")
	conc := flag.Int("conc", 32, "concurrent clients of the connection-rate phase")
	streams := flag.Int("streams", 4, "connections of the throughput phase")
	basePort := flag.Int("port", 19400, "first of the 4 loopback ports used")
	cpuprofile := flag.String("cpuprofile", "", "write our data plane's CPU profile here (the last round's)")
	flag.Parse()
	var err error
	switch {
	case *serveEchoAddr != "":
		err = serveEcho(*serveEchoAddr)
	case *serveSlip != 0:
		err = serveSlipway(*serveSlip, *target, *cpuprofile)
	default:
		err = run(*rounds, *duration, *conc, *streams, *basePort, *cpuprofile)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/l4:", err)
		os.Exit(1)
	}
}

// result is one proxy's figures in one round.
type result struct {
	conn connResult
	mbps float64
	// CPU the proxy's processes used per connection (connection phase) and per
	// GB echoed (throughput phase); zero for direct.
	cpuPerConn, cpuPerGB time.Duration
}

func run(rounds int, d time.Duration, conc, streams, base int, cpuprofile string) error {
	if rounds < 1 || rounds > 20 || d <= 0 || d > time.Minute || conc < 1 || conc > 512 || streams < 1 || streams > 64 {
		return fmt.Errorf("bounds: rounds 1..20, duration up to 1m, conc 1..512, streams 1..64")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	haproxy, err := findBinary("haproxy")
	if err != nil {
		return err
	}
	nginx, err := findBinary("nginx")
	if err != nil {
		return err
	}
	module := "/usr/lib/nginx/modules/ngx_stream_module.so"
	if _, err := os.Stat(module); err != nil {
		return fmt.Errorf("nginx's stream module: %w (apt-get install -y libnginx-mod-stream)", err)
	}
	dir, err := os.MkdirTemp("", "bench-l4-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	echo := "127.0.0.1:" + strconv.Itoa(base)
	echoProc, err := startProcess(exec.Command(self, "-serve-echo", echo), base)
	if err != nil {
		return err
	}
	defer echoProc.stop()
	proxies := []proxy{
		{name: "direct", port: base},
		{name: "slipway", port: base + 1, start: slipwayProxy(self, cpuprofile)},
		{name: "haproxy", port: base + 2, start: haproxyProxy(haproxy)},
		{name: "nginx", port: base + 3, start: nginxProxy(nginx, module)},
	}
	fmt.Printf("bench/l4: %d rounds, %s per phase, %d clients connecting, %d streams of 1 MiB echoes\n", rounds, d, conc, streams)
	res := map[string][]result{}
	for round := 1; round <= rounds; round++ {
		for _, p := range proxies {
			r, err := measure(p, dir, echo, d, conc, streams)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			res[p.name] = append(res[p.name], r)
			fmt.Printf("  round %d %-8s %8.0f conn/s  p99 %8s  %5.0f MB/s  CPU %6s/conn %7s/GB  (failed %d, CPU not the load generator's: %s)\n",
				round, p.name, r.conn.perSec, r.conn.p99.Round(10*time.Microsecond), r.mbps,
				r.cpuPerConn.Round(time.Microsecond), r.cpuPerGB.Round(time.Millisecond), r.conn.failed, otherCPU)
		}
	}
	report(proxies, res)
	return nil
}

var otherCPU string // the last phase's foreign CPU share, for the per-round line

func measure(p proxy, dir, echo string, d time.Duration, conc, streams int) (result, error) {
	cpu := func() time.Duration { return 0 }
	if p.start != nil {
		c, err := p.start(dir, p.port, echo)
		if err != nil {
			return result{}, err
		}
		proc, err := startProcess(c, p.port)
		if err != nil {
			return result{}, err
		}
		defer proc.stop()
		cpu = func() time.Duration { return groupCPU(proc.cmd.Process.Pid) }
	}
	addr := "127.0.0.1:" + strconv.Itoa(p.port)
	if err := ready(addr); err != nil {
		return result{}, fmt.Errorf("not relaying: %w", err)
	}
	connectLoop(addr, conc, d/4) // warm-up, not recorded
	s0 := cpuload.Take()
	c0 := cpu()
	cr := connectLoop(addr, conc, d)
	c1 := cpu()
	mbps, err := throughput(addr, streams, d)
	c2 := cpu()
	otherCPU = fmt.Sprintf("%.0f%%", 100*cpuload.ForeignShare(s0, cpuload.Take()))
	if err != nil {
		return result{}, fmt.Errorf("throughput: %w", err)
	}
	r := result{conn: cr, mbps: mbps}
	if n := cr.perSec * d.Seconds(); n > 0 {
		r.cpuPerConn = time.Duration(float64(c1-c0) / n)
	}
	if gb := mbps * d.Seconds() / 1000; gb > 0 {
		r.cpuPerGB = time.Duration(float64(c2-c1) / gb)
	}
	return r, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func report(proxies []proxy, res map[string][]result) {
	type fig struct{ cps, p50, p99, mbps, cpuConn, cpuGB float64 }
	figs := map[string]fig{}
	for _, p := range proxies {
		var cps, p50, p99, mbps, cpuConn, cpuGB []float64
		for _, r := range res[p.name] {
			cps = append(cps, r.conn.perSec)
			p50 = append(p50, float64(r.conn.p50))
			p99 = append(p99, float64(r.conn.p99))
			mbps = append(mbps, r.mbps)
			cpuConn = append(cpuConn, float64(r.cpuPerConn))
			cpuGB = append(cpuGB, float64(r.cpuPerGB))
		}
		figs[p.name] = fig{median(cps), median(p50), median(p99), median(mbps), median(cpuConn), median(cpuGB)}
	}
	h := figs["haproxy"]
	fmt.Println()
	fmt.Println("medians over rounds  conn/s  connect p50  connect p99   MB/s  proxy CPU/conn  proxy CPU/GB  conn/s vs haproxy  MB/s vs haproxy")
	for _, p := range proxies {
		f := figs[p.name]
		fmt.Printf("%-16s %10.0f %12s %12s %6.0f %15s %13s %17.2fx %15.2fx\n", p.name, f.cps,
			time.Duration(f.p50).Round(time.Microsecond), time.Duration(f.p99).Round(time.Microsecond), f.mbps,
			time.Duration(f.cpuConn).Round(time.Microsecond), time.Duration(f.cpuGB).Round(time.Millisecond), f.cps/h.cps, f.mbps/h.mbps)
	}
	s := figs["slipway"]
	verdict := "meets"
	if s.cps < 0.9*h.cps || s.mbps < 0.9*h.mbps {
		verdict = "misses"
	}
	fmt.Printf("\nverdict: slipway %s the goal of 0.9x HAProxy (conn/s %.2fx, MB/s %.2fx, p99 connect %.2fx, CPU per connection %.2fx and per GB %.2fx HAProxy's)\n",
		verdict, s.cps/h.cps, s.mbps/h.mbps, s.p99/h.p99, s.cpuConn/h.cpuConn, s.cpuGB/h.cpuGB)
}
