package providers

import (
	"context"
	"testing"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/cfn/template"
	"github.com/slipway-dev/slipway/internal/ops/cwops"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
	"github.com/slipway-dev/slipway/internal/store"
)

// drifted is what DetectStackDrift compares: the properties Read returns
// that the template sets, against the template's.
func drifted(t *testing.T, r stack.Reader, req *stack.Request) []template.PropertyDiff {
	t.Helper()
	live, err := r.Read(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	expected, actual := map[string]any{}, map[string]any{}
	for k, v := range live {
		if e, ok := req.Properties[k]; ok {
			expected[k], actual[k] = e, v
		}
	}
	return template.DiffProperties(expected, actual)
}

// TestELBAndAlarmDrift: target groups, load balancers, listeners and
// alarms read back in sync after they are made, and a change outside the
// stack shows as a difference of that property.
func TestELBAndAlarmDrift(t *testing.T) {
	ctx := context.Background()
	ops := newELB(t)
	tgs, lbs, ls := TargetGroups{Ops: ops}, LoadBalancers{Ops: ops}, Listeners{Ops: ops}
	tgProps := map[string]any{"Name": "web", "Protocol": "HTTP", "Port": "8080", "VpcId": "vpc-1", "HealthCheckPath": "/health",
		"HealthCheckIntervalSeconds": 10, "Matcher": map[string]any{"HttpCode": "200"},
		"TargetGroupAttributes": []any{kv("deregistration_delay.timeout_seconds", "5")}}
	tg, err := tgs.Create(ctx, &stack.Request{Properties: tgProps})
	if err != nil {
		t.Fatal(err)
	}
	lbProps := map[string]any{"Name": "web", "Subnets": []any{"subnet-1", "subnet-2"},
		"LoadBalancerAttributes": []any{kv("deletion_protection.enabled", "true")}}
	lb, err := lbs.Create(ctx, &stack.Request{Properties: lbProps})
	if err != nil {
		t.Fatal(err)
	}
	lProps := map[string]any{"LoadBalancerArn": lb.PhysicalID, "Port": 80, "Protocol": "HTTP",
		"DefaultActions": []any{map[string]any{"Type": "forward", "TargetGroupArn": tg.PhysicalID}}}
	l, err := ls.Create(ctx, &stack.Request{Properties: lProps})
	if err != nil {
		t.Fatal(err)
	}
	tgReq := &stack.Request{PhysicalID: tg.PhysicalID, Properties: tgProps}
	lbReq := &stack.Request{PhysicalID: lb.PhysicalID, Properties: lbProps}
	lReq := &stack.Request{PhysicalID: l.PhysicalID, Properties: lProps}
	for name, d := range map[string][]template.PropertyDiff{"target group": drifted(t, tgs, tgReq),
		"load balancer": drifted(t, lbs, lbReq), "listener": drifted(t, ls, lReq)} {
		if len(d) != 0 {
			t.Errorf("%s drifted right after creation: %+v", name, d)
		}
	}
	interval := 30
	if _, err := ops.ModifyTargetGroup(ctx, &elbops.ModifyTargetGroupInput{TargetGroupARN: tg.PhysicalID,
		HealthCheck: elbops.HealthCheck{IntervalSeconds: &interval}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.ModifyTargetGroupAttributes(ctx, &elbops.TargetGroupAttributesInput{TargetGroupARN: tg.PhysicalID,
		Attributes: []elbops.Attribute{{Key: "deregistration_delay.timeout_seconds", Value: "60"}}}); err != nil {
		t.Fatal(err)
	}
	d := drifted(t, tgs, tgReq)
	if len(d) != 2 || d[0].Path != "/Properties/HealthCheckIntervalSeconds" || d[1].Path != "/Properties/TargetGroupAttributes/0/Value" {
		t.Errorf("target group drift %+v", d)
	}
	if _, err := ops.ModifyLoadBalancerAttributes(ctx, &elbops.LoadBalancerAttributesInput{LoadBalancerARN: lb.PhysicalID,
		Attributes: []elbops.Attribute{{Key: "deletion_protection.enabled", Value: "false"}}}); err != nil {
		t.Fatal(err)
	}
	if d := drifted(t, lbs, lbReq); len(d) != 1 || d[0].After != "false" {
		t.Errorf("load balancer drift %+v", d)
	}
	port := 8081
	if _, err := ops.ModifyListener(ctx, &elbops.ModifyListenerInput{ListenerARN: l.PhysicalID, Port: &port}); err != nil {
		t.Fatal(err)
	}
	if d := drifted(t, ls, lReq); len(d) != 1 || d[0].Path != "/Properties/Port" {
		t.Errorf("listener drift %+v", d)
	}

	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cw := cwops.New(cwops.Options{Region: "eu-central-1", Account: "123456789012", Alarms: alarms.New(alarms.Options{Store: db})})
	alarm := Alarms{Ops: cw}
	aProps := map[string]any{"AlarmName": "errors", "Namespace": "AWS/ApplicationELB", "MetricName": "HTTPCode_Target_5XX_Count",
		"Statistic": "Sum", "Period": "60", "EvaluationPeriods": 1, "Threshold": "5", "ComparisonOperator": "GreaterThanThreshold",
		"Dimensions": []any{map[string]any{"Name": "TargetGroup", "Value": "targetgroup/web/1"}}}
	a, err := alarm.Create(ctx, &stack.Request{Properties: aProps})
	if err != nil {
		t.Fatal(err)
	}
	aReq := &stack.Request{PhysicalID: a.PhysicalID, Properties: aProps}
	if d := drifted(t, alarm, aReq); len(d) != 0 {
		t.Errorf("alarm drifted right after creation: %+v", d)
	}
	in, err := alarm.input(aReq)
	if err != nil {
		t.Fatal(err)
	}
	fifty := 50.0
	in.Threshold = &fifty
	if err := cw.PutMetricAlarm(ctx, in); err != nil {
		t.Fatal(err)
	}
	if d := drifted(t, alarm, aReq); len(d) != 1 || d[0].Path != "/Properties/Threshold" {
		t.Errorf("alarm drift %+v", d)
	}
}
