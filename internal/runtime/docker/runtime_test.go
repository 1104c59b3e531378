package docker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
	"github.com/slipway-dev/slipway/internal/runtime/docker"
)

func TestStartsBridgeContainerWithItsSettings(t *testing.T) {
	e := newEnv(t)
	spec := e.spec("web")
	spec.Env = []string{"GREETING=hello"}
	spec.WorkingDir = "/tmp"
	spec.User = "1234:5678"
	spec.Init = true
	spec.Ulimits = []runtime.Ulimit{{Name: "nproc", Soft: 1111, Hard: 2222}}
	spec.Labels["team"] = "blue"
	spec.Resources = runtime.Resources{CPUUnits: 256, MemoryMiB: 64, MemoryReservationMiB: 32, TaskCPUUnits: 512}
	h := e.start(spec)

	b := h.Bindings()
	if len(b) != 1 || b[0].ContainerPort != 8080 || b[0].HostPort == 0 || b[0].BindIP != "127.0.0.1" || b[0].Protocol != "tcp" {
		t.Fatalf("bindings %+v, want 8080 published on a dynamic port of 127.0.0.1", b)
	}
	var env []string
	if err := json.Unmarshal([]byte(get(t, url(h, "/env"))), &env); err != nil {
		t.Fatal(err)
	}
	if !containsString(env, "GREETING=hello") {
		t.Errorf("environment %v lacks GREETING=hello", env)
	}
	limits := get(t, url(h, "/file?path=/proc/self/limits"))
	if !contains(limits, "1111") || !contains(limits, "2222") {
		t.Errorf("nproc ulimit not applied:\n%s", limits)
	}
	if status := get(t, url(h, "/file?path=/proc/self/status")); !contains(status, "Uid:\t1234") {
		t.Errorf("not running as user 1234:\n%s", status)
	}
	if pid1 := get(t, url(h, "/file?path=/proc/1/cmdline")); !contains(pid1, "init") {
		t.Errorf("PID 1 is %q, want the engine's init", pid1)
	}

	insp := e.inspect(h)
	c := insp.Container
	if c.Config.Labels["team"] != "blue" || c.Config.Labels["dev.slipway.store"] != e.storeID ||
		c.Config.Labels["dev.slipway.task-id"] != spec.TaskID || c.Config.Labels["dev.slipway.container"] != "web" {
		t.Errorf("labels %v", c.Config.Labels)
	}
	if c.Config.WorkingDir != "/tmp" {
		t.Errorf("working directory %q", c.Config.WorkingDir)
	}
	r := c.HostConfig.Resources
	// The task's cpu is its cgroup's quota where tasks get one, else the
	// container's.
	wantNano := int64(5e8)
	if parent := docker.TaskCgroupParent(e.rt, spec.TaskID); parent != "" {
		wantNano = 0
		if c.HostConfig.CgroupParent != parent {
			t.Errorf("cgroup parent %q, want the task's %q", c.HostConfig.CgroupParent, parent)
		}
	}
	if r.CPUShares != 256 || r.Memory != 64<<20 || r.MemoryReservation != 32<<20 || r.NanoCPUs != wantNano {
		t.Errorf("resources shares %d memory %d reservation %d nanocpus %d", r.CPUShares, r.Memory, r.MemoryReservation, r.NanoCPUs)
	}
	if want := "/ecs-probe-1-web-" + spec.TaskID; c.Name != want {
		t.Errorf("name %q, want %q", c.Name, want)
	}

	if err := h.Stop(context.Background(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if ex := h.Exit(); ex.ExitCode == nil || *ex.ExitCode != 0 {
		t.Errorf("exit after SIGTERM: %+v, want code 0", ex)
	}
}

func TestReadonlyRootFilesystemAndEntryPoint(t *testing.T) {
	e := newEnv(t)
	spec := e.spec("web")
	spec.EntryPoint, spec.Command = []string{"/probe"}, []string{"serve"}
	spec.ReadonlyRootFilesystem = true
	h := e.start(spec)
	get(t, url(h, "/health"))
	resp, err := http.Get(url(h, "/write?path=/x&data=y"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("writing to a read-only root filesystem answered %d, want a failure", resp.StatusCode)
	}
}

func TestExitCodeAndOutOfMemory(t *testing.T) {
	e := newEnv(t)
	h := e.start(e.spec("quit", "exit", "3"))
	if ex := waitExit(t, h, 30*time.Second); ex.ExitCode == nil || *ex.ExitCode != 3 || ex.Reason != "exit status 3" {
		t.Errorf("exit %+v, want code 3", ex)
	}

	spec := e.spec("hog", "hog")
	spec.Resources.MemoryMiB = 16
	h = e.start(spec)
	ex := waitExit(t, h, 60*time.Second)
	if ex.ExitCode == nil || *ex.ExitCode != 137 || ex.Reason != "OutOfMemoryError: Container killed due to memory usage" {
		t.Errorf("exit of a container over its memory limit: %+v, want 137 and ECS's OutOfMemoryError", ex)
	}
}

func TestMissingImageFailsWithCannotPull(t *testing.T) {
	e := newEnv(t)
	spec := e.spec("web")
	spec.Image = "slipway-test/not-built-anywhere:1"
	_, err := e.rt.Start(context.Background(), spec)
	if !errors.Is(err, runtime.ErrCannotPull) {
		t.Fatalf("Start: %v, want CannotPullContainerError", err)
	}
	for _, part := range []string{"CannotPullContainerError: pull image \"slipway-test/not-built-anywhere:1\"", "docker tag", "docker load"} {
		if !contains(err.Error(), part) {
			t.Errorf("reason %q lacks %q", err, part)
		}
	}
}

func TestDockerRunsTheHealthCheck(t *testing.T) {
	e := newEnv(t)
	check := func(code string) runtime.Health {
		spec := e.spec("web")
		spec.HealthCheck = &runtime.HealthCheck{Command: []string{"CMD", "/probe", "exit", code},
			Interval: time.Second, Timeout: time.Second, Retries: 1}
		h := e.start(spec)
		got := make(chan runtime.Health, 4)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		go h.(runtime.HealthWatcher).WatchHealth(ctx, func(hl runtime.Health) {
			if hl.Status != runtime.HealthUnknown {
				got <- hl
			}
		})
		select {
		case hl := <-got:
			return hl
		case <-ctx.Done():
			t.Fatal("no health verdict within 20 s")
			return runtime.Health{}
		}
	}
	if hl := check("0"); hl.Status != runtime.HealthHealthy {
		t.Errorf("passing check: %+v", hl)
	}
	if hl := check("1"); hl.Status != runtime.HealthUnhealthy || !contains(hl.Output, "exited 1") {
		t.Errorf("failing check: %+v", hl)
	}
}

func TestListAndAdoptOnlyThisStore(t *testing.T) {
	e := newEnv(t)
	spec := e.spec("web")
	h := e.start(spec)
	get(t, url(h, "/health"))

	later := e.runtime() // a restarted server on the same store
	found, err := later.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].TaskID != spec.TaskID || found[0].ContainerName != "web" || !found[0].Running ||
		!bytes.Equal(found[0].State, h.State()) {
		t.Fatalf("found %+v, want the running container with the State Start returned", found)
	}
	adopted, err := later.Adopt(context.Background(), found[0].State)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(adopted.Bindings()) != fmt.Sprint(h.Bindings()) {
		t.Errorf("adopted bindings %v, want %v", adopted.Bindings(), h.Bindings())
	}

	other := &env{t: t, cli: e.cli, storeID: "other-" + randomID()}
	if found, err := other.runtime().List(context.Background()); err != nil || len(found) != 0 {
		t.Errorf("another store lists %v (%v), want nothing", found, err)
	}
	if _, err := other.runtime().Adopt(context.Background(), h.State()); !errors.Is(err, runtime.ErrInvalidState) {
		t.Errorf("another store adopting: %v, want ErrInvalidState", err)
	}

	if err := adopted.Kill(); err != nil {
		t.Fatal(err)
	}
	ex := waitExit(t, adopted, 30*time.Second)
	if ex.ExitCode == nil || *ex.ExitCode != 137 || ex.Signal != "SIGKILL" {
		t.Errorf("killed: %+v", ex)
	}
	if _, err := later.Adopt(context.Background(), h.State()); !errors.As(err, new(*runtime.GoneError)) {
		t.Errorf("adopting an exited container: %v, want GoneError", err)
	}
	if err := later.Remove(h.State()); err != nil {
		t.Fatal(err)
	}
	if found, _ := later.List(context.Background()); len(found) != 0 {
		t.Errorf("after Remove: %v", found)
	}
}

func TestExecLogTailAndUsage(t *testing.T) {
	e := newEnv(t)
	h := e.start(e.spec("web"))
	get(t, url(h, "/health"))
	code, _, err := h.Exec(context.Background(), []string{"/probe", "exit", "4"})
	if err != nil || code != 4 {
		t.Errorf("exec: code %d, %v; want 4", code, err)
	}
	u, err := h.(runtime.UsageSampler).Usage(context.Background())
	if err != nil || u.ContainerName != "web" || u.CPUTime <= 0 || u.MemoryBytes == 0 {
		t.Errorf("usage %+v: %v", u, err)
	}
	printer := e.start(e.spec("say", "print", "goodbye"))
	waitExit(t, printer, 30*time.Second)
	if tail := printer.(runtime.LogTailer).LogTail(context.Background(), 5); tail != "goodbye\ngoodbye" {
		t.Errorf("log tail %q, want stderr then stdout", tail)
	}
}

func TestVolumesAreSharedAndTaskVolumesReleased(t *testing.T) {
	e := newEnv(t)
	hostDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(hostDir, "greeting"), []byte("from the host"), 0o644); err != nil {
		t.Fatal(err)
	}
	writer := e.spec("writer")
	writer.Mounts = []runtime.Mount{
		{Kind: runtime.MountTaskVolume, Source: "scratch", Target: "/scratch"},
		{Kind: runtime.MountBind, Source: hostDir, Target: "/host", ReadOnly: true},
	}
	w := e.start(writer)
	if got := get(t, url(w, "/file?path=/host/greeting")); got != "from the host" {
		t.Errorf("host path read %q", got)
	}
	get(t, url(w, "/write?path=/scratch/note&data=shared"))

	reader := e.spec("reader")
	reader.TaskARN, reader.TaskID = writer.TaskARN, writer.TaskID
	reader.VolumesFrom = []runtime.VolumeFrom{{SourceContainer: "writer", ReadOnly: true}}
	r := e.start(reader)
	if got := get(t, url(r, "/file?path=/scratch/note")); got != "shared" {
		t.Errorf("volumesFrom read %q, want what the writer wrote", got)
	}

	for _, h := range []runtime.Handle{r, w} {
		if err := h.Stop(context.Background(), 5*time.Second); err != nil {
			t.Fatal(err)
		}
		if err := e.rt.Remove(h.State()); err != nil {
			t.Fatal(err)
		}
	}
	task := runtime.TaskSpec{TaskARN: writer.TaskARN, TaskID: writer.TaskID}
	if prepared, _ := e.rt.PreparedTasks(context.Background()); len(prepared) != 1 || prepared[0].TaskID != writer.TaskID {
		t.Errorf("prepared tasks %+v, want the task holding its volume", prepared)
	}
	if err := e.rt.ReleaseTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	vols, err := e.cli.VolumeList(context.Background(), client.VolumeListOptions{Filters: make(client.Filters).Add("label", "dev.slipway.store="+e.storeID)})
	if err != nil || len(vols.Items) != 0 {
		t.Errorf("volumes after ReleaseTask: %v %v", vols.Items, err)
	}
}

func (e *env) inspect(h runtime.Handle) client.ContainerInspectResult {
	e.t.Helper()
	var st struct{ ID string }
	if err := json.Unmarshal(h.State(), &st); err != nil {
		e.t.Fatal(err)
	}
	insp, err := e.cli.ContainerInspect(context.Background(), st.ID, client.ContainerInspectOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	return insp
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestFixedHostPortIsPublishedOrRefused(t *testing.T) {
	e := newEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	spec := e.spec("web")
	spec.PortMappings = []runtime.PortMapping{{ContainerPort: 8080, HostPort: port}}
	h := e.start(spec)
	if b := h.Bindings(); len(b) != 1 || b[0].HostPort != port {
		t.Fatalf("bindings %+v, want host port %d", b, port)
	}
	get(t, url(h, "/health"))
	again := e.spec("web")
	again.PortMappings = spec.PortMappings
	if _, err := e.rt.Start(context.Background(), again); !errors.Is(err, runtime.ErrCannotStart) || !contains(err.Error(), strconv.Itoa(port)) {
		t.Errorf("a second container on host port %d: %v, want CannotStartContainerError naming the port", port, err)
	}
}
