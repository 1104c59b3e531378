package agent_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/agent"
	"github.com/slipway-dev/slipway/internal/agentlink"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// recordingLink is the store's link that records the status of every
// report ("" for one that changes no status).
type recordingLink struct {
	*agentlink.Link
	mu       sync.Mutex
	statuses []string
}

func (l *recordingLink) Report(ctx context.Context, r agent.TaskReport) error {
	l.mu.Lock()
	l.statuses = append(l.statuses, r.LastStatus)
	l.mu.Unlock()
	return l.Link.Report(ctx, r)
}

func (l *recordingLink) reported() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.statuses)
}

// startRecorded starts an agent on rt over e's store through a recordingLink.
func startRecorded(t *testing.T, e *env, rt runtime.Runtime) *recordingLink {
	t.Helper()
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
	return link
}

// Starting a task records each started container before the next one
// starts (a restarted agent adopts containers by that record), the last one
// with RUNNING: one container is two transactions, PENDING and RUNNING.
func TestStartReports(t *testing.T) {
	for n, want := range map[int][]string{
		1: {model.TaskPending, model.TaskRunning},
		2: {model.TaskPending, "", model.TaskRunning},
	} {
		e := newStoreEnv(t)
		rt := &gatedRuntime{release: make(chan struct{}, n)}
		for range n {
			rt.release <- struct{}{}
		}
		link := startRecorded(t, e, rt)
		ctrs := []any{}
		for i := range n {
			ctrs = append(ctrs, map[string]any{"name": fmt.Sprintf("c%d", i), "image": "anything"})
		}
		td := e.registerContainers(t, "gated", ctrs)
		tk := e.run(t, td)
		running := e.waitStatus(t, tk.Internal.ID, model.TaskRunning, 10*time.Second)
		if got := link.reported(); !slices.Equal(got, want) {
			t.Errorf("%d containers: reported %q, want %q", n, got, want)
		}
		for _, c := range running.Containers {
			if c.LastStatus != model.TaskRunning || len(c.RuntimeState) == 0 {
				t.Errorf("%d containers: container %s recorded as %s with state %q", n, c.Name, c.LastStatus, c.RuntimeState)
			}
		}
	}
}

// slowStopRuntime is gatedRuntime whose containers stop only once the
// test closes stopGate: a stop as slow as the test needs, whatever the
// machine's load.
type slowStopRuntime struct {
	*gatedRuntime
	stopGate chan struct{}
}

func (s slowStopRuntime) Start(ctx context.Context, spec runtime.Spec) (runtime.Handle, error) {
	h, err := s.gatedRuntime.Start(ctx, spec)
	if err != nil {
		return nil, err
	}
	return slowStopHandle{h.(*gatedHandle), s.stopGate}, nil
}

type slowStopHandle struct {
	*gatedHandle
	gate <-chan struct{}
}

func (h slowStopHandle) Stop(ctx context.Context, _ time.Duration) error {
	select {
	case <-h.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return h.Kill()
}

// stopReports runs one task on rt, stops it as the controller does and
// returns the statuses reported from then on and the stopped record;
// stopping, unless nil, runs once the stop is requested (to release a slow
// stop).
func stopReports(t *testing.T, rt runtime.Runtime, stopping func(*recordingLink)) ([]string, model.Task, time.Time) {
	e := newStoreEnv(t)
	link := startRecorded(t, e, rt)
	tk := e.run(t, e.register(t, "gated", map[string]any{"image": "anything"}))
	e.waitStatus(t, tk.Internal.ID, model.TaskRunning, 10*time.Second)
	before := len(link.reported())
	requested := time.Now()
	e.requestStop(t, tk.Internal.ID)
	if stopping != nil {
		stopping(link)
	}
	stopped := e.waitStatus(t, tk.Internal.ID, model.TaskStopped, 10*time.Second)
	var statuses []string
	for _, s := range link.reported()[before:] {
		if s != "" { // health reports change no status
			statuses = append(statuses, s)
		}
	}
	return statuses, stopped, requested
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
	statuses, stopped, requested := stopReports(t, rt, nil)
	if !slices.Equal(statuses, []string{model.TaskStopped}) {
		t.Errorf("a quick stop reported %q, want only STOPPED", statuses)
	}
	checkStopTimes(t, stopped, requested)
}

// A stop that takes longer than a second shows STOPPING meanwhile, with
// the time the stop began. The stop ends only once STOPPING is reported.
func TestSlowStopReportsStopping(t *testing.T) {
	rt := slowStopRuntime{&gatedRuntime{release: make(chan struct{}, 1)}, make(chan struct{})}
	rt.release <- struct{}{}
	statuses, stopped, requested := stopReports(t, rt, func(link *recordingLink) {
		testutil.Eventually(t, 10*time.Second, func() (bool, string) {
			return slices.Contains(link.reported(), model.TaskStopping), "no STOPPING reported while the stop runs"
		})
		close(rt.stopGate)
	})
	if !slices.Equal(statuses, []string{model.TaskStopping, model.TaskStopped}) {
		t.Errorf("a slow stop reported %q, want STOPPING then STOPPED", statuses)
	}
	checkStopTimes(t, stopped, requested)
	if d := stopped.StoppedAt.Sub(stopped.StoppingAt.Time); d < time.Second {
		t.Errorf("stoppingAt is %v before stoppedAt; the stop took over a second", d)
	}
}
