package ecsops

import (
	"context"
	"slices"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// MaxDescribeTaskSets bounds DescribeTaskSets' taskSets (a service has at
// most model.MaxTaskSetsPerService; more references can only repeat them).
const MaxDescribeTaskSets = 100

// UpdateTaskSetInput is UpdateTaskSet's input: only the scale changes.
type UpdateTaskSetInput struct {
	Cluster string       `json:"cluster"`
	Service string       `json:"service"`
	TaskSet string       `json:"taskSet"`
	Scale   *model.Scale `json:"scale"`
}

// UpdateTaskSet sets a task set's scale; the controller starts or stops
// tasks until it runs its new computed desired count.
func (s *Ops) UpdateTaskSet(ctx context.Context, in *UpdateTaskSetInput) (*TaskSet, error) {
	if in.Scale == nil {
		return nil, invalidParam("scale must be specified.")
	}
	if err := validateScale(*in.Scale); err != nil {
		return nil, apiErr(err)
	}
	return s.changeTaskSet(ctx, in.Cluster, in.Service, in.TaskSet, func(svc *model.Service, ts *model.TaskSet) error {
		if ts.Status == model.TaskSetDraining {
			return invalidParam("The task set %s is DRAINING and cannot be updated.", ts.ID)
		}
		ts.Scale = model.Scale{Value: in.Scale.Value, Unit: model.ScaleUnitPercent}
		ts.UpdatedAt = s.st.NowTime()
		return nil
	})
}

// DeleteTaskSetInput is DeleteTaskSet's input.
type DeleteTaskSetInput struct {
	Cluster string `json:"cluster"`
	Service string `json:"service"`
	TaskSet string `json:"taskSet"`
	// Force deletes a task set that is not scaled down to zero.
	Force *bool `json:"force"`
}

// DeleteTaskSet makes a task set DRAINING: the controller deregisters and
// stops its tasks and then removes it (and its tags).
func (s *Ops) DeleteTaskSet(ctx context.Context, in *DeleteTaskSetInput) (*TaskSet, error) {
	force := in.Force != nil && *in.Force
	return s.changeTaskSet(ctx, in.Cluster, in.Service, in.TaskSet, func(svc *model.Service, ts *model.TaskSet) error {
		if ts.Status == model.TaskSetDraining {
			return nil
		}
		if !force && (ts.Scale.Value > 0 || ts.RunningCount+ts.PendingCount > 0) {
			return invalidParam("The task set %s cannot be deleted while it is scaled above 0: update its scale to 0 first, or delete it with force.", ts.ID)
		}
		ts.Status, ts.StabilityStatus = model.TaskSetDraining, model.StabilityStabilizing
		ts.UpdatedAt, ts.StabilityStatusAt = s.st.NowTime(), s.st.NowTime()
		return nil
	})
}

// UpdateServicePrimaryTaskSetInput is UpdateServicePrimaryTaskSet's input.
type UpdateServicePrimaryTaskSetInput struct {
	Cluster        string `json:"cluster"`
	Service        string `json:"service"`
	PrimaryTaskSet string `json:"primaryTaskSet"`
}

// UpdateServicePrimaryTaskSet makes a task set PRIMARY (the previous one
// ACTIVE) and the service shows its settings (task definition, load
// balancers, launch type, network), as ECS does.
func (s *Ops) UpdateServicePrimaryTaskSet(ctx context.Context, in *UpdateServicePrimaryTaskSetInput) (*TaskSet, error) {
	if in.PrimaryTaskSet == "" {
		return nil, invalidParam("primaryTaskSet must be specified.")
	}
	return s.changeTaskSet(ctx, in.Cluster, in.Service, in.PrimaryTaskSet, func(svc *model.Service, ts *model.TaskSet) error {
		if ts.Status == model.TaskSetDraining {
			return invalidParam("The task set %s is DRAINING and cannot be the primary task set.", ts.ID)
		}
		now := s.st.NowTime()
		if old := svc.PrimaryTaskSet(); old != nil && old != ts {
			old.Status, old.UpdatedAt = model.TaskSetActive, now
		}
		ts.Status, ts.UpdatedAt = model.TaskSetPrimary, now
		svc.AdoptPrimary(ts)
		return nil
	})
}

// changeTaskSet applies change to one task set of an EXTERNAL service and
// stores the service, its task sets rescaled.
func (s *Ops) changeTaskSet(ctx context.Context, clusterRef, serviceRef, ref string, change func(*model.Service, *model.TaskSet) error) (*TaskSet, error) {
	if serviceRef == "" || clusterRef == "" {
		return nil, invalidParam("cluster and service must be specified.")
	}
	var out TaskSet
	err := s.st.Update(ctx, func(tx state.Tx) error {
		cluster, svc, err := taskSetService(tx, clusterRef, serviceRef, true)
		if err != nil {
			return err
		}
		ts, err := findTaskSet(&svc, ref)
		if err != nil {
			return err
		}
		if err := change(&svc, ts); err != nil {
			return err
		}
		svc.RescaleTaskSets(s.st.NowTime())
		if err := tx.PutService(cluster.Name, svc); err != nil {
			return err
		}
		out, err = taskSetOf(tx, *ts, true)
		return err
	})
	if err != nil {
		return nil, apiErr(err)
	}
	s.log.Info("task set changed", "task_set", out.ARN, "status", out.Status, "scale", out.Scale.Value)
	return &out, nil
}

// DescribeTaskSetsInput is DescribeTaskSets' input; no taskSets means all
// of the service's.
type DescribeTaskSetsInput struct {
	Cluster  string   `json:"cluster"`
	Service  string   `json:"service"`
	TaskSets []string `json:"taskSets"`
	Include  []string `json:"include"`
}

// DescribeTaskSetsOutput is DescribeTaskSets' answer.
type DescribeTaskSetsOutput struct {
	TaskSets []TaskSet
	Failures []Failure
}

// DescribeTaskSets describes an EXTERNAL or CODE_DEPLOY service's task
// sets; references that match none are failures with reason MISSING.
func (s *Ops) DescribeTaskSets(ctx context.Context, in *DescribeTaskSetsInput) (*DescribeTaskSetsOutput, error) {
	if in.Service == "" || in.Cluster == "" {
		return nil, invalidParam("cluster and service must be specified.")
	}
	if len(in.TaskSets) > MaxDescribeTaskSets {
		return nil, invalidParam("taskSets can have at most %d items.", MaxDescribeTaskSets)
	}
	for _, inc := range in.Include {
		if inc != IncludeTags {
			return nil, invalidParam("include must contain only TAGS.")
		}
	}
	withTags := slices.Contains(in.Include, IncludeTags)
	out := &DescribeTaskSetsOutput{}
	err := s.st.View(ctx, func(tx state.Tx) error {
		out.TaskSets, out.Failures = []TaskSet{}, []Failure{}
		_, svc, err := taskSetService(tx, in.Cluster, in.Service, false)
		if err != nil {
			return err
		}
		sets := svc.TaskSets
		if len(in.TaskSets) > 0 {
			sets = nil
			for _, ref := range in.TaskSets {
				if ts := svc.TaskSet(ref); ts != nil {
					sets = append(sets, *ts)
				} else {
					out.Failures = append(out.Failures, Failure{ARN: ref, Reason: "MISSING"})
				}
			}
		}
		for _, ts := range sets {
			view, err := taskSetOf(tx, ts, withTags)
			if err != nil {
				return err
			}
			out.TaskSets = append(out.TaskSets, view)
		}
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}
