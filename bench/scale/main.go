// Command scale measures what a service of ECS's maximum size costs the
// rest of the control plane: it creates a service of 5,000 tasks, waits
// until all of them run, scales it to 0 and waits until all of them
// stopped, while other clients send durable writes at a fixed rate. It
// prints the writes' latency while idle, while scaling up and while
// scaling down, and exits 1 when their p99 while scaling exceeds -bound.
//
//	go run ./bench/scale [-tasks 5000] [-rate 100] [-clients 4] [-bound 100ms]
//
// The tasks run on the real agent (runners, reports, the start limit) over
// a runtime that does not fork (see memRuntime): the figure is the control
// plane's, not the machine's fork rate.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/bench/internal/cpuload"
	"github.com/slipway-dev/slipway/internal/model"
)

type options struct {
	tasks   int
	rate    float64
	clients int
	idle    time.Duration
	bound   time.Duration
	timeout time.Duration
}

func main() {
	var o options
	flag.IntVar(&o.tasks, "tasks", model.MaxTasksPerService, "desired count of the scaled service")
	flag.Float64Var(&o.rate, "rate", 100, "other writes per second, in total")
	flag.IntVar(&o.clients, "clients", 20, "clients sending the other writes")
	flag.DurationVar(&o.idle, "idle", 5*time.Second, "how long to measure the other writes before scaling")
	flag.DurationVar(&o.bound, "bound", 100*time.Millisecond, "largest p99 of the other writes while scaling")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up when scaling takes longer")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/scale:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	r, err := run(context.Background(), o, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	pprof.StopCPUProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/scale:", err)
		os.Exit(1)
	}
	fmt.Printf("Slipway control plane scaling a service to %d tasks and back to 0 (memory runtime, real agent), "+
		"other writes: RegisterTaskDefinition at %.0f/s from %d clients; GOMAXPROCS %d, %s\n",
		o.tasks, o.rate, o.clients, runtime.GOMAXPROCS(0), runtime.Version())
	if !r.print(os.Stdout, o.bound) {
		os.Exit(1)
	}
}

// report is one run's phases and the other writes' figures in each.
type report struct {
	phases []phase
}

type phase struct {
	window
	figures
	scaling    bool
	foreignCPU float64       // share of the machine other processes took (-1: unknown)
	selfCPU    time.Duration // CPU time the control plane used (-1: unknown)
	updates    int64         // store Updates (every write: reports, passes, the other writes)
}

// run measures the idle baseline, the scale-up and the scale-down.
func run(ctx context.Context, o options, logger *slog.Logger) (*report, error) {
	e, err := startEnv(ctx, logger)
	if err != nil {
		return nil, err
	}
	defer e.close()
	c := e.client()
	if _, err := c.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("scaled"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("app")}}}); err != nil {
		return nil, err
	}
	w := startWriter(ctx, e, o.clients, o.rate)
	defer w.stop()
	var wins []window
	var cpu []float64
	var self []time.Duration
	var updates []int64
	var cpuFrom cpuload.Sample
	var updatesFrom int64
	begin := func() time.Time {
		cpuFrom, updatesFrom = cpuload.Take(), e.writes.updates.Load()
		return time.Now()
	}
	mark := func(name string, from time.Time) {
		wins = append(wins, window{name: name, from: from, to: time.Now()})
		now := cpuload.Take()
		cpu = append(cpu, cpuload.ForeignShare(cpuFrom, now))
		self = append(self, cpuload.SelfCPU(cpuFrom, now))
		updates = append(updates, e.writes.updates.Load()-updatesFrom)
	}

	t := begin()
	time.Sleep(o.idle)
	mark("idle", t)

	t = begin()
	_, err = c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("scaled"), TaskDefinition: aws.String("scaled"),
		DesiredCount: aws.Int32(int32(o.tasks))})
	if err == nil {
		err = waitService(ctx, c, o.timeout, func(s types.Service) bool { return int(s.RunningCount) == o.tasks })
	}
	mark(fmt.Sprintf("create, %d tasks RUNNING", o.tasks), t)
	if err != nil {
		return nil, fmt.Errorf("scaling up: %w", err)
	}

	t = begin()
	_, err = c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("scaled"), DesiredCount: aws.Int32(0)})
	if err == nil {
		// The controller records a steady state once no task of the
		// service is left but STOPPED ones.
		err = waitService(ctx, c, o.timeout, func(s types.Service) bool {
			return s.RunningCount == 0 && s.PendingCount == 0 && len(s.Events) > 0 &&
				strings.HasSuffix(aws.ToString(s.Events[0].Message), "has reached a steady state.") && s.Events[0].CreatedAt.After(t)
		})
	}
	if err == nil {
		var live int
		if live, _, err = e.liveTasks(ctx); err == nil && live != 0 {
			err = fmt.Errorf("steady at 0 with %d tasks not STOPPED", live)
		}
	}
	mark("scale to 0, every task STOPPED", t)
	w.stop()
	if err != nil {
		return nil, fmt.Errorf("scaling down: %w", err)
	}
	r := &report{}
	for i, win := range wins {
		r.phases = append(r.phases, phase{window: win, figures: w.figures(win), scaling: i > 0, foreignCPU: cpu[i], selfCPU: self[i], updates: updates[i]})
	}
	return r, nil
}

// waitService polls DescribeServices (cheap: the record is cached, the
// view too) until done holds for the scaled service. A poll that fails is
// tried again, up to maxPollErrors in a row: on a loaded machine a
// response's read now and then fails on the client's side ("use of closed
// network connection" after a 200: the client's own connection closed by its
// write loop, aws/aws-sdk-go-v2#1825, which the SDK's default retryer would
// retry; these clients make one attempt), and the poll only paces the run;
// the measured writes count every failure.
func waitService(ctx context.Context, c *awsecs.Client, timeout time.Duration, done func(types.Service) bool) error {
	const maxPollErrors = 3
	deadline := time.Now().Add(timeout)
	for failed := 0; ; {
		out, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{"scaled"}})
		if err != nil {
			if failed++; failed == maxPollErrors || time.Now().After(deadline) {
				return err
			}
			continue
		}
		failed = 0
		if len(out.Services) == 1 && done(out.Services[0]) {
			return nil
		}
		if time.Now().After(deadline) {
			s := out.Services[0]
			return fmt.Errorf("timed out: %d tasks running, %d pending", s.RunningCount, s.PendingCount)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// print writes the table and reports whether every scaling phase met bound.
func (r *report) print(out io.Writer, bound time.Duration) bool {
	ok := true
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\ttook\twrites\tfailed\tp50\tp99\tmax\tp99 bound\tother CPU\town CPU\tstore writes\t")
	for _, p := range r.phases {
		verdict := "-"
		if p.scaling {
			met := p.p99 <= bound && p.failed == 0
			ok = ok && met
			verdict = fmt.Sprintf("<= %s %s", bound, map[bool]string{true: "met", false: "MISSED"}[met])
		}
		fmt.Fprintf(tw, "%s\t%.1fs\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%.1fs\t%d\t\n", p.name, p.to.Sub(p.from).Seconds(), p.writes, p.failed,
			ms(p.p50), ms(p.p99), ms(p.max), verdict, percent(p.foreignCPU), p.selfCPU.Seconds(), p.updates)
	}
	tw.Flush()
	for _, p := range r.phases {
		if p.firstErr != nil {
			fmt.Fprintf(out, "%s: first failed write: %v\n", p.name, p.firstErr)
		}
	}
	return ok
}

func percent(share float64) string {
	if share < 0 {
		return "?"
	}
	return fmt.Sprintf("%.0f%%", 100*share)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
