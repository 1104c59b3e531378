package elbv2

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

func createTG(t *testing.T, a *testAPI, name string, port int32) string {
	t.Helper()
	out := must(a.c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{
		Name: aws.String(name), Protocol: types.ProtocolEnumHttp, Port: aws.Int32(port), VpcId: aws.String("vpc-1"),
	}))(t)
	return *out.TargetGroups[0].TargetGroupArn
}

func TestTargetGroupLifecycle(t *testing.T) {
	a := newTestAPI(t)
	arn := createTG(t, a, "api", 8080)
	if !strings.HasPrefix(arn, "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/") {
		t.Errorf("ARN = %s", arn)
	}
	if again := createTG(t, a, "api", 8080); again != arn {
		t.Errorf("idempotent create gave %s", again)
	}
	_, err := a.c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("api"), Protocol: types.ProtocolEnumHttp, Port: aws.Int32(9090)})
	wantCode(t, err, "DuplicateTargetGroupName")

	mod := must(a.c.ModifyTargetGroup(ctx, &elb.ModifyTargetGroupInput{
		TargetGroupArn: aws.String(arn), HealthCheckPath: aws.String("/ready"), HealthCheckIntervalSeconds: aws.Int32(10),
		HealthCheckTimeoutSeconds: aws.Int32(3), HealthyThresholdCount: aws.Int32(3), Matcher: &types.Matcher{HttpCode: aws.String("200-299")},
		HealthCheckPort: aws.String("9000"),
	}))(t)
	g := mod.TargetGroups[0]
	if *g.HealthCheckPath != "/ready" || *g.HealthCheckIntervalSeconds != 10 || *g.HealthCheckTimeoutSeconds != 3 ||
		*g.HealthyThresholdCount != 3 || *g.Matcher.HttpCode != "200-299" || *g.HealthCheckPort != "9000" || *g.UnhealthyThresholdCount != 2 {
		t.Errorf("modified = %+v", g)
	}
	must(a.c.DeleteTargetGroup(ctx, &elb.DeleteTargetGroupInput{TargetGroupArn: aws.String(arn)}))(t)
	_, err = a.c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{arn}})
	wantCode(t, err, "TargetGroupNotFound")
	_, err = a.c.ModifyTargetGroup(ctx, &elb.ModifyTargetGroupInput{TargetGroupArn: aws.String(arn), HealthCheckPath: aws.String("/x")})
	wantCode(t, err, "TargetGroupNotFound")
}

func TestTargetGroupValidation(t *testing.T) {
	a := newTestAPI(t)
	base := func() *elb.CreateTargetGroupInput {
		return &elb.CreateTargetGroupInput{Name: aws.String("tg"), Protocol: types.ProtocolEnumHttp, Port: aws.Int32(80)}
	}
	cases := map[string]struct {
		mod  func(*elb.CreateTargetGroupInput)
		code string
	}{
		"bad name":         {func(in *elb.CreateTargetGroupInput) { in.Name = aws.String("bad_name") }, "ValidationError"},
		"no port":          {func(in *elb.CreateTargetGroupInput) { in.Port = nil }, "ValidationError"},
		"port range":       {func(in *elb.CreateTargetGroupInput) { in.Port = aws.Int32(70000) }, "ValidationError"},
		"geneve":           {func(in *elb.CreateTargetGroupInput) { in.Protocol = types.ProtocolEnumGeneve }, "InvalidConfigurationRequest"},
		"interval low":     {func(in *elb.CreateTargetGroupInput) { in.HealthCheckIntervalSeconds = aws.Int32(4) }, "ValidationError"},
		"interval high":    {func(in *elb.CreateTargetGroupInput) { in.HealthCheckIntervalSeconds = aws.Int32(301) }, "ValidationError"},
		"timeout low":      {func(in *elb.CreateTargetGroupInput) { in.HealthCheckTimeoutSeconds = aws.Int32(1) }, "ValidationError"},
		"timeout>interval": {func(in *elb.CreateTargetGroupInput) { in.HealthCheckTimeoutSeconds = aws.Int32(40) }, "ValidationError"},
		"healthy 11":       {func(in *elb.CreateTargetGroupInput) { in.HealthyThresholdCount = aws.Int32(11) }, "ValidationError"},
		"unhealthy 1":      {func(in *elb.CreateTargetGroupInput) { in.UnhealthyThresholdCount = aws.Int32(1) }, "ValidationError"},
		"matcher 500":      {func(in *elb.CreateTargetGroupInput) { in.Matcher = &types.Matcher{HttpCode: aws.String("200,500")} }, "ValidationError"},
		"matcher range":    {func(in *elb.CreateTargetGroupInput) { in.Matcher = &types.Matcher{HttpCode: aws.String("300-200")} }, "ValidationError"},
		"path":             {func(in *elb.CreateTargetGroupInput) { in.HealthCheckPath = aws.String("health") }, "ValidationError"},
		"disabled":         {func(in *elb.CreateTargetGroupInput) { in.HealthCheckEnabled = aws.Bool(false) }, "ValidationError"},
		"lambda":           {func(in *elb.CreateTargetGroupInput) { in.TargetType = types.TargetTypeEnumLambda }, "ValidationError"},
	}
	for name, c := range cases {
		in := base()
		c.mod(in)
		_, err := a.c.CreateTargetGroup(ctx, in)
		t.Run(name, func(t *testing.T) { wantCode(t, err, c.code) })
	}
	if out := must(a.c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{}))(t); len(out.TargetGroups) != 0 {
		t.Fatalf("invalid creates left %d target groups", len(out.TargetGroups))
	}
}

func TestDescribeTargetGroupsFiltersAndPaging(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	for i := range 4 {
		createTG(t, a, fmt.Sprintf("extra-%d", i), 80)
	}
	byLB := must(a.c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{LoadBalancerArn: aws.String(s.lb)}))(t)
	if len(byLB.TargetGroups) != 1 || *byLB.TargetGroups[0].TargetGroupArn != s.tg {
		t.Errorf("by load balancer: %+v", byLB.TargetGroups)
	}
	byName := must(a.c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{Names: []string{"extra-2", "talk"}}))(t)
	if len(byName.TargetGroups) != 2 {
		t.Errorf("by name: %d", len(byName.TargetGroups))
	}
	_, err := a.c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{Names: []string{"extra-2", "missing"}})
	wantCode(t, err, "TargetGroupNotFound")
	_, err = a.c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{LoadBalancerArn: aws.String(s.lb + "0")})
	wantCode(t, err, "LoadBalancerNotFound")
	var names []string
	p := elb.NewDescribeTargetGroupsPaginator(a.c, &elb.DescribeTargetGroupsInput{PageSize: aws.Int32(2)})
	for p.HasMorePages() {
		for _, g := range must(p.NextPage(ctx))(t).TargetGroups {
			names = append(names, *g.TargetGroupName)
		}
	}
	if strings.Join(names, ",") != "extra-0,extra-1,extra-2,extra-3,talk" {
		t.Errorf("paged names = %v", names)
	}
	// A target group in use cannot be deleted.
	_, err = a.c.DeleteTargetGroup(ctx, &elb.DeleteTargetGroupInput{TargetGroupArn: aws.String(s.tg)})
	wantCode(t, err, "ResourceInUse")
}
