package ecs

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

// taskSetOut is the ECS TaskSet shape: the record without Slipway's
// bookkeeping, with its tags when they were asked for.
type taskSetOut struct {
	model.TaskSet
	Internal *struct{}   `json:"internal,omitempty"`
	Tags     []model.Tag `json:"tags,omitempty"`
}

func taskSetWire(ts model.TaskSet, tags []model.Tag) taskSetOut {
	return taskSetOut{TaskSet: ts, Tags: tags}
}

// serviceTaskSets is a service's taskSets member: absent for a service of
// the ECS deployment controller, a list (even empty) otherwise.
func serviceTaskSets(s model.Service) *[]taskSetOut {
	if !s.UsesTaskSets() {
		return nil
	}
	out := make([]taskSetOut, 0, len(s.TaskSets))
	for _, ts := range s.TaskSets {
		out = append(out, taskSetWire(ts, nil))
	}
	return &out
}

type taskSetResult struct {
	TaskSet taskSetOut `json:"taskSet"`
}

func taskSetResultOut(o *ecsops.TaskSet) any {
	return taskSetResult{TaskSet: taskSetWire(o.TaskSet, o.Tags)}
}

type describeTaskSetsResp struct {
	TaskSets []taskSetOut `json:"taskSets"`
	Failures []failure    `json:"failures"`
}

func describeTaskSetsOut(o *ecsops.DescribeTaskSetsOutput) any {
	resp := describeTaskSetsResp{TaskSets: make([]taskSetOut, 0, len(o.TaskSets)), Failures: failuresWire(o.Failures)}
	for _, ts := range o.TaskSets {
		resp.TaskSets = append(resp.TaskSets, taskSetWire(ts.TaskSet, ts.Tags))
	}
	return resp
}
