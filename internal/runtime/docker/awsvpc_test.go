package docker_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// TestAwsvpcTasksShareANamespaceOnTheirOwnAddress runs two awsvpc tasks of
// two containers each, with the same container ports: each task answers on
// its own loopback address, and its containers reach each other on
// localhost.
func TestAwsvpcTasksShareANamespaceOnTheirOwnAddress(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var tasks []runtime.TaskSpec
	for i, addr := range []string{"127.77.0.11", "127.77.0.12"} {
		web, side := e.spec("web"), e.spec("side")
		side.TaskARN, side.TaskID = web.TaskARN, web.TaskID
		side.Env = []string{"PROBE_PORT=9090"}
		side.PortMappings = []runtime.PortMapping{{ContainerPort: 9090, HostPort: 9090}}
		web.PortMappings = []runtime.PortMapping{{ContainerPort: 8080, HostPort: 8080}}
		net := runtime.Network{Mode: runtime.NetworkAwsvpc, Address: addr}
		web.Network, side.Network = net, net
		task := runtime.TaskSpec{TaskARN: web.TaskARN, TaskID: web.TaskID, Network: net, Labels: web.Labels,
			PortMappings: append(append([]runtime.PortMapping(nil), web.PortMappings...), side.PortMappings...)}
		if err := e.rt.PrepareTask(ctx, task); err != nil {
			t.Fatal(err)
		}
		if err := e.rt.PrepareTask(ctx, task); err != nil { // again, as after a restart
			t.Fatal(err)
		}
		tasks = append(tasks, task)
		w, s := e.start(web), e.start(side)
		if b := w.Bindings(); len(b) != 1 || b[0].BindIP != addr || b[0].HostPort != 8080 {
			t.Errorf("task %d bindings %+v, want 8080 on %s", i, b, addr)
		}
		get(t, fmt.Sprintf("http://%s:8080/health", addr))
		get(t, fmt.Sprintf("http://%s:9090/health", addr))
		if got := get(t, fmt.Sprintf("http://%s:8080/get?url=http://127.0.0.1:9090/health", addr)); got != "ok\n" {
			t.Errorf("web reaching side on localhost: %q", got)
		}
		_ = s
	}
	prepared, err := e.rt.PreparedTasks(ctx)
	if err != nil || len(prepared) != 2 {
		t.Fatalf("prepared %+v %v, want both tasks", prepared, err)
	}
	for _, task := range tasks {
		if err := e.rt.ReleaseTask(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	f := make(client.Filters).Add("label", "dev.slipway.store="+e.storeID, "dev.slipway.role=network")
	list, err := e.cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil || len(list.Items) != 0 {
		t.Errorf("holders after ReleaseTask: %d %v", len(list.Items), err)
	}
	_ = time.Second
}
