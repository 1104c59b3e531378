package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/stats"
)

// result is one operation's figures.
type result struct {
	name          string
	clients       int
	ok            int
	failed        int64
	retried       int64   // connection errors retried (see newClient)
	foreignCPU    float64 // share of the machine other processes used (-1: unknown)
	firstErr      error
	elapsed       time.Duration
	p50, p99, max time.Duration
}

// throughput is successful calls per second.
func (r result) throughput() float64 { return float64(r.ok) / r.elapsed.Seconds() }

func summarize(name string, clients int, perWorker [][]time.Duration, elapsed time.Duration) result {
	var all []time.Duration
	for _, l := range perWorker {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := result{name: name, clients: clients, ok: len(all), elapsed: elapsed}
	if len(all) > 0 {
		r.p50, r.p99, r.max = stats.Percentile(all, 0.50), stats.Percentile(all, 0.99), all[len(all)-1]
	}
	return r
}

// printTable writes the results as an aligned table with the goal verdicts.
func printTable(w io.Writer, results []result, goals map[string]time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tclients\trequests\tfailed\tretried\treq/s\tp50\tp99\tmax\tp99 goal\tother CPU\t")
	for _, r := range results {
		verdict := "-"
		if g, ok := goals[r.name]; ok {
			verdict = fmt.Sprintf("< %s %s", g, map[bool]string{true: "met", false: "MISSED"}[r.p99 < g && r.failed == 0])
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t\n", r.name, r.clients, r.ok, r.failed,
			r.retried, r.throughput(), ms(r.p50), ms(r.p99), ms(r.max), verdict, percent(r.foreignCPU))
	}
	tw.Flush()
	for _, r := range results {
		if r.firstErr != nil {
			fmt.Fprintf(w, "%s: first failure: %v\n", r.name, r.firstErr)
		}
	}
}

func percent(f float64) string {
	if f < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", 100*f)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
