package stack

import (
	"context"
	"slices"
)

// walk runs fn for every node once the nodes it depends on (deps, limited to
// nodes) have succeeded, independent nodes in parallel, as CloudFormation
// works through a template. After the first failure it starts no more nodes
// and cancels the context of those running; it returns the nodes that
// failed, sorted. Nodes that could not start are neither run nor reported.
func walk(ctx context.Context, nodes []string, deps map[string][]string, fn func(ctx context.Context, id string) error) []string {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := map[string]bool{}
	for _, n := range nodes {
		in[n] = true
	}
	waiting := map[string]int{}
	dependents := map[string][]string{}
	for _, n := range nodes {
		for _, d := range deps[n] {
			if in[d] && d != n {
				waiting[n]++
				dependents[d] = append(dependents[d], n)
			}
		}
	}
	type result struct {
		id  string
		err error
	}
	done := make(chan result)
	running := 0
	start := func(id string) {
		running++
		go func() { done <- result{id, fn(ctx, id)} }()
	}
	for _, n := range nodes {
		if waiting[n] == 0 {
			start(n)
		}
	}
	var failed []string
	for running > 0 {
		r := <-done
		running--
		if r.err != nil {
			failed = append(failed, r.id)
			cancel()
			continue
		}
		if len(failed) > 0 || ctx.Err() != nil {
			continue
		}
		for _, d := range dependents[r.id] {
			if waiting[d]--; waiting[d] == 0 {
				start(d)
			}
		}
	}
	slices.Sort(failed)
	return failed
}
