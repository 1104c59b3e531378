package ecsops

import (
	"context"
	"errors"
	"strings"

	"github.com/slipway-dev/slipway/internal/analysis"
	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// resourceExists resolves an ECS ARN to its record, so tags are only set on
// resources that exist, with ECS's errors for those that do not.
func resourceExists(tx state.Tx, arn string) error {
	a, ok := model.ParseARN(arn)
	if !ok || a.Service != "ecs" {
		return invalidParam("The ARN %s is not a valid Amazon ECS resource ARN.", arn)
	}
	parts := strings.Split(a.Resource, "/")
	var err error
	switch {
	case parts[0] == "cluster" && len(parts) == 2:
		_, err = tx.ActiveCluster(parts[1])
	case parts[0] == "service" && len(parts) == 3:
		_, err = tx.Service(parts[1], parts[2])
	case parts[0] == "task" && len(parts) == 3:
		_, err = tx.Task(parts[1], parts[2])
	case parts[0] == "container-instance" && len(parts) == 3:
		_, err = tx.Instance(parts[1], parts[2])
	case parts[0] == "task-definition" && len(parts) == 2:
		_, err = tx.ResolveTaskDefinition(parts[1])
	case parts[0] == "task-set" && len(parts) == 5:
		err = taskSetExists(tx, parts[1], parts[2], parts[3]+"/"+parts[4])
	default:
		return invalidParam("The ARN %s is not a taggable Amazon ECS resource.", arn)
	}
	if errors.Is(err, state.ErrClusterNotFound) && parts[0] == "cluster" {
		return err
	}
	if err != nil && (errors.Is(err, state.ErrServiceNotFound) || errors.Is(err, ErrTaskSetNotFound) || errors.Is(err, state.ErrTaskNotFound) ||
		errors.Is(err, state.ErrInstanceNotFound) || errors.Is(err, state.ErrTaskDefinitionNotFound) ||
		errors.Is(err, state.ErrClusterNotFound)) {
		return awserr.Wrap(err, CodeResourceNotFound, "The specified resource could not be found.")
	}
	return err
}

// TagResourceInput is TagResource's input.
type TagResourceInput struct {
	// ResourceARN is a cluster's, service's, task's, container instance's or
	// task definition's ARN.
	ResourceARN string      `json:"resourceArn"`
	Tags        []model.Tag `json:"tags"`
}

// TagResource adds tags to a resource or changes their values; the result
// must keep within ECS's tag rules (at most model.MaxTags).
func (s *Ops) TagResource(ctx context.Context, in *TagResourceInput) error {
	if len(in.Tags) == 0 {
		return invalidParam("tags must contain at least one tag.")
	}
	if err := model.ValidateTags(in.Tags); err != nil {
		return apiErr(err)
	}
	if err := analysis.CheckTags(in.Tags); err != nil {
		return invalidParam("%v", err)
	}
	err := s.st.Update(ctx, func(tx state.Tx) error {
		if err := resourceExists(tx, in.ResourceARN); err != nil {
			return err
		}
		merged, err := tx.MergeTags(in.ResourceARN, in.Tags)
		if err != nil {
			return err
		}
		return model.ValidateTags(model.UserTags(merged)) // system tags do not count
	})
	return apiErr(err)
}

// withSystemTags is a new resource's tags: the caller's, then the system
// tags an in-process caller set.
func withSystemTags(tags, system []model.Tag) []model.Tag {
	if len(system) == 0 {
		return tags
	}
	return append(append([]model.Tag(nil), tags...), system...)
}

// UntagResourceInput is UntagResource's input.
type UntagResourceInput struct {
	ResourceARN string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

// UntagResource removes tags by key; keys the resource does not have are
// ignored, as in ECS.
func (s *Ops) UntagResource(ctx context.Context, in *UntagResourceInput) error {
	for _, k := range in.TagKeys {
		if model.ReservedTagKey(k) { // system tags stay
			return invalidParam("Tag keys may not start with the reserved prefix 'aws:'.")
		}
	}
	err := s.st.Update(ctx, func(tx state.Tx) error {
		if err := resourceExists(tx, in.ResourceARN); err != nil {
			return err
		}
		return tx.RemoveTags(in.ResourceARN, in.TagKeys)
	})
	return apiErr(err)
}

// ListTagsForResourceInput is ListTagsForResource's input.
type ListTagsForResourceInput struct {
	ResourceARN string `json:"resourceArn"`
}

// ListTagsForResourceOutput is ListTagsForResource's output.
type ListTagsForResourceOutput struct {
	Tags []model.Tag
}

// ListTagsForResource returns a resource's tags.
func (s *Ops) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	out := &ListTagsForResourceOutput{}
	err := s.st.View(ctx, func(tx state.Tx) error {
		if err := resourceExists(tx, in.ResourceARN); err != nil {
			return err
		}
		var err error
		out.Tags, err = tx.Tags(in.ResourceARN)
		return err
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}
