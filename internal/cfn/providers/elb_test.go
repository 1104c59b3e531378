package providers

import (
	"context"
	"testing"

	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

func newELB(t *testing.T) *elbops.Service {
	t.Helper()
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return elbops.New(state.New(db, model.Partition{Region: "eu-central-1", Account: "123456789012"}, nil), nil, nil)
}

func attrValue(t *testing.T, out *elbops.AttributesOutput, err error, key string) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out.Attributes {
		if a.Key == key {
			return a.Value
		}
	}
	t.Fatalf("attribute %s not listed", key)
	return ""
}

func kv(k, v string) map[string]any { return map[string]any{"Key": k, "Value": v} }

// TestLoadBalancerAndListenerAttributes: LoadBalancerAttributes and
// ListenerAttributes are set through ModifyLoadBalancerAttributes and
// ModifyListenerAttributes when created and when changed; one that is
// refused fails the call and leaves nothing behind.
func TestLoadBalancerAndListenerAttributes(t *testing.T) {
	ctx := context.Background()
	ops := newELB(t)
	lbs, ls := LoadBalancers{Ops: ops}, Listeners{Ops: ops}
	before := map[string]any{"Name": "web", "Subnets": []any{"subnet-1", "subnet-2"},
		"LoadBalancerAttributes": []any{kv("deletion_protection.enabled", "true")}}
	lb, err := lbs.Create(ctx, &stack.Request{Properties: before})
	if err != nil {
		t.Fatal(err)
	}
	arn := lb.PhysicalID
	lbAttr := func(key string) string {
		out, err := ops.DescribeLoadBalancerAttributes(ctx, &elbops.LoadBalancerAttributesInput{LoadBalancerARN: arn})
		return attrValue(t, out, err, key)
	}
	if v := lbAttr("deletion_protection.enabled"); v != "true" {
		t.Errorf("deletion_protection.enabled = %q after create, want true", v)
	}
	after := map[string]any{"Name": "web", "Subnets": []any{"subnet-1", "subnet-2"},
		"LoadBalancerAttributes": []any{kv("deletion_protection.enabled", "false"), kv("waf.fail_open.enabled", "true")}}
	if _, err := lbs.Update(ctx, &stack.Request{PhysicalID: arn, Properties: after, Previous: before, Attributes: lb.Attributes}); err != nil {
		t.Fatal(err)
	}
	if v := lbAttr("deletion_protection.enabled"); v != "false" {
		t.Errorf("deletion_protection.enabled = %q after update, want false", v)
	}
	if v := lbAttr("waf.fail_open.enabled"); v != "true" {
		t.Errorf("waf.fail_open.enabled = %q after update, want true", v)
	}
	bad := map[string]any{"Name": "other", "Subnets": []any{"subnet-1", "subnet-2"},
		"LoadBalancerAttributes": []any{kv("no.such.attribute", "1")}}
	if _, err := lbs.Create(ctx, &stack.Request{Properties: bad}); err == nil {
		t.Error("unknown load balancer attribute accepted")
	}
	if out, err := ops.DescribeLoadBalancers(ctx, &elbops.DescribeLoadBalancersInput{Names: []string{"other"}}); err == nil && len(out.LoadBalancers) > 0 {
		t.Error("a load balancer whose attributes were refused was left behind")
	}

	// A network load balancer's TCP listener takes tcp.idle_timeout.seconds.
	nlb, err := lbs.Create(ctx, &stack.Request{Properties: map[string]any{"Name": "net", "Type": "network", "Subnets": []any{"subnet-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := TargetGroups{Ops: ops}.Create(ctx, &stack.Request{Properties: map[string]any{"Name": "tcp", "Protocol": "TCP", "Port": 80,
		"VpcId": "vpc-1", "TargetType": "ip"}})
	if err != nil {
		t.Fatal(err)
	}
	forward := []any{map[string]any{"Type": "forward", "TargetGroupArn": tg.PhysicalID}}
	lprops := map[string]any{"LoadBalancerArn": nlb.PhysicalID, "Port": 80, "Protocol": "TCP", "DefaultActions": forward,
		"ListenerAttributes": []any{kv("tcp.idle_timeout.seconds", "120")}}
	l, err := ls.Create(ctx, &stack.Request{Properties: lprops})
	if err != nil {
		t.Fatal(err)
	}
	lAttr := func(key string) string {
		out, err := ops.DescribeListenerAttributes(ctx, &elbops.ListenerAttributesInput{ListenerARN: l.PhysicalID})
		return attrValue(t, out, err, key)
	}
	if v := lAttr("tcp.idle_timeout.seconds"); v != "120" {
		t.Errorf("tcp.idle_timeout.seconds = %q, want 120", v)
	}
	lnext := map[string]any{"LoadBalancerArn": nlb.PhysicalID, "Port": 80, "Protocol": "TCP", "DefaultActions": forward,
		"ListenerAttributes": []any{kv("tcp.idle_timeout.seconds", "600")}}
	if _, err := ls.Update(ctx, &stack.Request{PhysicalID: l.PhysicalID, Properties: lnext, Previous: lprops}); err != nil {
		t.Fatal(err)
	}
	if v := lAttr("tcp.idle_timeout.seconds"); v != "600" {
		t.Errorf("tcp.idle_timeout.seconds = %q after update, want 600", v)
	}
}
