package cli

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// addAlternate gives the fixture's service an alternate target group and
// its listener's default rule as the production listener rule.
func (f *fixture) addAlternate() (alt string) {
	t, ctx := f.t, f.t.Context()
	svc := f.service()
	tg := aws.ToString(svc.LoadBalancers[0].TargetGroupArn)
	g, err := f.c.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("talk-alt"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(8080), VpcId: aws.String("vpc-demo"), TargetType: elbtypes.TargetTypeEnumInstance, HealthCheckPath: aws.String("/health"),
		HealthCheckIntervalSeconds: aws.Int32(5), HealthCheckTimeoutSeconds: aws.Int32(2), HealthyThresholdCount: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	alt = aws.ToString(g.TargetGroups[0].TargetGroupArn)
	groups, err := f.c.elb.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{tg}})
	if err != nil {
		t.Fatal(err)
	}
	listeners, err := f.c.elb.DescribeListeners(ctx, &elb.DescribeListenersInput{LoadBalancerArn: aws.String(groups.TargetGroups[0].LoadBalancerArns[0])})
	if err != nil {
		t.Fatal(err)
	}
	rules, err := f.c.elb.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: listeners.Listeners[0].ListenerArn})
	if err != nil {
		t.Fatal(err)
	}
	lb := svc.LoadBalancers[0]
	lb.AdvancedConfiguration = &types.AdvancedConfiguration{AlternateTargetGroupArn: aws.String(alt), ProductionListenerRule: rules.Rules[0].RuleArn}
	if _, err := f.c.ecs.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("talk"), LoadBalancers: []types.LoadBalancer{lb}}); err != nil {
		t.Fatal(err)
	}
	f.waitSteady("talk:1")
	return alt
}

func TestDeployStrategyBlueGreen(t *testing.T) {
	f := newFixture(t, true)
	f.addAlternate()
	if _, _, code := f.run("deploy", "talk", "--env", "TALK_VERSION=v2", "--strategy", "sideways"); code != 2 {
		t.Fatalf("an unknown strategy: exit %d, want 2", code)
	}
	out, _, code := f.run("deploy", "talk", "--env", "TALK_VERSION=v2", "--strategy", "blue-green")
	if code != 0 || !strings.Contains(out, "SCALE_UP |") || !strings.Contains(out, "100.0% of production traffic is shifted") ||
		!strings.HasPrefix(lastLine(out), "COMPLETED") || !strings.Contains(lastLine(out), "talk:2") {
		t.Fatalf("exit %d, want 0 with the stages shown and a verdict on talk:2:\n%s", code, out)
	}
	if s := f.service(); s.DeploymentConfiguration.Strategy != types.DeploymentStrategyBlueGreen {
		t.Errorf("strategy after the deploy: %q", s.DeploymentConfiguration.Strategy)
	}
}
