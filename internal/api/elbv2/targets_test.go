package elbv2

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/lb"
)

func health(t *testing.T, a *testAPI, tg string, targets ...types.TargetDescription) map[string]types.TargetHealth {
	t.Helper()
	out := must(a.c.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(tg), Targets: targets}))(t)
	m := map[string]types.TargetHealth{}
	for _, d := range out.TargetHealthDescriptions {
		m[fmt.Sprintf("%s:%d", *d.Target.Id, *d.Target.Port)] = *d.TargetHealth
	}
	return m
}

func TestTargetHealthStates(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	a.health.set(s.tg,
		lb.TargetHealth{Target: lb.Target{ID: "i-1", Port: 8080}, State: lb.StateHealthy},
		lb.TargetHealth{Target: lb.Target{ID: "i-2", Port: 8081}, State: lb.StateUnhealthy, Reason: lb.ReasonResponseCodeMismatch,
			Description: "Health checks failed with these codes: [500]"},
		lb.TargetHealth{Target: lb.Target{ID: "i-old", Port: 8080}, State: lb.StateDraining, Reason: lb.ReasonDeregistrationInProgress})
	h := health(t, a, s.tg)
	if len(h) != 3 || h["i-1:8080"].State != types.TargetHealthStateEnumHealthy ||
		h["i-2:8081"].Reason != types.TargetHealthReasonEnumResponseCodeMismatch || *h["i-2:8081"].Description == "" ||
		h["i-old:8080"].State != types.TargetHealthStateEnumDraining {
		t.Errorf("health = %+v", h)
	}
	// Explicit targets: registered, draining, and never registered.
	h = health(t, a, s.tg, types.TargetDescription{Id: aws.String("i-1")}, types.TargetDescription{Id: aws.String("i-old")},
		types.TargetDescription{Id: aws.String("i-9"), Port: aws.Int32(1234)})
	if len(h) != 3 || h["i-9:1234"].State != types.TargetHealthStateEnumUnused || h["i-9:1234"].Reason != types.TargetHealthReasonEnumNotRegistered ||
		h["i-old:8080"].State != types.TargetHealthStateEnumDraining {
		t.Errorf("explicit health = %+v", h)
	}
	// A group no listener uses reports its targets unused / Target.NotInUse.
	idle := createTG(t, a, "idle", 80)
	must(a.c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(idle), Targets: []types.TargetDescription{{Id: aws.String("i-1")}}}))(t)
	if h := health(t, a, idle); h["i-1:80"].State != types.TargetHealthStateEnumUnused || h["i-1:80"].Reason != types.TargetHealthReasonEnumNotInUse {
		t.Errorf("idle group = %+v", h)
	}
	must(a.c.DeregisterTargets(ctx, &elb.DeregisterTargetsInput{TargetGroupArn: aws.String(idle), Targets: []types.TargetDescription{{Id: aws.String("i-1")}}}))(t)
	if h := health(t, a, idle); len(h) != 0 {
		t.Errorf("after deregister = %+v", h)
	}
	_, err := a.c.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(idle + "0")})
	wantCode(t, err, "TargetGroupNotFound")
}

func TestRegisterTargetsErrors(t *testing.T) {
	a := newTestAPI(t)
	ipTG := must(a.c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("ips"), Protocol: types.ProtocolEnumHttp,
		Port: aws.Int32(80), TargetType: types.TargetTypeEnumIp}))(t).TargetGroups[0].TargetGroupArn
	_, err := a.c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: ipTG, Targets: []types.TargetDescription{{Id: aws.String("i-123")}}})
	wantCode(t, err, "InvalidTarget")
	must(a.c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: ipTG, Targets: []types.TargetDescription{{Id: aws.String("127.0.0.1"), Port: aws.Int32(9000)}}}))(t)
	_, err = a.c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(*ipTG + "0"), Targets: []types.TargetDescription{{Id: aws.String("127.0.0.1")}}})
	wantCode(t, err, "TargetGroupNotFound")
	_, err = a.c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: ipTG, Targets: []types.TargetDescription{{Id: aws.String("127.0.0.1"), Port: aws.Int32(0)}}})
	wantCode(t, err, "ValidationError")
	var many []types.TargetDescription
	for i := range 1001 {
		many = append(many, types.TargetDescription{Id: aws.String("127.0.0.1"), Port: aws.Int32(int32(10000 + i))})
	}
	_, err = a.c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: ipTG, Targets: many})
	wantCode(t, err, "TooManyTargets")
	if h := health(t, a, *ipTG); len(h) != 1 {
		t.Fatalf("failed registrations changed the group: %d targets", len(h))
	}
}
