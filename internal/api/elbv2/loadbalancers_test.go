package elbv2

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/model"
)

func TestLoadBalancerLifecycle(t *testing.T) {
	a := newTestAPI(t)
	out := must(a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web"), Scheme: types.LoadBalancerSchemeEnumInternal}))(t)
	l := out.LoadBalancers[0]
	if !strings.HasPrefix(*l.LoadBalancerArn, "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/") ||
		len(*l.LoadBalancerArn)-strings.LastIndex(*l.LoadBalancerArn, "/")-1 != 16 {
		t.Errorf("ARN = %s", *l.LoadBalancerArn)
	}
	if !strings.HasPrefix(*l.DNSName, "internal-web-") || !strings.HasSuffix(*l.DNSName, ".us-east-1.elb.amazonaws.com") ||
		l.State.Code != types.LoadBalancerStateEnumProvisioning {
		t.Errorf("DNS %s state %v", *l.DNSName, l.State.Code)
	}
	// Same settings: the same load balancer back; other settings: duplicate.
	again := must(a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web"), Scheme: types.LoadBalancerSchemeEnumInternal}))(t)
	if *again.LoadBalancers[0].LoadBalancerArn != *l.LoadBalancerArn {
		t.Errorf("idempotent create gave %s", *again.LoadBalancers[0].LoadBalancerArn)
	}
	_, err := a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web")})
	wantCode(t, err, "DuplicateLoadBalancerName")

	a.health.setState(*l.LoadBalancerArn, model.ALBStateImpaired, "port 80 in use")
	d := must(a.c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{*l.LoadBalancerArn}}))(t)
	if st := d.LoadBalancers[0].State; st.Code != types.LoadBalancerStateEnumActiveImpaired || *st.Reason != "port 80 in use" {
		t.Errorf("state = %+v", st)
	}
	must(a.c.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: l.LoadBalancerArn}))(t)
	// ELB: deleting what is already gone succeeds.
	must(a.c.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: l.LoadBalancerArn}))(t)
	_, err = a.c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{*l.LoadBalancerArn}})
	wantCode(t, err, "LoadBalancerNotFound")
	_, err = a.c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{"nope"}})
	wantCode(t, err, "LoadBalancerNotFound")
}

func TestLoadBalancerValidation(t *testing.T) {
	a := newTestAPI(t)
	for _, name := range []string{"", "-web", "web-", "we_b", strings.Repeat("a", 33), "internal-web"} {
		_, err := a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String(name)})
		wantCode(t, err, "ValidationError")
	}
	_, err := a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("gwy"), Type: types.LoadBalancerTypeEnumGateway})
	wantCode(t, err, "OperationNotPermitted")
	_, err = a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("tags"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("k"), Value: aws.String("2")}}})
	wantCode(t, err, "DuplicateTagKeys")
	// Bad input changed nothing.
	d := must(a.c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{}))(t)
	if len(d.LoadBalancers) != 0 {
		t.Fatalf("load balancers after failed creates: %d", len(d.LoadBalancers))
	}
}

func TestLoadBalancerPaging(t *testing.T) {
	a := newTestAPI(t)
	for i := range 5 {
		must(a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String(fmt.Sprintf("lb-%d", i))}))(t)
	}
	var names []string
	p := elb.NewDescribeLoadBalancersPaginator(a.c, &elb.DescribeLoadBalancersInput{PageSize: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out := must(p.NextPage(ctx))(t)
		pages++
		for _, l := range out.LoadBalancers {
			names = append(names, *l.LoadBalancerName)
		}
	}
	if pages != 3 || strings.Join(names, ",") != "lb-0,lb-1,lb-2,lb-3,lb-4" {
		t.Fatalf("%d pages: %v", pages, names)
	}
	_, err := a.c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{PageSize: aws.Int32(401)})
	wantCode(t, err, "ValidationError")
	_, err = a.c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Marker: aws.String("%%%")})
	wantCode(t, err, "ValidationError")
}
