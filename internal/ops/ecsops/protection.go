package ecsops

import (
	"context"
	"errors"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// Task scale-in protection: a protected service task is not stopped when
// its service scales in (the scheduler skips it) until the protection
// expires or is turned off. Only a service's tasks can be protected.

// MaxUpdateTaskProtection and MaxGetTaskProtection bound the tasks one call names.
const (
	MaxUpdateTaskProtection = 10
	MaxGetTaskProtection    = 100
)

// ProtectedTask is a task's protection as ECS answers it.
type ProtectedTask struct {
	TaskARN           string
	ProtectionEnabled bool
	// ExpirationDate is set while protection is enabled.
	ExpirationDate *model.Time
}

func protectedTaskOf(t model.Task, now time.Time) ProtectedTask {
	out := ProtectedTask{TaskARN: t.ARN, ProtectionEnabled: t.Protected(now)}
	if out.ProtectionEnabled {
		out.ExpirationDate = model.Ptr(t.Internal.ProtectedUntil)
	}
	return out
}

// UpdateTaskProtectionInput is UpdateTaskProtection's input.
type UpdateTaskProtectionInput struct {
	// Cluster is a name or ARN; it must be given.
	Cluster string `json:"cluster"`
	// Tasks are ids or ARNs, 1 to MaxUpdateTaskProtection of them.
	Tasks             []string `json:"tasks"`
	ProtectionEnabled bool     `json:"protectionEnabled"`
	// ExpiresInMinutes (1 to model.MaxProtectionMinutes) applies with
	// ProtectionEnabled; model.DefaultProtectionMinutes when not given.
	ExpiresInMinutes *int `json:"expiresInMinutes"`
}

// TaskProtectionOutput is UpdateTaskProtection's and GetTaskProtection's output.
type TaskProtectionOutput struct {
	ProtectedTasks []ProtectedTask
	Failures       []Failure
}

// UpdateTaskProtection turns protection on (for the given minutes, counted
// afresh on every call) or off. A task that does not exist is a MISSING
// failure; one that is not a service's, or that has stopped, TASK_NOT_VALID.
func (s *Ops) UpdateTaskProtection(ctx context.Context, in *UpdateTaskProtectionInput) (*TaskProtectionOutput, error) {
	minutes, err := protectionMinutes(in)
	if err != nil {
		return nil, err
	}
	now := s.st.Now()
	out := &TaskProtectionOutput{}
	err = s.st.Update(ctx, func(tx state.Tx) error {
		out.ProtectedTasks, out.Failures = []ProtectedTask{}, []Failure{}
		return eachProtectableTask(tx, in.Cluster, in.Tasks, &out.Failures, func(t model.Task) error {
			t.Internal.ProtectedUntil = time.Time{}
			if in.ProtectionEnabled {
				t.Internal.ProtectedUntil = now.Add(time.Duration(minutes) * time.Minute)
			}
			out.ProtectedTasks = append(out.ProtectedTasks, protectedTaskOf(t, now))
			return tx.PutTask(t)
		})
	})
	if err != nil {
		return nil, apiErr(err)
	}
	s.log.Info("task protection updated", "cluster", clusterName(in.Cluster), "tasks", len(out.ProtectedTasks),
		"enabled", in.ProtectionEnabled, "minutes", minutes)
	return out, nil
}

func protectionMinutes(in *UpdateTaskProtectionInput) (int, error) {
	if in.Cluster == "" {
		return 0, invalidParam("cluster must be specified.")
	}
	if len(in.Tasks) == 0 || len(in.Tasks) > MaxUpdateTaskProtection {
		return 0, invalidParam("tasks must have between 1 and %d items.", MaxUpdateTaskProtection)
	}
	if in.ExpiresInMinutes == nil {
		return model.DefaultProtectionMinutes, nil
	}
	if !in.ProtectionEnabled {
		return 0, invalidParam("expiresInMinutes can only be specified when protectionEnabled is true.")
	}
	if m := *in.ExpiresInMinutes; m < 1 || m > model.MaxProtectionMinutes {
		return 0, invalidParam("expiresInMinutes must be between 1 and %d.", model.MaxProtectionMinutes)
	}
	return *in.ExpiresInMinutes, nil
}

// GetTaskProtectionInput is GetTaskProtection's input.
type GetTaskProtectionInput struct {
	// Cluster is a name or ARN; it must be given.
	Cluster string `json:"cluster"`
	// Tasks are ids or ARNs, at most MaxGetTaskProtection of them.
	Tasks []string `json:"tasks"`
}

// GetTaskProtection answers the protection of service tasks.
func (s *Ops) GetTaskProtection(ctx context.Context, in *GetTaskProtectionInput) (*TaskProtectionOutput, error) {
	if in.Cluster == "" {
		return nil, invalidParam("cluster must be specified.")
	}
	if len(in.Tasks) == 0 || len(in.Tasks) > MaxGetTaskProtection {
		return nil, invalidParam("tasks must have between 1 and %d items.", MaxGetTaskProtection)
	}
	now := s.st.Now()
	out := &TaskProtectionOutput{}
	err := s.st.View(ctx, func(tx state.Tx) error {
		out.ProtectedTasks, out.Failures = []ProtectedTask{}, []Failure{}
		return eachProtectableTask(tx, in.Cluster, in.Tasks, &out.Failures, func(t model.Task) error {
			out.ProtectedTasks = append(out.ProtectedTasks, protectedTaskOf(t, now))
			return nil
		})
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}

// eachProtectableTask calls fn with each named task of an ACTIVE cluster
// that can be protected, and records a failure for each other one.
func eachProtectableTask(tx state.Tx, clusterRef string, refs []string, failures *[]Failure, fn func(model.Task) error) error {
	cluster, err := tx.ActiveCluster(clusterName(clusterRef))
	if err != nil {
		return err
	}
	for _, ref := range refs {
		arn := tx.Partition.TaskARN(cluster.Name, taskID(ref))
		t, err := tx.Task(cluster.Name, taskID(ref))
		switch {
		case errors.Is(err, state.ErrTaskNotFound):
			*failures = append(*failures, Failure{ARN: arn, Reason: "MISSING"})
			continue
		case err != nil:
			return err
		case t.Internal.Service == "":
			*failures = append(*failures, Failure{ARN: arn, Reason: "TASK_NOT_VALID",
				Detail: "The task is not part of a service: only a service's tasks can be protected."})
			continue
		case t.DesiredStatus == model.TaskStopped:
			*failures = append(*failures, Failure{ARN: arn, Reason: "TASK_NOT_VALID", Detail: "The task is stopping or stopped."})
			continue
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return nil
}
