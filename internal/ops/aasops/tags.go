package aasops

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/slipway-dev/slipway/internal/store"
)

// taggableARN is the model's pattern of a taggable resource: scalable
// targets only.
var taggableARN = regexp.MustCompile(`^arn:.+:application-autoscaling:.+:[0-9]+:scalable-target/[a-zA-Z0-9-]+$`)

// checkTags applies the tag rules: keys of 1 to 128 characters not starting
// with aws:, values of at most 256.
func checkTags(tags map[string]string) error {
	if len(tags) > MaxTags {
		return errorf(CodeTooManyTags, "The number of tags (%d) exceeds the maximum of %d tags per resource.", len(tags), MaxTags)
	}
	for k, v := range tags {
		if err := checkString("tags.key", k, 1, 128); err != nil {
			return err
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return invalid("Tag keys starting with 'aws:' are reserved for AWS use: %s", k)
		}
		if err := checkString("tags.value", v, 0, 256); err != nil {
			return err
		}
	}
	return nil
}

// mergeTags adds add to cur, refusing a result beyond MaxTags.
func mergeTags(cur, add map[string]string) (map[string]string, error) {
	if len(add) == 0 {
		return cur, nil
	}
	out := maps.Clone(cur)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, add)
	if len(out) > MaxTags {
		return nil, errorf(CodeTooManyTags, "The number of tags (%d) exceeds the maximum of %d tags per resource.", len(out), MaxTags)
	}
	return out, nil
}

func checkTaggable(arn string) error {
	if err := checkString("resourceARN", arn, 1, 1011); err != nil {
		return err
	}
	if !taggableARN.MatchString(arn) {
		return validation(arn, "resourceARN", "Member must satisfy regular expression pattern: "+taggableARN.String())
	}
	return nil
}

// editTarget applies fn to the target whose ARN is arn.
func (s *Service) editTarget(ctx context.Context, arn string, fn func(*Target) error) error {
	return s.opts.Store.Update(ctx, func(tx store.Tx) error {
		var found *Target
		err := store.ScanJSON(tx, bucketTargets, "", "", func(_ string, t Target) bool {
			if t.ARN == arn {
				found = &t
				return false
			}
			return true
		})
		if err != nil {
			return err
		}
		if found == nil {
			return errorf(CodeResourceNotFound, "Scalable target %s not found.", arn)
		}
		if err := fn(found); err != nil {
			return err
		}
		return store.PutJSON(tx, bucketTargets, found.ResourceID, *found)
	})
}

// TagResource adds or replaces tags of a scalable target.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) error {
	if err := checkTaggable(in.ResourceARN); err != nil {
		return err
	}
	if in.Tags == nil {
		return required("tags")
	}
	if err := checkTags(in.Tags); err != nil {
		return err
	}
	return internal(s.editTarget(ctx, in.ResourceARN, func(t *Target) error {
		merged, err := mergeTags(t.Tags, in.Tags)
		t.Tags = merged
		return err
	}))
}

// UntagResource removes tags of a scalable target.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) error {
	if err := checkTaggable(in.ResourceARN); err != nil {
		return err
	}
	if in.TagKeys == nil {
		return required("tagKeys")
	}
	if len(in.TagKeys) > 200 {
		return validation(len(in.TagKeys), "tagKeys", "Member must have length less than or equal to 200")
	}
	for i, k := range in.TagKeys {
		if err := checkString(fmt.Sprintf("tagKeys.%d.member", i+1), k, 1, 128); err != nil {
			return err
		}
	}
	return internal(s.editTarget(ctx, in.ResourceARN, func(t *Target) error {
		for _, k := range in.TagKeys {
			delete(t.Tags, k)
		}
		return nil
	}))
}

// ListTagsForResource lists a scalable target's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	if err := checkTaggable(in.ResourceARN); err != nil {
		return nil, err
	}
	out := &ListTagsForResourceOutput{Tags: map[string]string{}}
	err := s.opts.Store.View(ctx, func(tx store.Tx) error {
		found := false
		err := store.ScanJSON(tx, bucketTargets, "", "", func(_ string, t Target) bool {
			if t.ARN == in.ResourceARN {
				found = true
				maps.Copy(out.Tags, t.Tags)
				return false
			}
			return true
		})
		if err == nil && !found {
			return errorf(CodeResourceNotFound, "Scalable target %s not found.", in.ResourceARN)
		}
		return err
	})
	if err != nil {
		return nil, internal(err)
	}
	return out, nil
}
