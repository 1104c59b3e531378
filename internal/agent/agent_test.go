package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/agent"
	"github.com/slipway-dev/slipway/internal/agentlink"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime/process"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
	"github.com/slipway-dev/slipway/internal/testutil"
)

var talkBinary string

func TestMain(m *testing.M) {
	if testutil.IsShim() {
		os.Exit(process.ShimMain(os.Args[1:]))
	}
	dir, err := os.MkdirTemp("", "agent-test-bin")
	if err != nil {
		panic(err)
	}
	talkBinary, err = testutil.BuildTalkService(dir)
	if err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type env struct {
	st       *state.State
	dataDir  string
	storeID  string
	instance string
	agent    *agent.Agent
	logs     agent.LogSink // the agents' Options.Logs
}

const nodeID = "node-test"

func newEnv(t *testing.T, opts ...func(*env)) *env {
	t.Helper()
	e := newStoreEnv(t)
	for _, o := range opts {
		o(e)
	}
	e.startAgent(t)
	return e
}

// newStoreEnv is an env with its store and default cluster and no agent.
func newStoreEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	db, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := state.New(db, model.Partition{Region: "us-east-1", Account: "000000000000"}, nil)
	err = st.Update(context.Background(), func(tx state.Tx) error {
		return tx.PutCluster(model.Cluster{Name: "default", ARN: tx.Partition.ClusterARN("default"), Status: model.ClusterActive})
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{st: st, dataDir: dir, storeID: db.ID(), instance: st.Partition.ContainerInstanceARN("default", agentlink.InstanceID(nodeID, "default"))}
}

// newRuntime is a process runtime on the env's container state directory,
// as the agent uses it.
func (e *env) newRuntime(t *testing.T) *process.Runtime {
	t.Helper()
	shim, shimEnv := testutil.ShimCommand()
	rt, err := process.New(process.Options{ShimCommand: shim, ShimEnv: shimEnv, StateDir: e.dataDir + "/containers"})
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func (e *env) startAgent(t *testing.T) {
	t.Helper()
	shim, shimEnv := testutil.ShimCommand()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	rt, err := process.New(process.Options{ShimCommand: shim, ShimEnv: shimEnv, StateDir: e.dataDir + "/containers", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(agent.Options{
		Node:   agent.Node{ID: nodeID, Runtime: "process", AgentVersion: "test", CPU: 2048, Memory: 4096},
		LogDir: e.dataDir + "/logs", Region: "us-east-1", StoreID: e.storeID, Logger: logger, Logs: e.logs,
	}, agentlink.New(e.st), rt)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.agent = a
	t.Cleanup(func() { e.stopAll(t); a.Close() })
}

// stopAll stops every task still running so no process outlives the test.
func (e *env) stopAll(t *testing.T) {
	ctx := context.Background()
	_ = e.st.Update(ctx, func(tx state.Tx) error {
		tasks, _ := tx.AllTasks()
		for _, tk := range tasks {
			if tk.DesiredStatus != model.TaskStopped {
				model.RequestStop(&tk, model.StopUserInitiated, "test cleanup", time.Now())
				if err := tx.PutTask(tk); err != nil {
					return err
				}
			}
		}
		return nil
	})
	testutil.Eventually(t, 20*time.Second, func() (bool, string) {
		n := e.agent.Running()
		return n == 0, fmt.Sprintf("%d tasks still running", n)
	})
}

func (e *env) register(t *testing.T, family string, container map[string]any) model.TaskDefinition {
	t.Helper()
	container["name"] = "web"
	if _, ok := container["image"]; !ok {
		container["image"] = talkBinary
	}
	return e.registerContainers(t, family, []any{container})
}

// registerContainers stores revision 1 of family with these containers.
func (e *env) registerContainers(t *testing.T, family string, containers []any) model.TaskDefinition {
	t.Helper()
	raw, _ := json.Marshal(map[string]any{"family": family, "containerDefinitions": containers})
	doc, spec, err := model.NormalizeTaskDefinition(raw)
	if err != nil {
		t.Fatal(err)
	}
	td := model.TaskDefinition{ARN: e.st.Partition.TaskDefinitionARN(family, 1), Family: family, Revision: 1,
		Status: model.TaskDefinitionActive, Document: doc, Spec: spec}
	if err := e.st.Update(context.Background(), func(tx state.Tx) error { return tx.PutTaskDefinition(td) }); err != nil {
		t.Fatal(err)
	}
	return td
}

func (e *env) run(t *testing.T, td model.TaskDefinition) model.Task {
	t.Helper()
	tk := model.NewTask(e.st.Partition, model.NewTaskInput{Cluster: "default", ClusterARN: e.st.Partition.ClusterARN("default"),
		Definition: td, InstanceARN: e.instance, Group: "family:" + td.Family, Now: time.Now()})
	if err := e.st.Update(context.Background(), func(tx state.Tx) error { return tx.PutTask(tk) }); err != nil {
		t.Fatal(err)
	}
	return tk
}

func (e *env) task(t *testing.T, id string) model.Task {
	t.Helper()
	var tk model.Task
	if err := e.st.View(context.Background(), func(tx state.Tx) error {
		var err error
		tk, err = tx.Task("default", id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return tk
}

func (e *env) waitStatus(t *testing.T, id, status string, timeout time.Duration) model.Task {
	t.Helper()
	var tk model.Task
	testutil.Eventually(t, timeout, func() (bool, string) {
		tk = e.task(t, id)
		return tk.LastStatus == status, "task is " + tk.LastStatus + " " + tk.StoppedReason
	})
	return tk
}

func (e *env) requestStop(t *testing.T, id string) {
	t.Helper()
	err := e.st.Update(context.Background(), func(tx state.Tx) error {
		tk, err := tx.Task("default", id)
		if err != nil {
			return err
		}
		model.RequestStop(&tk, model.StopUserInitiated, "test", time.Now())
		return tx.PutTask(tk)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRunServeStop(t *testing.T) {
	e := newEnv(t)
	td := e.register(t, "talk", map[string]any{
		"portMappings": []any{map[string]any{"containerPort": 8080}},
		"environment":  []any{map[string]any{"name": "TALK_VERSION", "value": "v9"}},
	})
	tk := e.run(t, td)
	running := e.waitStatus(t, tk.Internal.ID, model.TaskRunning, 10*time.Second)
	c := running.Containers[0]
	if len(c.NetworkBindings) != 1 || c.NetworkBindings[0].ContainerPort != 8080 || c.NetworkBindings[0].HostPort == 0 ||
		running.StartedAt == nil || running.PullStartedAt == nil || len(c.RuntimeState) == 0 {
		t.Fatalf("running task: %+v", running)
	}
	port := c.NetworkBindings[0].HostPort
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		out := getTalkSoft(port)
		return out["taskArn"] == tk.ARN && out["version"] == "v9", fmt.Sprint(out)
	})
	e.requestStop(t, tk.Internal.ID)
	stopped := e.waitStatus(t, tk.Internal.ID, model.TaskStopped, 35*time.Second)
	sc := stopped.Containers[0]
	if sc.ExitCode == nil || *sc.ExitCode != 0 || stopped.StopCode != model.StopUserInitiated || stopped.StoppedAt == nil || stopped.ExecutionStoppedAt == nil {
		t.Fatalf("stopped task: %+v %+v", stopped, sc)
	}
}

func getTalkSoft(port int) map[string]any {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/talk", port))
	if err != nil {
		return map[string]any{"err": err.Error()}
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out
}

func TestEssentialContainerExitStopsTask(t *testing.T) {
	e := newEnv(t)
	td := e.register(t, "crash", map[string]any{
		"environment": []any{map[string]any{"name": "TALK_CRASH_AT_START", "value": "true"}},
	})
	tk := e.run(t, td)
	stopped := e.waitStatus(t, tk.Internal.ID, model.TaskStopped, 10*time.Second)
	c := stopped.Containers[0]
	if stopped.StopCode != model.StopEssentialContainerExited || stopped.StoppedReason != "Essential container in task exited" ||
		c.ExitCode == nil || *c.ExitCode != 1 || !strings.Contains(stopped.Internal.LogTail, "TALK_CRASH_AT_START") {
		t.Fatalf("stopped: code=%s reason=%q exit=%v tail=%q", stopped.StopCode, stopped.StoppedReason, c.ExitCode, stopped.Internal.LogTail)
	}
}

func TestUnknownExecutableFailsToStart(t *testing.T) {
	e := newEnv(t)
	td := e.register(t, "missing", map[string]any{"image": "no-such-binary-anywhere"})
	tk := e.run(t, td)
	stopped := e.waitStatus(t, tk.Internal.ID, model.TaskStopped, 10*time.Second)
	if stopped.StopCode != model.StopTaskFailedToStart || !strings.Contains(stopped.StoppedReason, "CannotStartContainerError") ||
		!strings.Contains(stopped.Containers[0].Reason, "no-such-binary-anywhere") {
		t.Fatalf("stopped: %s %q %q", stopped.StopCode, stopped.StoppedReason, stopped.Containers[0].Reason)
	}
}

func TestHealthCheckMakesTaskHealthy(t *testing.T) {
	e := newEnv(t)
	td := e.register(t, "healthy", map[string]any{
		"portMappings": []any{map[string]any{"containerPort": 8080}},
		"healthCheck":  map[string]any{"command": []any{"CMD", talkBinary, "healthcheck"}, "interval": 5, "timeout": 2, "retries": 1},
	})
	tk := e.run(t, td)
	testutil.Eventually(t, 15*time.Second, func() (bool, string) {
		got := e.task(t, tk.Internal.ID)
		return got.HealthStatus == model.HealthHealthy && got.Containers[0].HealthStatus == model.HealthHealthy, got.HealthStatus
	})
}

func TestAgentRestartAdoptsRunningTask(t *testing.T) {
	e := newEnv(t)
	td := e.register(t, "adopt", map[string]any{"portMappings": []any{map[string]any{"containerPort": 8080}}})
	tk := e.run(t, td)
	running := e.waitStatus(t, tk.Internal.ID, model.TaskRunning, 10*time.Second)
	port := running.Containers[0].NetworkBindings[0].HostPort
	if err := e.agent.Close(); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		out := getTalkSoft(port)
		return out["version"] == "v1", fmt.Sprintf("task not serving after the agent closed: %v", out)
	})
	e.startAgent(t)
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		return e.agent.Running() == 1, "not adopted"
	})
	if got := e.task(t, tk.Internal.ID); got.LastStatus != model.TaskRunning {
		t.Fatalf("after restart: %s", got.LastStatus)
	}
	e.requestStop(t, tk.Internal.ID)
	stopped := e.waitStatus(t, tk.Internal.ID, model.TaskStopped, 35*time.Second)
	if ec := stopped.Containers[0].ExitCode; ec == nil || *ec != 0 {
		t.Fatalf("adopted stop exit code: %v", ec)
	}
}
