package elbv2

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"

	"github.com/slipway-dev/slipway/internal/model"
)

func redirect(rc types.RedirectActionConfig) []types.Action {
	if rc.StatusCode == "" {
		rc.StatusCode = types.RedirectActionStatusCodeEnumHttp301
	}
	return []types.Action{{Type: types.ActionTypeEnumRedirect, RedirectConfig: &rc}}
}

// CR, LF and other control characters in a redirect would be written into
// the Location header: every component refuses them, in rules and in
// listeners' default actions, and nothing is stored.
func TestRedirectRefusesHeaderInjection(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	bad := []types.RedirectActionConfig{
		{Host: aws.String("example.com\r\nSet-Cookie: session=stolen")},
		{Host: aws.String("exa mple.com")},
		{Path: aws.String("/a\r\nX-Injected: 1")},
		{Path: aws.String("/a\nb")},
		{Query: aws.String("a=1\r\nX: 2")},
		{Query: aws.String("a=\x00")},
		{Protocol: aws.String("HTTPS\r\n"), Host: aws.String("example.com")},
		{Port: aws.String("443\r\n"), Host: aws.String("example.com")},
		{Host: aws.String("#{hostname}")},
	}
	for i, rc := range bad {
		_, err := a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(s.listener), Priority: aws.Int32(int32(10 + i)),
			Conditions: pathCond("/old"), Actions: redirect(rc)})
		wantCode(t, err, "ValidationError")
		_, err = a.c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: aws.String(s.listener), DefaultActions: redirect(rc)})
		wantCode(t, err, "ValidationError")
	}
	rules := must(a.c.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: aws.String(s.listener)}))(t).Rules
	if len(rules) != 1 || rules[0].Actions[0].Type != types.ActionTypeEnumForward {
		t.Fatalf("a refused redirect was stored: %+v", rules)
	}
	// What ELB allows still works.
	must(a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(s.listener), Priority: aws.Int32(1),
		Conditions: pathCond("/old"), Actions: redirect(types.RedirectActionConfig{Host: aws.String("www.#{host}"),
			Path: aws.String("/new/#{path}"), Query: aws.String("from=#{path}&#{query}"), Protocol: aws.String("HTTPS"), Port: aws.String("443")})}))(t)

	_, err := a.c.ModifyTargetGroup(ctx, &elb.ModifyTargetGroupInput{TargetGroupArn: aws.String(s.tg), HealthCheckPath: aws.String("/health\r\nHost: evil")})
	wantCode(t, err, "ValidationError")
	_, err = a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(s.listener), Priority: aws.Int32(2),
		Conditions: []types.RuleCondition{{Field: aws.String("http-header"), HttpHeaderConfig: &types.HttpHeaderConditionConfig{
			HttpHeaderName: aws.String("X-A"), Values: []string{"a\r\nb"}}}}, Actions: forwardTo(s.tg)})
	wantCode(t, err, "ValidationError")
}

func TestELBQuotas(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	// Rules per load balancer count every listener's rules.
	other := must(a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(s.lb), Protocol: types.ProtocolEnumHttp,
		Port: aws.Int32(8001), DefaultActions: forwardTo(s.tg)}))(t).Listeners[0].ListenerArn
	for i := range model.MaxRulesPerALB {
		l := aws.String(s.listener)
		if i%2 == 1 {
			l = other
		}
		must(a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: l, Priority: aws.Int32(int32(i + 1)),
			Conditions: pathCond(fmt.Sprintf("/r%d", i)), Actions: forwardTo(s.tg)}))(t)
	}
	_, err := a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: other, Priority: aws.Int32(1000),
		Conditions: pathCond("/one-more"), Actions: forwardTo(s.tg)})
	wantCode(t, err, "TooManyRules")

	_, err = a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(s.listener), Priority: aws.Int32(2000),
		Conditions: pathCond("/*/*/*/*/*/*"), Actions: forwardTo(s.tg)})
	wantCode(t, err, "InvalidConfigurationRequest")

	groups := make([]string, model.MaxSecurityGroupsPerALB+1)
	for i := range groups {
		groups[i] = fmt.Sprintf("sg-%d", i)
	}
	_, err = a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("many-sgs"), SecurityGroups: groups})
	wantCode(t, err, "ValidationError")
	_, err = a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("long-subnet"), Subnets: []string{strings.Repeat("s", 300)}})
	wantCode(t, err, "ValidationError")
	_, err = a.c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(s.tg),
		Targets: []types.TargetDescription{{Id: aws.String("i-1\r\n")}}})
	wantCode(t, err, "InvalidTarget")
	_, err = a.c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: aws.String(s.listener), AlpnPolicy: []string{"HTTP2Only", "None"}})
	wantCode(t, err, "ValidationError")
	_, err = a.c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: make([]string, 21)})
	wantCode(t, err, "ValidationError")
	_, err = a.c.AddTags(ctx, &elb.AddTagsInput{ResourceArns: []string{s.lb}, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v\r\n")}}})
	wantCode(t, err, "ValidationError")

	for i := 1; ; i++ {
		_, err := a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String(fmt.Sprintf("lb-%d", i))})
		if err != nil {
			wantCode(t, err, "TooManyLoadBalancers")
			if i != model.MaxLoadBalancers { // "web" is the first
				t.Fatalf("refused the load balancer number %d, the quota is %d", i+1, model.MaxLoadBalancers)
			}
			break
		}
	}
}

// A file:// certificate must be a regular file of at most 1 MiB: a device
// is refused without being read, and a directory, a FIFO, a missing file
// and a device all get the same answer, which tells nothing of the paths.
func TestCertificateFilesAreBoundedAndRevealNothing(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	dir := t.TempDir()
	cert := writeCert(t, dir, "site")
	fifo := filepath.Join(dir, "fifo.pem")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, make([]byte, 1<<20+1), 0o600); err != nil {
		t.Fatal(err)
	}
	var messages []string
	for _, arn := range []string{"file:///dev/zero", "file://" + dir, "file://" + fifo, "file://" + filepath.Join(dir, "missing.pem"),
		"file://" + big, "file://" + cert + "#/dev/zero", "file:///etc/shadow"} {
		_, err := a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(s.lb), Protocol: types.ProtocolEnumHttps,
			Port: aws.Int32(8443), DefaultActions: forwardTo(s.tg), Certificates: []types.Certificate{{CertificateArn: aws.String(arn)}}})
		wantCode(t, err, "CertificateNotFound")
		var ae smithy.APIError
		errors.As(err, &ae)
		messages = append(messages, strings.ReplaceAll(ae.ErrorMessage(), arn, "ARN"))
	}
	for _, m := range messages[1:] {
		if m != messages[0] {
			t.Fatalf("answers differ by what the path is:\n%s\n%s", messages[0], m)
		}
	}
	must(a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(s.lb), Protocol: types.ProtocolEnumHttps,
		Port: aws.Int32(8443), DefaultActions: forwardTo(s.tg), Certificates: []types.Certificate{{CertificateArn: aws.String("file://" + cert)}}}))(t)
}
