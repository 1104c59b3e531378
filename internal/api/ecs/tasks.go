package ecs

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

// The tasks' JSON shapes, member for member as ECS sends them.

// taskOut is the ECS Task shape: the record without Slipway's bookkeeping.
type taskOut struct {
	model.Task
	Internal   *struct{}      `json:"internal,omitempty"`
	Containers []containerOut `json:"containers"`
	Tags       []model.Tag    `json:"tags,omitempty"`
}

type containerOut struct {
	model.Container
	RuntimeState *struct{} `json:"runtimeState,omitempty"`
}

func taskWire(t ecsops.Task) taskOut {
	out := taskOut{Task: t.Task, Tags: t.Tags, Containers: make([]containerOut, 0, len(t.Containers))}
	for _, c := range t.Containers {
		out.Containers = append(out.Containers, containerOut{Container: c})
	}
	return out
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
