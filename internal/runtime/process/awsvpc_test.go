package process_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// TestAwsvpcTasksListenOnTheirOwnAddress: two awsvpc tasks with the same
// container port each get it on their own address, told as HOST, with PORT
// the container port itself; a port taken on a task's address fails its
// start rather than leaving it stuck.
func TestAwsvpcTasksListenOnTheirOwnAddress(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	for _, addr := range []string{"127.203.0.1", "127.203.0.2"} {
		spec := shSpec(t, `echo "HOST=$HOST PORT=$PORT"`)
		spec.PortMappings = []runtime.PortMapping{{ContainerPort: 8080, HostPort: 8080}}
		spec.Network = runtime.Network{Mode: runtime.NetworkAwsvpc, Address: addr}
		h := start(t, rt, spec)
		if b := h.Bindings(); len(b) != 1 || b[0].BindIP != addr || b[0].HostPort != 8080 || b[0].ContainerPort != 8080 {
			t.Errorf("bindings %+v, want 8080 on %s", b, addr)
		}
		waitExit(t, h)
		if out, _ := h.LogPaths(); readFile(t, out) != "HOST="+addr+" PORT=8080\n" {
			t.Errorf("environment: %q", readFile(t, out))
		}
	}
	l, err := net.Listen("tcp", "127.203.0.3:8080")
	if err != nil {
		t.Skip("cannot bind a loopback address:", err)
	}
	defer l.Close()
	spec := shSpec(t, "true")
	spec.PortMappings = []runtime.PortMapping{{ContainerPort: 8080, HostPort: 8080}}
	spec.Network = runtime.Network{Mode: runtime.NetworkAwsvpc, Address: "127.203.0.3"}
	if _, err := rt.Start(context.Background(), spec); !errors.Is(err, runtime.ErrPortInUse) {
		t.Errorf("a taken port on the task's address: %v, want ErrPortInUse", err)
	}
}

// TestSettingsOnlyContainersHaveAreRefused: what a host process cannot be
// given fails the start with a reason that names it and the Docker runtime.
func TestSettingsOnlyContainersHaveAreRefused(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	spec := shSpec(t, "true")
	spec.User = "1000"
	spec.ReadonlyRootFilesystem = true
	spec.Mounts = []runtime.Mount{{Kind: runtime.MountBind, Source: "/tmp", Target: "/data"}}
	_, err := rt.Start(context.Background(), spec)
	if !errors.Is(err, runtime.ErrCannotStart) || !strings.Contains(err.Error(), "mountPoints and volumesFrom, readonlyRootFilesystem, user") ||
		!strings.Contains(err.Error(), "--runtime docker") {
		t.Errorf("Start: %v", err)
	}
	spec = shSpec(t, "true")
	spec.Init = true // the shim already does what an init process would
	h := start(t, rt, spec)
	waitExit(t, h)
}

// TestMemoryLimitKillsAsECSRecordsIt: with cgroups the server may create,
// a process over its memory limit is killed by the kernel and its exit
// reads as ECS records it.
func TestMemoryLimitKillsAsECSRecordsIt(t *testing.T) {
	rt := newRuntime(t, stateDir(t))
	if ok, why := rt.Limits().Applied(); !ok {
		t.Skip("no cgroups can be created here:", why)
	}
	spec := shSpec(t, `x=$(head -c 200000000 /dev/zero | tr "\0" a); echo survived`)
	spec.Resources = runtime.Resources{MemoryMiB: 32, CPUUnits: 128}
	h := start(t, rt, spec)
	st := waitExit(t, h)
	if code(t, st) != 137 || st.Reason != "OutOfMemoryError: Container killed due to memory usage" {
		t.Errorf("exit %+v, want 137 and ECS's OutOfMemoryError", st)
	}
	if err := rt.Remove(h.State()); err != nil {
		t.Fatal(err)
	}
}
