package elbv2

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

func TestSeedsSetUp(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	tgs := must(a.c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{s.tg}}))(t).TargetGroups
	tg := tgs[0]
	if *tg.HealthCheckPath != "/health" || *tg.HealthCheckIntervalSeconds != 30 || *tg.HealthCheckTimeoutSeconds != 5 ||
		*tg.HealthyThresholdCount != 5 || *tg.UnhealthyThresholdCount != 2 || *tg.Matcher.HttpCode != "200" ||
		*tg.HealthCheckPort != "traffic-port" || tg.HealthCheckProtocol != types.ProtocolEnumHttp || !*tg.HealthCheckEnabled ||
		*tg.VpcId != "vpc-1" || *tg.ProtocolVersion != "HTTP1" || tg.TargetType != types.TargetTypeEnumInstance {
		t.Errorf("target group = %+v", tg)
	}
	if len(tg.LoadBalancerArns) != 1 || tg.LoadBalancerArns[0] != s.lb {
		t.Errorf("LoadBalancerArns = %v", tg.LoadBalancerArns)
	}
	lbs := must(a.c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{"web"}}))(t).LoadBalancers
	l := lbs[0]
	if l.State.Code != types.LoadBalancerStateEnumActive || l.Type != types.LoadBalancerTypeEnumApplication ||
		l.Scheme != types.LoadBalancerSchemeEnumInternetFacing || len(l.AvailabilityZones) != 2 ||
		*l.AvailabilityZones[1].SubnetId != "subnet-b" || l.SecurityGroups[0] != "sg-1" || l.CreatedTime == nil ||
		*l.CanonicalHostedZoneId != "Z35SXDOTRQ7X7K" || l.IpAddressType != types.IpAddressTypeIpv4 {
		t.Errorf("load balancer = %+v", l)
	}
	ls := must(a.c.DescribeListeners(ctx, &elb.DescribeListenersInput{LoadBalancerArn: aws.String(s.lb)}))(t).Listeners
	if len(ls) != 1 || *ls[0].Port != 8000 || *ls[0].DefaultActions[0].TargetGroupArn != s.tg ||
		*ls[0].DefaultActions[0].ForwardConfig.TargetGroups[0].Weight != 1 || *ls[0].DefaultActions[0].Order != 1 {
		t.Errorf("listeners = %+v", ls)
	}
	th := must(a.c.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(s.tg)}))(t).TargetHealthDescriptions
	if len(th) != 2 || *th[0].Target.Id != "i-1" || *th[0].Target.Port != 8080 || *th[1].Target.Port != 8081 ||
		th[0].TargetHealth.State != types.TargetHealthStateEnumInitial || *th[1].HealthCheckPort != "8081" {
		t.Errorf("health = %+v", th)
	}
}
