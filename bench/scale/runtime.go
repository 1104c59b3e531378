package main

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// memRuntime runs containers as nothing at all: Start returns at once with
// a handle whose container "runs" until it is stopped. The benchmark
// measures the control plane (controller passes, the agent's reports and
// their transactions), which is the same whatever runs the containers; 5,000
// real processes on a two-core machine would measure fork and the
// scheduler instead, and their start-up would pace the run.
type memRuntime struct {
	started atomic.Int64
}

func (r *memRuntime) Name() string { return "memory" }

// Start implements runtime.Runtime.
func (r *memRuntime) Start(_ context.Context, spec runtime.Spec) (runtime.Handle, error) {
	r.started.Add(1)
	state, _ := json.Marshal(struct{ Task, Container string }{spec.TaskID, spec.ContainerName})
	return &memHandle{state: state, done: make(chan struct{})}, nil
}

// Adopt implements runtime.Runtime: nothing outlives the benchmark process.
func (r *memRuntime) Adopt(context.Context, runtime.State) (runtime.Handle, error) {
	return nil, &runtime.GoneError{Detail: "the memory runtime keeps nothing across restarts"}
}

type memHandle struct {
	state []byte
	once  sync.Once
	done  chan struct{}
}

func (h *memHandle) State() runtime.State                      { return h.state }
func (h *memHandle) Bindings() []runtime.Binding               { return nil }
func (h *memHandle) Done() <-chan struct{}                     { return h.done }
func (h *memHandle) LogPaths() (string, string)                { return "", "" }
func (h *memHandle) Kill() error                               { h.exit(); return nil }
func (h *memHandle) Stop(context.Context, time.Duration) error { h.exit(); return nil }

func (h *memHandle) exit() { h.once.Do(func() { close(h.done) }) }

// Exit reports a clean exit, as a process that honoured SIGTERM.
func (h *memHandle) Exit() runtime.ExitStatus {
	code := 0
	return runtime.ExitStatus{ExitCode: &code, Reason: "exit status 0", FinishedAt: time.Now()}
}

// Exec succeeds: the benchmark's containers have no health checks.
func (h *memHandle) Exec(context.Context, []string) (int, []byte, error) { return 0, nil, nil }
