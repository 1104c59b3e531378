package providers

import (
	"context"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
)

// The ELBv2 action and condition properties, as CloudFormation names them.
type cfnAction struct {
	Type           string
	Order          int
	TargetGroupArn string
	ForwardConfig  *struct {
		TargetGroups []struct {
			TargetGroupArn string
			Weight         *int
		}
		TargetGroupStickinessConfig *struct {
			Enabled         bool
			DurationSeconds int
		}
	}
	FixedResponseConfig *struct{ StatusCode, ContentType, MessageBody string }
	RedirectConfig      *struct{ Host, Path, Port, Protocol, Query, StatusCode string }
}

func (a cfnAction) model() elbops.Action {
	out := elbops.Action{Type: a.Type, Order: a.Order, TargetGroupARN: a.TargetGroupArn}
	if f := a.ForwardConfig; f != nil {
		out.Forward = &model.ForwardConfig{}
		for _, g := range f.TargetGroups {
			out.Forward.TargetGroups = append(out.Forward.TargetGroups, model.WeightedTargetGroup{ARN: g.TargetGroupArn, Weight: g.Weight})
		}
		if s := f.TargetGroupStickinessConfig; s != nil {
			out.Forward.Stickiness = model.TargetGroupStickiness{Enabled: s.Enabled, DurationSeconds: s.DurationSeconds}
		}
	}
	if f := a.FixedResponseConfig; f != nil {
		out.FixedResponse = &model.FixedResponseConfig{StatusCode: f.StatusCode, ContentType: f.ContentType, MessageBody: f.MessageBody}
	}
	if r := a.RedirectConfig; r != nil {
		out.Redirect = &model.RedirectConfig{Protocol: r.Protocol, Port: r.Port, Host: r.Host, Path: r.Path, Query: r.Query, StatusCode: r.StatusCode}
	}
	return out
}

func actions(in []cfnAction) []elbops.Action {
	if in == nil {
		return nil
	}
	out := []elbops.Action{}
	for _, a := range in {
		out = append(out, a.model())
	}
	return out
}

type cfnValues struct{ Values, RegexValues []string }

type cfnCondition struct {
	Field             string
	Values            []string
	RegexValues       []string
	HostHeaderConfig  *cfnValues
	PathPatternConfig *cfnValues
	HttpHeaderConfig  *struct {
		HttpHeaderName string
		Values         []string
		RegexValues    []string
	}
	HttpRequestMethodConfig *cfnValues
	SourceIpConfig          *cfnValues
	QueryStringConfig       *struct {
		Values []struct{ Key, Value string }
	}
}

func values(v *cfnValues) *elbops.ValuesConfig {
	if v == nil {
		return nil
	}
	return &elbops.ValuesConfig{Values: v.Values, RegexValues: v.RegexValues}
}

func conditions(in []cfnCondition) []elbops.ConditionInput {
	if in == nil {
		return nil
	}
	out := []elbops.ConditionInput{}
	for _, c := range in {
		ci := elbops.ConditionInput{Field: c.Field, Values: c.Values, RegexValues: c.RegexValues,
			HostHeaderConfig: values(c.HostHeaderConfig), PathPatternConfig: values(c.PathPatternConfig),
			HTTPRequestMethodConfig: values(c.HttpRequestMethodConfig), SourceIPConfig: values(c.SourceIpConfig)}
		if h := c.HttpHeaderConfig; h != nil {
			ci.HTTPHeaderConfig = &elbops.HTTPHeaderConfig{HTTPHeaderName: h.HttpHeaderName, Values: h.Values, RegexValues: h.RegexValues}
		}
		if q := c.QueryStringConfig; q != nil {
			ci.QueryStringConfig = &elbops.QueryStringConfig{}
			for _, kv := range q.Values {
				ci.QueryStringConfig.Values = append(ci.QueryStringConfig.Values, model.QueryStringPair{Key: kv.Key, Value: kv.Value})
			}
		}
		out = append(out, ci)
	}
	return out
}

func elbTags(tags []tag) []elbops.Tag {
	var out []elbops.Tag
	for _, t := range tags {
		out = append(out, elbops.Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

// retagELB applies a change of Tags with AddTags and RemoveTags.
func retagELB(ops interface {
	AddTags(ctx context.Context, in *elbops.AddTagsInput) error
	RemoveTags(ctx context.Context, in *elbops.RemoveTagsInput) error
}, ctx context.Context, arn string, before, after []tag) error {
	set, remove := tagDiff(tagMap(before), tagMap(after))
	if len(set) > 0 {
		var tags []elbops.Tag
		for k, v := range set {
			tags = append(tags, elbops.Tag{Key: k, Value: v})
		}
		if err := ops.AddTags(ctx, &elbops.AddTagsInput{ResourceARNs: []string{arn}, Tags: tags}); err != nil {
			return err
		}
	}
	if len(remove) > 0 {
		return ops.RemoveTags(ctx, &elbops.RemoveTagsInput{ResourceARNs: []string{arn}, TagKeys: remove})
	}
	return nil
}
