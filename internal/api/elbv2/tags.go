package elbv2

import (
	"context"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// maxTagResources is how many ARNs ELB's tag operations take at once.
const maxTagResources = 20

// parseTags reads and validates the Tags list.
func parseTags(f form) ([]model.Tag, error) {
	var tags []model.Tag
	for _, t := range f.list("Tags") {
		tags = append(tags, model.Tag{Key: t.str("Key"), Value: t.str("Value")})
	}
	return tags, model.ValidateELBTags(tags)
}

func tooManyTags() error {
	return awsproto.ClientError(codeTooManyTags, "The quota for the number of tags that can be assigned to a resource has been reached (%d)", model.MaxELBTags)
}

// putNewTags tags a resource created in this transaction.
func putNewTags(tx state.Tx, arn string, tags []model.Tag) error {
	if len(tags) > model.MaxELBTags {
		return tooManyTags()
	}
	return tx.PutELBTags(arn, tags)
}

func resourceARNs(f form) ([]string, error) {
	arns := f.strList("ResourceArns")
	switch {
	case len(arns) == 0:
		return nil, validation("At least one resource ARN must be specified")
	case len(arns) > maxTagResources:
		return nil, validation("At most %d resource ARNs can be specified", maxTagResources)
	}
	return arns, nil
}

func (h *Handler) addTags(ctx context.Context, f form) (any, error) {
	arns, err := resourceARNs(f)
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(f)
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, validation("At least one tag must be specified")
	}
	return nil, h.editTags(ctx, arns, func(have []model.Tag) ([]model.Tag, error) {
		have = model.MergeTags(have, tags)
		if len(have) > model.MaxELBTags {
			return nil, tooManyTags()
		}
		return have, nil
	})
}

func (h *Handler) removeTags(ctx context.Context, f form) (any, error) {
	arns, err := resourceARNs(f)
	if err != nil {
		return nil, err
	}
	keys := f.strList("TagKeys")
	if len(keys) == 0 {
		return nil, validation("At least one tag key must be specified")
	}
	return nil, h.editTags(ctx, arns, func(have []model.Tag) ([]model.Tag, error) {
		return model.RemoveTagKeys(have, keys), nil
	})
}

// editTags applies edit to the tags of every resource in one transaction:
// every resource must exist, and one refused edit changes nothing.
func (h *Handler) editTags(ctx context.Context, arns []string, edit func([]model.Tag) ([]model.Tag, error)) error {
	return h.st.Update(ctx, func(tx state.Tx) error {
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
	})
}

type tagDescription struct {
	ResourceArn string
	Tags        list[wireTag]
}

type describeTagsResult struct {
	TagDescriptions list[tagDescription]
}

func (h *Handler) describeTags(ctx context.Context, f form) (any, error) {
	arns, err := resourceARNs(f)
	if err != nil {
		return nil, err
	}
	res := describeTagsResult{TagDescriptions: list[tagDescription]{Member: []tagDescription{}}}
	err = h.st.View(ctx, func(tx state.Tx) error {
		for _, arn := range arns {
			if err := tx.ELBResourceExists(arn); err != nil {
				return err
			}
			tags, err := tx.ELBTags(arn)
			if err != nil {
				return err
			}
			res.TagDescriptions.Member = append(res.TagDescriptions.Member, tagDescription{ResourceArn: arn, Tags: toWireTags(tags)})
		}
		return nil
	})
	return res, err
}
