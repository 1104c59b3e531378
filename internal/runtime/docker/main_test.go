package docker_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/runtime/docker"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// probeImage is the image of internal/testutil/probe the tests run.
const probeImage = "slipway-test/probe:latest"

// Built by TestMain: the probe binary and a static slipway binary for the
// awsvpc network holder.
var (
	probeBinary   string
	holderBinary  string
	buildFailures error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "docker-runtime-test-")
	if err != nil {
		panic(err)
	}
	probeBinary, buildFailures = testutil.BuildPackage(dir, "./internal/testutil/probe", "probe")
	if buildFailures == nil {
		holderBinary, buildFailures = testutil.BuildPackage(dir, "./cmd/slipway", "slipway")
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is one test's runtime on the engine, with a store id of its own, and
// what it created removed at the end.
type env struct {
	t       testing.TB
	cli     *client.Client
	rt      *docker.Runtime
	storeID string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	cli := testutil.RequireDocker(t)
	if buildFailures != nil {
		t.Fatal(buildFailures)
	}
	ctx := context.Background()
	if err := testutil.BuildImage(ctx, cli, probeImage, probeBinary); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, cli: cli, storeID: "test-" + randomID()}
	e.rt = e.runtime()
	t.Cleanup(e.cleanup)
	return e
}

// runtime returns a new Runtime on the env's store (as a restarted server
// would make).
func (e *env) runtime() *docker.Runtime {
	e.t.Helper()
	rt, err := docker.New(context.Background(), docker.Options{StoreID: e.storeID, HolderBinary: holderBinary})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { rt.Close() })
	return rt
}

// cleanup removes every container, volume and task cgroup of the env's store.
func (e *env) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f := make(client.Filters).Add("label", "dev.slipway.store="+e.storeID)
	list, err := e.cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err == nil {
		for _, c := range list.Items {
			_, _ = e.cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		}
	}
	vols, err := e.cli.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err == nil {
		for _, v := range vols.Items {
			_, _ = e.cli.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{Force: true})
		}
	}
	_, _ = e.rt.PreparedTasks(ctx) // sweeps the tasks' emptied cgroups; Close removes the store's
}

// spec is a probe container of a fresh task serving on 8080.
func (e *env) spec(name string, args ...string) runtime.Spec {
	if len(args) == 0 {
		args = []string{"serve"}
	}
	id := randomID()
	return runtime.Spec{
		TaskARN: "arn:aws:ecs:us-east-1:000000000000:task/default/" + id, TaskID: id, ContainerName: name,
		Image: probeImage, Command: args,
		PortMappings: []runtime.PortMapping{{ContainerPort: 8080}},
		Labels:       map[string]string{runtime.LabelTaskDefinitionName: "probe", runtime.LabelTaskDefinitionRev: "1"},
	}
}

func (e *env) start(spec runtime.Spec) runtime.Handle {
	e.t.Helper()
	h, err := e.rt.Start(context.Background(), spec)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		if err := h.Kill(); err != nil {
			e.t.Log(err)
		}
	})
	return h
}

// waitExit waits for the container to exit and returns how it ended.
func waitExit(t *testing.T, h runtime.Handle, timeout time.Duration) runtime.ExitStatus {
	t.Helper()
	select {
	case <-h.Done():
		return h.Exit()
	case <-time.After(timeout):
		t.Fatalf("container still running after %s", timeout)
		return runtime.ExitStatus{}
	}
}

// get fetches url until it answers 200.
func get(t *testing.T, url string) string {
	t.Helper()
	return testutil.GetOK(t, url, 10*time.Second)
}

// url is the address of a container's first binding.
func url(h runtime.Handle, path string) string {
	b := h.Bindings()[0]
	return fmt.Sprintf("http://%s:%d%s", b.BindIP, b.HostPort, path)
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func contains(s, part string) bool { return strings.Contains(s, part) }
