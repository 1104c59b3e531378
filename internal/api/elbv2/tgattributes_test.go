package elbv2

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

func attrMap(attrs []types.TargetGroupAttribute) map[string]string {
	m := map[string]string{}
	for _, a := range attrs {
		m[*a.Key] = *a.Value
	}
	return m
}

func TestTargetGroupAttributes(t *testing.T) {
	a := newTestAPI(t)
	arn := createTG(t, a, "web", 80)
	got := attrMap(must(a.c.DescribeTargetGroupAttributes(ctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(arn)}))(t).Attributes)
	defaults := map[string]string{
		"deregistration_delay.timeout_seconds": "300", "slow_start.duration_seconds": "0", "stickiness.enabled": "false",
		"stickiness.type": "lb_cookie", "stickiness.lb_cookie.duration_seconds": "86400",
		"load_balancing.algorithm.type": "round_robin", "stickiness.app_cookie.duration_seconds": "86400",
		"load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
	}
	for k, v := range defaults {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	set := func(kv ...string) error {
		in := &elb.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(arn)}
		for i := 0; i < len(kv); i += 2 {
			in.Attributes = append(in.Attributes, types.TargetGroupAttribute{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		_, err := a.c.ModifyTargetGroupAttributes(ctx, in)
		return err
	}
	if err := set("deregistration_delay.timeout_seconds", "5", "stickiness.enabled", "true",
		"stickiness.lb_cookie.duration_seconds", "60", "slow_start.duration_seconds", "30"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{
		{"deregistration_delay.timeout_seconds", "3601"},
		{"deregistration_delay.timeout_seconds", "soon"},
		{"slow_start.duration_seconds", "10"},
		{"stickiness.enabled", "yes"},
		{"stickiness.type", "source_ip"},
		{"stickiness.lb_cookie.duration_seconds", "0"},
		{"load_balancing.algorithm.type", "random"},
		{"stickiness.app_cookie.cookie_name", "AWSALBX"},
		{"no.such.key", "1"},
		{"deregistration_delay.timeout_seconds", "0", "load_balancing.algorithm.type", "round_robin", "bogus", "x"},
	} {
		wantCode(t, set(bad...), "ValidationError")
	}
	// Slow start needs round robin (ELB rule across two keys).
	wantCode(t, set("load_balancing.algorithm.type", "least_outstanding_requests"), "InvalidConfigurationRequest")
	wantCode(t, set("proxy_protocol_v2.enabled", "true"), "InvalidConfigurationRequest")
	got = attrMap(must(a.c.DescribeTargetGroupAttributes(ctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(arn)}))(t).Attributes)
	if got["deregistration_delay.timeout_seconds"] != "5" || got["stickiness.enabled"] != "true" ||
		got["slow_start.duration_seconds"] != "30" || got["load_balancing.algorithm.type"] != "round_robin" {
		t.Errorf("after modify (bad input must change nothing) = %v", got)
	}
	_, err := a.c.DescribeTargetGroupAttributes(ctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(arn + "0")})
	wantCode(t, err, "TargetGroupNotFound")
}
