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
)

// recordingLink is the store's link that records the statuses reported.
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

// A stop costs the store two transactions, STOPPING and STOPPED: a
// scale-in of thousands of tasks is that many fewer writes for every other
// writer to wait behind. The record still passes DEPROVISIONING, with
// every timestamp ECS sets on the way.
func TestStopIsTwoReports(t *testing.T) {
	e := newStoreEnv(t)
	rt := &gatedRuntime{release: make(chan struct{}, 1)}
	rt.release <- struct{}{}
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
	td := e.register(t, "gated", map[string]any{"image": "anything"})
	tk := e.run(t, td)
	e.waitStatus(t, tk.Internal.ID, model.TaskRunning, 10*time.Second)
	before := len(link.reported())
	e.requestStop(t, tk.Internal.ID)
	stopped := e.waitStatus(t, tk.Internal.ID, model.TaskStopped, 10*time.Second)
	var statuses []string
	for _, s := range link.reported()[before:] {
		if s != "" { // health-only reports change no status
			statuses = append(statuses, s)
		}
	}
	if !slices.Equal(statuses, []string{model.TaskStopping, model.TaskStopped}) {
		t.Errorf("a stop reported %q, want STOPPING then STOPPED", statuses)
	}
	if stopped.StoppingAt == nil || stopped.ExecutionStoppedAt == nil || stopped.StoppedAt == nil ||
		stopped.ExecutionStoppedAt.Before(stopped.StoppingAt.Time) {
		t.Errorf("stopped task's times: stopping %v, execution stopped %v, stopped %v",
			stopped.StoppingAt, stopped.ExecutionStoppedAt, stopped.StoppedAt)
	}
}
