package model

import "testing"

func TestELBARNs(t *testing.T) {
	p := Partition{Region: "eu-west-1", Account: "123456789012"}
	lb := p.LoadBalancerARN("web", "0123456789abcdef")
	l := ListenerARN(lb, "1111111111111111")
	r := RuleARN(l, "2222222222222222")
	if r != "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/0123456789abcdef/1111111111111111/2222222222222222" {
		t.Fatalf("rule ARN = %s", r)
	}
	got, ok := ParseELBARN(r)
	if !ok || got.Type != ELBResourceRule || got.Name != "web" || got.LoadBalancerPath != "app/web/0123456789abcdef" ||
		got.ListenerPath != "app/web/0123456789abcdef/1111111111111111" {
		t.Fatalf("parsed = %+v, %v", got, ok)
	}
	tg, ok := ParseELBARN(p.TargetGroupARN("api", "abcdefabcdefabcd"))
	if !ok || tg.Type != ELBResourceTargetGroup || tg.Name != "api" {
		t.Fatalf("target group = %+v", tg)
	}
	for _, bad := range []string{
		"arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/gwy/x/0123456789abcdef",
		"arn:aws:ecs:eu-west-1:1:cluster/x", "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/x//1", "nope",
	} {
		if _, ok := ParseELBARN(bad); ok {
			t.Errorf("%s parsed", bad)
		}
	}
	if id := NewELBID(); len(id) != 16 {
		t.Errorf("id %q", id)
	}
}
