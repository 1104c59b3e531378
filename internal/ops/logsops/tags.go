package logsops

import (
	"context"
	"maps"
	"slices"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/logstore"
	"github.com/slipway-dev/slipway/internal/model"
)

// errReservedTag refuses a caller's tag key with the aws: prefix, which
// only AWS (here, CloudFormation's system tags) sets.
var errReservedTag = awserr.New(codeInvalidParameter, "Tag keys beginning with aws: are reserved for AWS use.")

// withSystemTags is a new log group's tags: the caller's, which may not use
// the aws: prefix, and the system tags an in-process caller set.
func withSystemTags(tags, system Tags) (Tags, error) {
	if err := noReserved(slices.Collect(maps.Keys(tags))); err != nil {
		return nil, err
	}
	if len(system) == 0 {
		return tags, nil
	}
	check := make([]model.Tag, 0, len(system))
	for _, k := range slices.Sorted(maps.Keys(system)) {
		check = append(check, model.Tag{Key: k, Value: system[k]})
	}
	if err := model.ValidateSystemTags(check); err != nil {
		return nil, awserr.New(codeInvalidParameter, "%v", err)
	}
	out := maps.Clone(tags)
	if out == nil {
		out = Tags{}
	}
	maps.Copy(out, system)
	return out, nil
}

func noReserved(keys []string) error {
	for _, k := range keys {
		if model.ReservedTagKey(k) {
			return errReservedTag
		}
	}
	return nil
}

// userTagCount is how many tags count against the quota (system tags do not).
func userTagCount(tags Tags) int {
	n := 0
	for k := range tags {
		if !model.ReservedTagKey(k) {
			n++
		}
	}
	return n
}

// errTooManyTags is CloudWatch's refusal of a 51st tag.
var errTooManyTags = awserr.New(codeTooManyTags, "A resource can have no more than 50 tags.")

// TagResource adds or replaces tags of a log group, named by its ARN.
func (s *Service) TagResource(_ context.Context, in *TagResourceInput) error {
	v := &validation{}
	s.validateARN(v, in.ResourceARN)
	if in.Tags == nil {
		v.fail(nil, "tags", "Member must not be null")
	}
	v.tags("tags", in.Tags, 1)
	if err := v.err(); err != nil {
		return err
	}
	group, err := s.taggedGroup(in.ResourceARN)
	if err != nil {
		return err
	}
	return s.tag(group, in.Tags)
}

// UntagResource removes tags of a log group, named by its ARN.
func (s *Service) UntagResource(_ context.Context, in *UntagResourceInput) error {
	v := &validation{}
	s.validateARN(v, in.ResourceARN)
	if in.TagKeys == nil {
		v.fail(nil, "tagKeys", "Member must not be null")
	}
	v.listLen("tagKeys", len(in.TagKeys), 0, maxTags)
	for _, k := range in.TagKeys {
		v.tagKey("tagKeys.member", k)
	}
	if err := v.err(); err != nil {
		return err
	}
	group, err := s.taggedGroup(in.ResourceARN)
	if err != nil {
		return err
	}
	return s.untag(group, in.TagKeys)
}

// ListTagsForResource returns a log group's tags.
func (s *Service) ListTagsForResource(_ context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	v := &validation{}
	s.validateARN(v, in.ResourceARN)
	if err := v.err(); err != nil {
		return nil, err
	}
	group, err := s.taggedGroup(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	tags, err := s.groupTags(group)
	return &ListTagsForResourceOutput{Tags: tags}, err
}

// TagLogGroup is the deprecated TagResource by group name.
func (s *Service) TagLogGroup(_ context.Context, in *TagLogGroupInput) error {
	v := &validation{}
	v.groupName("logGroupName", in.LogGroupName, true)
	if in.Tags == nil {
		v.fail(nil, "tags", "Member must not be null")
	}
	v.tags("tags", in.Tags, 1)
	if err := v.err(); err != nil {
		return err
	}
	return s.tag(in.LogGroupName, in.Tags)
}

// UntagLogGroup is the deprecated UntagResource by group name.
func (s *Service) UntagLogGroup(_ context.Context, in *UntagLogGroupInput) error {
	v := &validation{}
	v.groupName("logGroupName", in.LogGroupName, true)
	if in.Tags == nil {
		v.fail(nil, "tags", "Member must not be null")
	} else {
		v.listLen("tags", len(in.Tags), 1, maxTags)
	}
	for _, k := range in.Tags {
		v.tagKey("tags.member", k)
	}
	if err := v.err(); err != nil {
		return err
	}
	return s.untag(in.LogGroupName, in.Tags)
}

// ListTagsLogGroup is the deprecated ListTagsForResource by group name.
func (s *Service) ListTagsLogGroup(_ context.Context, in *ListTagsLogGroupInput) (*ListTagsLogGroupOutput, error) {
	v := &validation{}
	v.groupName("logGroupName", in.LogGroupName, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	tags, err := s.groupTags(in.LogGroupName)
	return &ListTagsLogGroupOutput{Tags: tags}, err
}

func (s *Service) validateARN(v *validation, arn string) {
	if v.required("resourceArn", arn) {
		v.str("resourceArn", arn, 1, maxARNLen, reARN, patARN)
	}
}

// taggedGroup is the log group a tagging ARN names. Log groups are the only
// taggable resources here (destinations do not exist).
func (s *Service) taggedGroup(arn string) (string, error) {
	group, ok := s.groupFromARN(arn)
	if !ok {
		return "", awserr.New(codeNotFound, "The specified resource does not exist.")
	}
	return group, nil
}

func (s *Service) tag(group string, tags Tags) error {
	if err := noReserved(slices.Collect(maps.Keys(tags))); err != nil {
		return err
	}
	return storeErr(s.store.UpdateGroup(group, func(g *logstore.GroupSettings) error {
		merged := maps.Clone(g.Tags)
		if merged == nil {
			merged = Tags{}
		}
		maps.Copy(merged, tags)
		if userTagCount(merged) > maxTags {
			return errTooManyTags
		}
		g.Tags = merged
		return nil
	}))
}

func (s *Service) untag(group string, keys []string) error {
	if err := noReserved(keys); err != nil {
		return err
	}
	return storeErr(s.store.UpdateGroup(group, func(g *logstore.GroupSettings) error {
		for _, k := range keys {
			delete(g.Tags, k)
		}
		return nil
	}))
}

func (s *Service) groupTags(group string) (Tags, error) {
	g, err := s.store.Group(group)
	if err != nil {
		return nil, storeErr(err)
	}
	if g.Tags == nil {
		return Tags{}, nil
	}
	return g.Tags, nil
}
