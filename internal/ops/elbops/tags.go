package elbops

import (
	"context"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// MaxTagResources is how many ARNs ELB's tag operations take at once.
const MaxTagResources = 20

func tooManyTags() error {
	return clientErr(CodeTooManyTags, "The quota for the number of tags that can be assigned to a resource has been reached (%d)", model.MaxELBTags)
}

// putNewTags tags a resource created in this transaction with the caller's
// tags, validated (model.ValidateELBTags) before the transaction, and the
// system tags an in-process caller set, which the quota does not count.
func putNewTags(tx state.Tx, arn string, tags, system []Tag) error {
	if len(tags) > model.MaxELBTags {
		return tooManyTags()
	}
	if err := model.ValidateSystemTags(system); err != nil {
		return err
	}
	if len(system) > 0 {
		tags = append(append([]Tag(nil), tags...), system...)
	}
	return tx.PutELBTags(arn, tags)
}

// AddTagsInput is AddTags' input.
type AddTagsInput struct {
	ResourceARNs []string
	Tags         []Tag
}

// RemoveTagsInput is RemoveTags' input.
type RemoveTagsInput struct {
	ResourceARNs []string
	TagKeys      []string
}

// DescribeTagsInput is DescribeTags' input.
type DescribeTagsInput struct {
	ResourceARNs []string
}

// TagDescription is one resource's tags.
type TagDescription struct {
	ResourceARN string
	Tags        []Tag
}

// DescribeTagsOutput is DescribeTags' output, in the order asked.
type DescribeTagsOutput struct {
	TagDescriptions []TagDescription
}

func checkResourceARNs(arns []string) error {
	switch {
	case len(arns) == 0:
		return Validation("At least one resource ARN must be specified")
	case len(arns) > MaxTagResources:
		return Validation("At most %d resource ARNs can be specified", MaxTagResources)
	}
	return nil
}

// AddTags adds or replaces tags of load balancers, target groups,
// listeners and rules, all or none.
func (s *Service) AddTags(ctx context.Context, in *AddTagsInput) error {
	if err := checkResourceARNs(in.ResourceARNs); err != nil {
		return err
	}
	if err := model.ValidateELBTags(in.Tags); err != nil {
		return fail(err)
	}
	if len(in.Tags) == 0 {
		return Validation("At least one tag must be specified")
	}
	return s.editTags(ctx, in.ResourceARNs, func(have []Tag) ([]Tag, error) {
		have = model.MergeTags(have, in.Tags)
		if len(model.UserTags(have)) > model.MaxELBTags { // system tags do not count
			return nil, tooManyTags()
		}
		return have, nil
	})
}

// RemoveTags removes tag keys from resources, all or none.
func (s *Service) RemoveTags(ctx context.Context, in *RemoveTagsInput) error {
	if err := checkResourceARNs(in.ResourceARNs); err != nil {
		return err
	}
	if len(in.TagKeys) == 0 {
		return Validation("At least one tag key must be specified")
	}
	for _, k := range in.TagKeys {
		if model.ReservedTagKey(k) { // system tags stay: ELB's refusal of the prefix
			return fail(model.ValidateELBTags([]Tag{{Key: k}}))
		}
	}
	return s.editTags(ctx, in.ResourceARNs, func(have []Tag) ([]Tag, error) {
		return model.RemoveTagKeys(have, in.TagKeys), nil
	})
}

// editTags applies edit to the tags of every resource in one transaction:
// every resource must exist, and one refused edit changes nothing.
func (s *Service) editTags(ctx context.Context, arns []string, edit func([]Tag) ([]Tag, error)) error {
	return fail(s.st.Update(ctx, func(tx state.Tx) error {
		for _, arn := range arns {
			if err := tx.ELBResourceExists(arn); err != nil {
				return err
			}
			have, err := tx.ELBTags(arn)
			if err != nil {
				return err
			}
			if have, err = edit(have); err != nil {
				return err
			}
			if err := tx.PutELBTags(arn, have); err != nil {
				return err
			}
		}
		return nil
	}))
}

// DescribeTags describes the tags of resources; every one must exist.
func (s *Service) DescribeTags(ctx context.Context, in *DescribeTagsInput) (*DescribeTagsOutput, error) {
	if err := checkResourceARNs(in.ResourceARNs); err != nil {
		return nil, err
	}
	out := &DescribeTagsOutput{TagDescriptions: []TagDescription{}}
	err := s.st.View(ctx, func(tx state.Tx) error {
		for _, arn := range in.ResourceARNs {
			if err := tx.ELBResourceExists(arn); err != nil {
				return err
			}
			tags, err := tx.ELBTags(arn)
			if err != nil {
				return err
			}
			out.TagDescriptions = append(out.TagDescriptions, TagDescription{ResourceARN: arn, Tags: tags})
		}
		return nil
	})
	if err != nil {
		return nil, fail(err)
	}
	return out, nil
}
