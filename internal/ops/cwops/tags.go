package cwops

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
)

// MaxTags is CloudWatch's bound on tags per resource.
const MaxTags = 50

func checkTags(tags []Tag) ([]alarms.Tag, error) {
	if len(tags) > MaxTags {
		return nil, errorf(CodeInvalidParameter, "A resource can have at most %d tags.", MaxTags)
	}
	out := make([]alarms.Tag, 0, len(tags))
	for i, t := range tags {
		if err := checkLen("tags."+itoa(i+1)+".member.key", t.Key, 1, 128); err != nil {
			return nil, err
		}
		if len(t.Value) > 256 {
			return nil, validation(t.Value, "tags."+itoa(i+1)+".member.value", "Member must have length less than or equal to 256")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, errorf(CodeInvalidParameter, "Tag keys beginning with aws: are reserved for AWS use.")
		}
		out = append(out, alarms.Tag{Key: t.Key, Value: t.Value})
	}
	return out, nil
}

// withSystemTags appends the system tags an in-process caller set, after
// the checks model.ValidateSystemTags makes.
func withSystemTags(tags []alarms.Tag, system []Tag) ([]alarms.Tag, error) {
	check := make([]model.Tag, 0, len(system))
	for _, t := range system {
		check = append(check, model.Tag{Key: t.Key, Value: t.Value})
		tags = append(tags, alarms.Tag{Key: t.Key, Value: t.Value})
	}
	if err := model.ValidateSystemTags(check); err != nil {
		return nil, errorf(CodeInvalidParameter, "%v", err)
	}
	return tags, nil
}

// userTagCount is how many of tags count against MaxTags (system tags do not).
func userTagCount(tags []alarms.Tag) int {
	n := 0
	for _, t := range tags {
		if !model.ReservedTagKey(t.Key) {
			n++
		}
	}
	return n
}

// alarmNameOf returns the alarm an ARN names.
func (s *Service) alarmNameOf(arn string) (string, error) {
	if err := checkLen("resourceARN", arn, 1, 1024); err != nil {
		return "", err
	}
	name, ok := strings.CutPrefix(arn, s.AlarmARN(""))
	if !ok || name == "" {
		return "", tagNotFound(arn)
	}
	return name, nil
}

func tagNotFound(arn string) error {
	e := awserr.New(CodeTagResourceNotFound, "%.1024s not found", arn)
	e.Status = http.StatusNotFound
	return e
}

func (s *Service) editTags(ctx context.Context, arn string, fn func([]alarms.Tag) []alarms.Tag) error {
	name, err := s.alarmNameOf(arn)
	if err != nil {
		return err
	}
	err = s.opts.Alarms.SetTags(ctx, name, fn)
	if errors.Is(err, alarms.ErrNotFound) {
		return tagNotFound(arn)
	}
	return internal(err)
}

// TagResource adds or replaces tags on an alarm.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) error {
	add, err := checkTags(in.Tags)
	if err != nil {
		return err
	}
	if in.Tags == nil {
		return required("tags")
	}
	var tooMany bool
	err = s.editTags(ctx, in.ResourceARN, func(cur []alarms.Tag) []alarms.Tag {
		out := append([]alarms.Tag(nil), cur...)
		for _, t := range add {
			replaced := false
			for i := range out {
				if out[i].Key == t.Key {
					out[i].Value, replaced = t.Value, true
				}
			}
			if !replaced {
				out = append(out, t)
			}
		}
		if tooMany = userTagCount(out) > MaxTags; tooMany {
			return cur
		}
		return out
	})
	if err == nil && tooMany {
		return errorf(CodeInvalidParameter, "A resource can have at most %d tags.", MaxTags)
	}
	return err
}

// UntagResource removes tags from an alarm.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) error {
	if in.TagKeys == nil {
		return required("tagKeys")
	}
	drop := map[string]bool{}
	for _, k := range in.TagKeys {
		if model.ReservedTagKey(k) { // system tags stay
			return errorf(CodeInvalidParameter, "Tag keys beginning with aws: are reserved for AWS use.")
		}
		drop[k] = true
	}
	return s.editTags(ctx, in.ResourceARN, func(cur []alarms.Tag) []alarms.Tag {
		var out []alarms.Tag
		for _, t := range cur {
			if !drop[t.Key] {
				out = append(out, t)
			}
		}
		return out
	})
}

// ListTagsForResource lists an alarm's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	out := ListTagsForResourceOutput{Tags: []Tag{}}
	name, err := s.alarmNameOf(in.ResourceARN)
	if err != nil {
		return &out, err
	}
	a, err := s.opts.Alarms.Get(ctx, name)
	if errors.Is(err, alarms.ErrNotFound) {
		return &out, tagNotFound(in.ResourceARN)
	}
	if err != nil {
		return &out, internal(err)
	}
	for _, t := range a.Tags {
		out.Tags = append(out.Tags, Tag{Key: t.Key, Value: t.Value})
	}
	return &out, nil
}
