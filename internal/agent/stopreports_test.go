package agent_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/agent"
	"github.com/slipway-dev/slipway/internal/agentlink"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// recordingLink is the store's link that records the statuses reported.
type recordingLink struct {
	*agentlink.Link
	mu       sync.Mutex
	statuses []string
}

func (l *recordingLink) Report(ctx context.Context, r agent.TaskReport) error {
	if r.LastStatus != "" { // health-only reports change no status
		l.mu.Lock()
		l.statuses = append(l.statuses, r.LastStatus)
		l.mu.Unlock()
	}
	return l.Link.Report(ctx, r)
}

func (l *recordingLink) reported() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.statuses)
}

// slowStopRuntime is gatedRuntime whose containers take stopDelay to stop.
type slowStopRuntime struct {
	*gatedRuntime
	stopDelay time.Duration
}

func (s slowStopRuntime) Start(ctx context.Context, spec runtime.Spec) (runtime.Handle, error) {
	h, err := s.gatedRuntime.Start(ctx, spec)
	if err != nil {
		return nil, err
	}
	return slowStopHandle{h.(*gatedHandle), s.stopDelay}, nil
}

type slowStopHandle struct {
	*gatedHandle
	delay time.Duration
}

func (h slowStopHandle) Stop(ctx context.Context, _ time.Duration) error {
	select {
	case <-time.After(h.delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	return h.Kill()
}

// stopReports runs one task on rt, stops it as the controller does and
// returns the statuses reported from then on and the stopped record.
func stopReports(t *testing.T, rt runtime.Runtime) ([]string, model.Task, time.Time) {
	e := newStoreEnv(t)
	link := &recordingLink{Link: agentlink.New(e.st)}
	a, err := agent.New(agent.Options{Node: agent.Node{ID: nodeID, Runtime: rt.Name(), AgentVersion: "test"},
		LogDir: e.dataDir + "/logs"}, link, rt)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	tk := e.run(t, e.register(t, "gated", map[string]any{"image": "anything"}))
	e.waitStatus(t, tk.Internal.ID, model.TaskRunning, 10*time.Second)
	before := len(link.reported())
	requested := time.Now()
	e.requestStop(t, tk.Internal.ID)
	stopped := e.waitStatus(t, tk.Internal.ID, model.TaskStopped, 10*time.Second)
	return link.reported()[before:], stopped, requested
}

// checkStopTimes fails unless the stopped record's times are in order and
// stoppingAt is when the stop began, not when it was reported (times are
// kept to the millisecond).
func checkStopTimes(t *testing.T, tk model.Task, requested time.Time) {
	t.Helper()
	if tk.StoppingAt == nil || tk.ExecutionStoppedAt == nil || tk.StoppedAt == nil ||
		tk.StoppingAt.Before(requested.Truncate(time.Millisecond)) || tk.ExecutionStoppedAt.Before(tk.StoppingAt.Time) {
		t.Errorf("stopped task's times: requested %v, stopping %v, execution stopped %v, stopped %v",
			requested, tk.StoppingAt, tk.ExecutionStoppedAt, tk.StoppedAt)
	}
}

// A requested stop that ends quickly costs the store one transaction: a
// scale-in of thousands of tasks is that many fewer writes for every other
// writer to wait behind. The record still passes STOPPING and
// DEPROVISIONING, with every timestamp ECS sets on the way.
func TestQuickStopIsOneReport(t *testing.T) {
	rt := &gatedRuntime{release: make(chan struct{}, 1)}
	rt.release <- struct{}{}
	statuses, stopped, requested := stopReports(t, rt)
	if !slices.Equal(statuses, []string{model.TaskStopped}) {
		t.Errorf("a quick stop reported %q, want only STOPPED", statuses)
	}
	checkStopTimes(t, stopped, requested)
}

// A stop that takes longer than a second shows STOPPING meanwhile, with
// the time the stop began.
func TestSlowStopReportsStopping(t *testing.T) {
	rt := slowStopRuntime{&gatedRuntime{release: make(chan struct{}, 1)}, 1500 * time.Millisecond}
	rt.release <- struct{}{}
	statuses, stopped, requested := stopReports(t, rt)
	if !slices.Equal(statuses, []string{model.TaskStopping, model.TaskStopped}) {
		t.Errorf("a slow stop reported %q, want STOPPING then STOPPED", statuses)
	}
	checkStopTimes(t, stopped, requested)
	if d := stopped.StoppedAt.Sub(stopped.StoppingAt.Time); d < time.Second {
		t.Errorf("stoppingAt is %v before stoppedAt; the stop took 1.5 s", d)
	}
}
