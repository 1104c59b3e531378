package agent

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// sampled is a handle whose runtime measures it: each sample adds a second
// of CPU time.
type sampled struct {
	runtime.Handle
	cpu time.Duration
	err error
}

func (s *sampled) Usage(context.Context) (runtime.ContainerUsage, error) {
	s.cpu += time.Second
	return runtime.ContainerUsage{ContainerName: "web", CPUTime: s.cpu, MemoryBytes: 5 << 20, MemoryLimitBytes: 64 << 20}, s.err
}

// TestStatsInDockersShape: /stats is the runtime's sample in the Docker
// Engine's stats JSON, precpu_stats the container's previous answer;
// /task/stats keys them by runtime id; a container the runtime cannot
// measure is null.
func TestStatsInDockersShape(t *testing.T) {
	r := &runner{
		td: model.TaskDefinition{Family: "web", Revision: 3, Spec: model.TaskSpec{ContainerDefinitions: []model.ContainerDefinition{{Name: "web"}, {Name: "side"}}}},
		task: model.Task{ARN: "arn:aws:ecs:us-east-1:000000000000:task/default/abc",
			Containers: []model.Container{{Name: "web", RuntimeID: "d0c4e7"}, {Name: "side"}}},
	}
	h := &sampled{}
	r.live.Store("web", runtime.Handle(h))
	type cpu struct {
		Usage struct {
			Total uint64 `json:"total_usage"`
		} `json:"cpu_usage"`
		System uint64 `json:"system_cpu_usage"`
		Online int    `json:"online_cpus"`
	}
	var st struct {
		ID, Name      string
		Read, PreRead time.Time
		CPU           cpu `json:"cpu_stats"`
		PreCPU        cpu `json:"precpu_stats"`
		Memory        struct {
			Usage, Limit uint64
		} `json:"memory_stats"`
	}
	decode := func(raw json.RawMessage) {
		t.Helper()
		if err := json.Unmarshal(raw, &st); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
	}
	decode(r.containerStats(context.Background(), "web"))
	first := st
	if st.ID != "d0c4e7" || st.Name != "/ecs-web-3-web" || st.CPU.Usage.Total != uint64(time.Second) || st.CPU.System == 0 || st.CPU.Online < 1 ||
		st.Memory.Usage != 5<<20 || st.Memory.Limit != 64<<20 || !st.PreRead.IsZero() || st.PreCPU.Usage.Total != 0 {
		t.Errorf("first /stats %+v", st)
	}
	all := r.taskStats(context.Background())
	if string(all["side"]) != "null" || len(all) != 2 {
		t.Errorf("/task/stats %v: want web by its id and side (not started) null", all)
	}
	decode(all["d0c4e7"])
	if st.CPU.Usage.Total != uint64(2*time.Second) || st.PreCPU.Usage.Total != first.CPU.Usage.Total || !st.PreRead.Equal(first.Read) || st.PreCPU.System != first.CPU.System {
		t.Errorf("second /stats %+v after %+v: want the first as precpu", st, first)
	}
	h.err = errors.New("exited")
	if got := r.containerStats(context.Background(), "web"); string(got) != "null" {
		t.Errorf("a container the runtime cannot measure: %s", got)
	}
}
