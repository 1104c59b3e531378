package ecs

import (
	"context"
	"errors"
	"strings"

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
	default:
		return invalidParam("The ARN %s is not a taggable Amazon ECS resource.", arn)
	}
	if errors.Is(err, state.ErrClusterNotFound) && parts[0] == "cluster" {
		return err
	}
	if err != nil && (errors.Is(err, state.ErrServiceNotFound) || errors.Is(err, state.ErrTaskNotFound) ||
		errors.Is(err, state.ErrInstanceNotFound) || errors.Is(err, state.ErrTaskDefinitionNotFound) ||
		errors.Is(err, state.ErrClusterNotFound)) {
		return awsErr(codeResourceNotFound, "The specified resource could not be found.")
	}
	return err
}

type tagResourceIn struct {
	ResourceARN string      `json:"resourceArn"`
	Tags        []model.Tag `json:"tags"`
}

type empty struct{}

func (h *Handler) tagResource(ctx context.Context, in *tagResourceIn) (*empty, error) {
	if len(in.Tags) == 0 {
		return nil, invalidParam("tags must contain at least one tag.")
	}
	if err := model.ValidateTags(in.Tags); err != nil {
		return nil, err
	}
	err := h.st.Update(ctx, func(tx state.Tx) error {
		if err := resourceExists(tx, in.ResourceARN); err != nil {
			return err
		}
		merged, err := tx.MergeTags(in.ResourceARN, in.Tags)
		if err != nil {
			return err
		}
		return model.ValidateTags(merged)
	})
	if err != nil {
		return nil, err
	}
	return &empty{}, nil
}

type untagResourceIn struct {
	ResourceARN string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

func (h *Handler) untagResource(ctx context.Context, in *untagResourceIn) (*empty, error) {
	err := h.st.Update(ctx, func(tx state.Tx) error {
		if err := resourceExists(tx, in.ResourceARN); err != nil {
			return err
		}
		return tx.RemoveTags(in.ResourceARN, in.TagKeys)
	})
	if err != nil {
		return nil, err
	}
	return &empty{}, nil
}

type listTagsIn struct {
	ResourceARN string `json:"resourceArn"`
}

type listTagsOut struct {
	Tags []model.Tag `json:"tags"`
}

func (h *Handler) listTagsForResource(ctx context.Context, in *listTagsIn) (*listTagsOut, error) {
	out := &listTagsOut{}
	err := h.st.View(ctx, func(tx state.Tx) error {
		if err := resourceExists(tx, in.ResourceARN); err != nil {
			return err
		}
		var err error
		out.Tags, err = tx.Tags(in.ResourceARN)
		return err
	})
	return out, err
}
