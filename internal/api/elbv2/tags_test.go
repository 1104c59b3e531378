package elbv2

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

func tag(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

func TestTags(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	rules := must(a.c.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: aws.String(s.listener)}))(t).Rules
	arns := []string{s.lb, s.tg, s.listener, *rules[0].RuleArn}
	must(a.c.AddTags(ctx, &elb.AddTagsInput{ResourceArns: arns, Tags: []types.Tag{tag("env", "prod"), tag("team", "web")}}))(t)
	must(a.c.AddTags(ctx, &elb.AddTagsInput{ResourceArns: []string{s.tg}, Tags: []types.Tag{tag("env", "staging")}}))(t)
	must(a.c.RemoveTags(ctx, &elb.RemoveTagsInput{ResourceArns: []string{s.lb}, TagKeys: []string{"team"}}))(t)
	out := must(a.c.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: arns}))(t).TagDescriptions
	if len(out) != 4 || len(out[0].Tags) != 1 || *out[1].Tags[0].Value != "staging" || len(out[3].Tags) != 2 {
		t.Fatalf("tags = %+v", out)
	}
	_, err := a.c.AddTags(ctx, &elb.AddTagsInput{ResourceArns: []string{s.tg + "0"}, Tags: []types.Tag{tag("a", "b")}})
	wantCode(t, err, "TargetGroupNotFound")
	_, err = a.c.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: []string{s.lb + "0"}})
	wantCode(t, err, "LoadBalancerNotFound")
	_, err = a.c.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: []string{s.listener + "0"}})
	wantCode(t, err, "ListenerNotFound")
	_, err = a.c.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: []string{*rules[0].RuleArn + "0"}})
	wantCode(t, err, "RuleNotFound")
	_, err = a.c.AddTags(ctx, &elb.AddTagsInput{ResourceArns: []string{s.lb}, Tags: []types.Tag{tag("aws:x", "y")}})
	wantCode(t, err, "ValidationError")
	_, err = a.c.AddTags(ctx, &elb.AddTagsInput{ResourceArns: []string{s.lb}, Tags: []types.Tag{tag("k", "1"), tag("k", "2")}})
	wantCode(t, err, "DuplicateTagKeys")
	var many []types.Tag
	for i := range 50 {
		many = append(many, tag(fmt.Sprintf("k%d", i), "v"))
	}
	_, err = a.c.AddTags(ctx, &elb.AddTagsInput{ResourceArns: []string{s.lb}, Tags: many})
	wantCode(t, err, "TooManyTags")
	// The failed AddTags left the resource as it was.
	if out := must(a.c.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: []string{s.lb}}))(t).TagDescriptions; len(out[0].Tags) != 1 {
		t.Fatalf("tags after failed add = %+v", out[0].Tags)
	}
}
