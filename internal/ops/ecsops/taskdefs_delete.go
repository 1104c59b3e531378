package ecsops

import (
	"context"
	"errors"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// MaxDeleteTaskDefinitions is how many revisions one DeleteTaskDefinitions names at most.
const MaxDeleteTaskDefinitions = 10

// DeleteTaskDefinitionsInput is DeleteTaskDefinitions' input.
type DeleteTaskDefinitionsInput struct {
	// TaskDefinitions are family:revision or ARNs with a revision, 1 to
	// MaxDeleteTaskDefinitions of them.
	TaskDefinitions []string `json:"taskDefinitions"`
}

// DeleteTaskDefinitionsOutput is DeleteTaskDefinitions' output.
type DeleteTaskDefinitionsOutput struct {
	TaskDefinitions []TaskDefinition
	Failures        []Failure
}

// DeleteTaskDefinitions moves INACTIVE revisions to DELETE_IN_PROGRESS, as
// ECS does: tasks and services that use one keep running and scaling, but
// it cannot run new tasks, create services or be deployed. Slipway keeps
// the record in that status (ECS removes it once nothing uses it), so the
// family's revision numbers are never reused. An ACTIVE revision is a
// failure: it must be deregistered first.
func (s *Ops) DeleteTaskDefinitions(ctx context.Context, in *DeleteTaskDefinitionsInput) (*DeleteTaskDefinitionsOutput, error) {
	if len(in.TaskDefinitions) == 0 || len(in.TaskDefinitions) > MaxDeleteTaskDefinitions {
		return nil, invalidParam("taskDefinitions must have between 1 and %d items.", MaxDeleteTaskDefinitions)
	}
	type ref struct {
		family string
		rev    int
	}
	refs := make([]ref, 0, len(in.TaskDefinitions))
	for _, r := range in.TaskDefinitions {
		family, rev, err := explicitRevision(r)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref{family, rev})
	}
	out := &DeleteTaskDefinitionsOutput{}
	err := s.st.Update(ctx, func(tx state.Tx) error {
		out.TaskDefinitions, out.Failures = []TaskDefinition{}, []Failure{}
		for _, r := range refs {
			arn := tx.Partition.TaskDefinitionARN(r.family, r.rev)
			td, err := tx.TaskDefinition(r.family, r.rev)
			switch {
			case errors.Is(err, state.ErrTaskDefinitionNotFound):
				out.Failures = append(out.Failures, Failure{ARN: arn, Reason: "MISSING"})
				continue
			case err != nil:
				return err
			case td.Status == model.TaskDefinitionActive:
				out.Failures = append(out.Failures, Failure{ARN: arn,
					Reason: "The specified task definition is still in ACTIVE status. Please deregister the target and try again."})
				continue
			case td.Status == model.TaskDefinitionInactive:
				td.Status, td.DeleteRequestedAt = model.TaskDefinitionDeleteInProgress, model.Ptr(s.st.Now())
				if err := tx.PutTaskDefinition(td); err != nil {
					return err
				}
			}
			out.TaskDefinitions = append(out.TaskDefinitions, *taskDefinitionOf(td, nil))
		}
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	s.log.Info("task definitions deleted", "count", len(out.TaskDefinitions), "failures", len(out.Failures))
	return out, nil
}
