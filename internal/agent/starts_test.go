package agent_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/agent"
	"github.com/slipway-dev/slipway/internal/agentlink"
	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// gatedRuntime's Start waits until the test lets it return, and records how
// many Starts were under way at once.
type gatedRuntime struct {
	mu          sync.Mutex
	inFlight    int
	maxInFlight int
	started     int
	release     chan struct{}
}

func (g *gatedRuntime) Name() string { return "gated" }

func (g *gatedRuntime) Start(ctx context.Context, _ runtime.Spec) (runtime.Handle, error) {
	g.mu.Lock()
	g.inFlight++
	g.maxInFlight = max(g.maxInFlight, g.inFlight)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.inFlight--
		g.started++
		g.mu.Unlock()
	}()
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &gatedHandle{done: make(chan struct{})}, nil
}

func (g *gatedRuntime) Adopt(context.Context, runtime.State) (runtime.Handle, error) {
	return nil, &runtime.GoneError{Detail: "test runtime"}
}

func (g *gatedRuntime) counts() (inFlight, maxInFlight, started int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inFlight, g.maxInFlight, g.started
}

type gatedHandle struct {
	once sync.Once
	done chan struct{}
}

func (h *gatedHandle) State() runtime.State                      { return runtime.State(`{}`) }
func (h *gatedHandle) Bindings() []runtime.Binding               { return nil }
func (h *gatedHandle) Done() <-chan struct{}                     { return h.done }
func (h *gatedHandle) Exit() runtime.ExitStatus                  { return runtime.ExitStatus{} }
func (h *gatedHandle) Stop(context.Context, time.Duration) error { h.Kill(); return nil }
func (h *gatedHandle) Kill() error                               { h.once.Do(func() { close(h.done) }); return nil }
func (h *gatedHandle) LogPaths() (string, string)                { return "", "" }
func (h *gatedHandle) Exec(context.Context, []string) (int, []byte, error) {
	return 0, nil, nil
}

// Many tasks placed at once start at most MaxConcurrentStarts containers at
// a time, and all of them start.
func TestAgentLimitsConcurrentStarts(t *testing.T) {
	e := newStoreEnv(t)
	rt := &gatedRuntime{release: make(chan struct{})}
	const limit, tasks = 2, 8
	a, err := agent.New(agent.Options{Node: agent.Node{ID: nodeID, Runtime: rt.Name(), AgentVersion: "test"},
		LogDir: e.dataDir + "/logs", MaxConcurrentStarts: limit}, agentlink.New(e.st), rt)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	td := e.register(t, "gated", map[string]any{"image": "anything"})
	for range tasks {
		e.run(t, td)
	}
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		inFlight, _, _ := rt.counts()
		return inFlight == limit, fmt.Sprintf("%d starts under way", inFlight)
	})
	for range tasks {
		rt.release <- struct{}{}
	}
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		_, _, started := rt.counts()
		return started == tasks, fmt.Sprintf("%d of %d started", started, tasks)
	})
	if _, most, _ := rt.counts(); most != limit {
		t.Fatalf("%d starts ran at once, the limit is %d", most, limit)
	}
}
