package agent_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestUnrecordedContainerIsAdoptedNotDuplicated simulates a server killed
// after it started a container but before it recorded it: the restarted
// agent must adopt that container, not start a second one.
func TestUnrecordedContainerIsAdoptedNotDuplicated(t *testing.T) {
	e := newEnv(t)
	if err := e.agent.Close(); err != nil {
		t.Fatal(err)
	}
	td := e.register(t, "orphan", map[string]any{"portMappings": []any{map[string]any{"containerPort": 8080}}})
	tk := e.run(t, td) // PROVISIONING, assigned to this node, nothing recorded
	h, err := e.newRuntime(t).Start(context.Background(), runtime.Spec{TaskARN: tk.ARN, TaskID: tk.Internal.ID, StoreID: e.storeID,
		ContainerName: "web", Image: talkBinary, PortMappings: []runtime.PortMapping{{ContainerPort: 8080}},
		LogDir: e.dataDir + "/logs/" + tk.Internal.ID + "/web"})
	if err != nil {
		t.Fatal(err)
	}
	port := h.Bindings()[0].HostPort
	e.startAgent(t)
	running := e.waitStatus(t, tk.Internal.ID, model.TaskRunning, 10*time.Second)
	if got := running.Containers[0].NetworkBindings; len(got) != 1 || got[0].HostPort != port {
		t.Fatalf("task runs on %v, the orphan on port %d: a duplicate was started", got, port)
	}
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		out := getTalkSoft(port)
		return out["version"] == "v1", fmt.Sprint(out)
	})
}

// TestUnwantedContainerIsStopped: a container whose task already stopped is
// stopped and removed at start-up.
func TestUnwantedContainerIsStopped(t *testing.T) {
	e := newEnv(t)
	if err := e.agent.Close(); err != nil {
		t.Fatal(err)
	}
	rt := e.newRuntime(t)
	h := startUnknown(t, e, rt, "gone", e.storeID)
	e.startAgent(t)
	select {
	case <-h.Done():
	case <-time.After(15 * time.Second):
		t.Fatal("the unwanted container still runs")
	}
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		found, err := rt.List(context.Background())
		return err == nil && len(found) == 0, fmt.Sprintf("still listed: %v %v", found, err)
	})
}

// TestAnotherStoresContainerIsLeftRunning: a container that this store does
// not know is stopped only if this store started it. One recorded with
// another store's identity, or with none (an older server's), keeps running:
// this store's not knowing it says nothing about whether it is wanted.
func TestAnotherStoresContainerIsLeftRunning(t *testing.T) {
	e := newEnv(t)
	if err := e.agent.Close(); err != nil {
		t.Fatal(err)
	}
	rt := e.newRuntime(t)
	ours := startUnknown(t, e, rt, "ours", e.storeID)
	theirs := startUnknown(t, e, rt, "theirs", "0123456789abcdef0123456789abcdef")
	legacy := startUnknown(t, e, rt, "legacy", "")
	t.Cleanup(func() {
		for _, h := range []runtime.Handle{theirs, legacy} {
			_ = h.Stop(context.Background(), time.Second)
		}
	})
	e.startAgent(t)
	select {
	case <-ours.Done(): // the agent got as far as removing what it may remove
	case <-time.After(15 * time.Second):
		t.Fatal("this store's unwanted container still runs")
	}
	for name, h := range map[string]runtime.Handle{"another store's": theirs, "an unrecorded store's": legacy} {
		select {
		case <-h.Done():
			t.Errorf("%s container was stopped", name)
		default:
		}
	}
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		found, err := rt.List(context.Background())
		var ids []string
		for _, f := range found {
			ids = append(ids, f.TaskID)
		}
		return err == nil && len(ids) == 2, fmt.Sprintf("listed %v (%v); want theirs and legacy, left running", ids, err)
	})
}

// startUnknown starts a container of a task the store does not know,
// recorded as started by store.
func startUnknown(t *testing.T, e *env, rt runtime.Runtime, id, store string) runtime.Handle {
	t.Helper()
	h, err := rt.Start(context.Background(), runtime.Spec{TaskARN: "arn:aws:ecs:us-east-1:000000000000:task/default/" + id,
		TaskID: id, ContainerName: "web", Image: talkBinary, PortMappings: []runtime.PortMapping{{ContainerPort: 8080}},
		LogDir: e.dataDir + "/logs/" + id + "/web", StoreID: store})
	if err != nil {
		t.Fatal(err)
	}
	return h
}
