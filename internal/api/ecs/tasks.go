package ecs

import (
	"encoding/json"
	goruntime "runtime"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

// The tasks' JSON shapes, member for member as ECS sends them.

// taskOut is the ECS Task shape: the record without Slipway's bookkeeping.
type taskOut struct {
	model.Task
	Internal   *struct{}      `json:"internal,omitempty"`
	Containers []containerOut `json:"containers"`
	Tags       []model.Tag    `json:"tags"`
	// ECS always sends these; the wire fills them where the record has
	// none (see taskWire).
	Attributes       []model.Attribute `json:"attributes"`
	AvailabilityZone string            `json:"availabilityZone"`
	CPU              string            `json:"cpu"`
	Memory           string            `json:"memory"`
	Overrides        json.RawMessage   `json:"overrides"`
	// Fargate tasks (fargateTaskWire): no container instance, the platform
	// (the one asked for on any task) and the ephemeral storage.
	ContainerInstanceARN    *string                 `json:"containerInstanceArn,omitempty"`
	PlatformVersion         string                  `json:"platformVersion,omitempty"`
	PlatformFamily          string                  `json:"platformFamily,omitempty"`
	EphemeralStorage        *model.EphemeralStorage `json:"ephemeralStorage,omitempty"`
	FargateEphemeralStorage *model.EphemeralStorage `json:"fargateEphemeralStorage,omitempty"`
}

type containerOut struct {
	model.Container
	RuntimeState *struct{} `json:"runtimeState,omitempty"`
	CPU          string    `json:"cpu"`
}

// taskWire is the task as ECS sends it: the CPU architecture attribute,
// the zone (the region's first, Slipway's one zone), the task's cpu and
// memory (its reservation when the definition gives no task size, as ECS
// sums the containers'), overrides with an entry per container, tags and
// each container's cpu ("0" when it has none).
func taskWire(t ecsops.Task) taskOut {
	out := taskOut{Task: t.Task, Tags: orEmpty(t.Tags), Containers: make([]containerOut, 0, len(t.Containers)),
		Attributes:       []model.Attribute{{Name: "ecs.cpu-architecture", Value: cpuArchitecture()}},
		AvailabilityZone: t.AvailabilityZone, CPU: t.CPU, Memory: t.Memory}
	if out.AvailabilityZone == "" {
		out.AvailabilityZone = regionOf(t.ARN) + "a"
	}
	if out.CPU == "" {
		out.CPU = strconv.Itoa(t.Internal.Reserved.CPU)
	}
	if out.Memory == "" {
		out.Memory = strconv.Itoa(t.Internal.Reserved.Memory)
	}
	names := make([]string, 0, len(t.Containers))
	for _, c := range t.Containers {
		out.Containers = append(out.Containers, containerOut{Container: c, CPU: orDefault(c.CPU, "0")})
		names = append(names, c.Name)
	}
	out.Overrides = overridesWire(t.Overrides, names)
	if t.ContainerInstanceARN != "" {
		out.ContainerInstanceARN = &t.ContainerInstanceARN
	}
	out.PlatformVersion = t.PlatformVersion
	fargateTaskWire(&out, t.Task)
	return out
}

// overridesWire completes a task's overrides as ECS sends them: a
// containerOverrides entry for every container (by name) and
// inferenceAcceleratorOverrides, [] when none were given.
func overridesWire(raw json.RawMessage, containers []string) json.RawMessage {
	o := map[string]json.RawMessage{}
	if len(raw) > 0 && json.Unmarshal(raw, &o) != nil {
		return raw
	}
	var cos []map[string]any
	if v, ok := o["containerOverrides"]; ok && json.Unmarshal(v, &cos) != nil {
		return raw
	}
	have := map[string]bool{}
	for _, co := range cos {
		if n, ok := co["name"].(string); ok {
			have[n] = true
		}
	}
	for _, n := range containers {
		if !have[n] {
			cos = append(cos, map[string]any{"name": n})
		}
	}
	if cos == nil {
		cos = []map[string]any{}
	}
	o["containerOverrides"], _ = json.Marshal(cos)
	if _, ok := o["inferenceAcceleratorOverrides"]; !ok {
		o["inferenceAcceleratorOverrides"] = json.RawMessage("[]")
	}
	b, err := json.Marshal(o)
	if err != nil {
		return raw
	}
	return b
}

// regionOf is the region of an ARN ("" when it has none).
func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// cpuArchitecture is ECS's name of this machine's CPU architecture.
func cpuArchitecture() string {
	if goruntime.GOARCH == "arm64" {
		return "arm64"
	}
	return "x86_64"
}

func tasksWire(ts []ecsops.Task) []taskOut {
	out := make([]taskOut, 0, len(ts))
	for _, t := range ts {
		out = append(out, taskWire(t))
	}
	return out
}

type tasksResp struct {
	Tasks    []taskOut `json:"tasks"`
	Failures []failure `json:"failures"`
}

func runTaskOut(o *ecsops.RunTaskOutput) any {
	return tasksResp{Tasks: tasksWire(o.Tasks), Failures: failuresWire(o.Failures)}
}

func describeTasksOut(o *ecsops.DescribeTasksOutput) any {
	return tasksResp{Tasks: tasksWire(o.Tasks), Failures: failuresWire(o.Failures)}
}

type taskResult struct {
	Task taskOut `json:"task"`
}

func stopTaskOut(t *ecsops.Task) any { return taskResult{Task: taskWire(*t)} }

type listTasksResp struct {
	TaskArns  []string `json:"taskArns"`
	NextToken string   `json:"nextToken,omitempty"`
}

func listTasksOut(o *ecsops.ListTasksOutput) any {
	return listTasksResp{TaskArns: o.TaskARNs, NextToken: o.NextToken}
}
