package elbv2

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// createNLB creates a network load balancer and returns its ARN.
func (a *testAPI) createNLB(t *testing.T, name string) string {
	t.Helper()
	out := must(a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
		Name: aws.String(name), Type: types.LoadBalancerTypeEnumNetwork, Subnets: []string{"subnet-a"},
	}))(t)
	return *out.LoadBalancers[0].LoadBalancerArn
}

// createTG creates a target group of protocol and returns its ARN.
func (a *testAPI) createTG(t *testing.T, name string, protocol types.ProtocolEnum, mod ...func(*elb.CreateTargetGroupInput)) string {
	t.Helper()
	in := &elb.CreateTargetGroupInput{Name: aws.String(name), Protocol: protocol, Port: aws.Int32(9000), VpcId: aws.String("vpc-1")}
	for _, m := range mod {
		m(in)
	}
	return *must(a.c.CreateTargetGroup(ctx, in))(t).TargetGroups[0].TargetGroupArn
}

func TestNetworkLoadBalancer(t *testing.T) {
	a := newTestAPI(t)
	out := must(a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
		Name: aws.String("edge"), Type: types.LoadBalancerTypeEnumNetwork, Subnets: []string{"subnet-a"},
	}))(t)
	l := out.LoadBalancers[0]
	if !strings.Contains(*l.LoadBalancerArn, ":loadbalancer/net/edge/") || l.Type != types.LoadBalancerTypeEnumNetwork ||
		!strings.HasPrefix(*l.DNSName, "edge-") || !strings.HasSuffix(*l.DNSName, ".elb.us-east-1.amazonaws.com") ||
		*l.CanonicalHostedZoneId != "Z26RNL4JYFTOTI" || l.SecurityGroups != nil || l.State.Code != types.LoadBalancerStateEnumProvisioning ||
		len(l.AvailabilityZones) != 1 || l.AvailabilityZones[0].LoadBalancerAddresses == nil {
		t.Errorf("network load balancer = %+v", l)
	}
	d := must(a.c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{*l.LoadBalancerArn}}))(t)
	if d.LoadBalancers[0].Type != types.LoadBalancerTypeEnumNetwork {
		t.Errorf("described type %s", d.LoadBalancers[0].Type)
	}
	for name, in := range map[string]*elb.CreateLoadBalancerInput{
		"OperationNotPermitted": {Name: aws.String("gwy"), Type: types.LoadBalancerTypeEnumGateway},
		"InvalidConfigurationRequest": {Name: aws.String("nlb6"), Type: types.LoadBalancerTypeEnumNetwork,
			IpAddressType: types.IpAddressTypeDualstackWithoutPublicIpv4},
		"ValidationError": {Name: aws.String("odd"), Type: "classic"},
	} {
		_, err := a.c.CreateLoadBalancer(ctx, in)
		wantCode(t, err, name)
	}
}

func TestNetworkTargetGroups(t *testing.T) {
	a := newTestAPI(t)
	for _, p := range []types.ProtocolEnum{types.ProtocolEnumTcp, types.ProtocolEnumUdp, types.ProtocolEnumTls, types.ProtocolEnumTcpUdp} {
		arn := a.createTG(t, "tg-"+strings.ToLower(strings.ReplaceAll(string(p), "_", "")), p)
		tg := must(a.c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{arn}}))(t).TargetGroups[0]
		// ELB's defaults for network load balancers' groups: a TCP check
		// every 30 s, timeout 10 s, thresholds 5 and 2, no path or matcher.
		if tg.Protocol != p || tg.HealthCheckProtocol != types.ProtocolEnumTcp || *tg.HealthCheckPort != "traffic-port" ||
			*tg.HealthCheckIntervalSeconds != 30 || *tg.HealthCheckTimeoutSeconds != 10 || *tg.HealthyThresholdCount != 5 ||
			*tg.UnhealthyThresholdCount != 2 || tg.HealthCheckPath != nil || tg.Matcher != nil || tg.ProtocolVersion != nil {
			t.Errorf("%s target group = %+v", p, tg)
		}
	}
	httpCheck := must(a.c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("tcp-http"), Protocol: types.ProtocolEnumTcp,
		Port: aws.Int32(9000), HealthCheckProtocol: types.ProtocolEnumHttp}))(t).TargetGroups[0]
	if *httpCheck.HealthCheckPath != "/" || *httpCheck.Matcher.HttpCode != "200-399" || *httpCheck.HealthCheckTimeoutSeconds != 6 {
		t.Errorf("HTTP check of a TCP group = %+v", httpCheck)
	}
	mod := must(a.c.ModifyTargetGroup(ctx, &elb.ModifyTargetGroupInput{TargetGroupArn: httpCheck.TargetGroupArn,
		HealthCheckProtocol: types.ProtocolEnumTcp}))(t).TargetGroups[0]
	if mod.HealthCheckPath != nil || mod.Matcher != nil || *mod.HealthCheckTimeoutSeconds != 10 {
		t.Errorf("back to TCP = %+v", mod)
	}
	cases := map[string]struct {
		in   elb.CreateTargetGroupInput
		code string
	}{
		"tcp check with path": {elb.CreateTargetGroupInput{Protocol: types.ProtocolEnumTcp, Port: aws.Int32(1), HealthCheckPath: aws.String("/x")}, "ValidationError"},
		"udp check":           {elb.CreateTargetGroupInput{Protocol: types.ProtocolEnumUdp, Port: aws.Int32(1), HealthCheckProtocol: types.ProtocolEnumUdp}, "ValidationError"},
		"matcher 600": {elb.CreateTargetGroupInput{Protocol: types.ProtocolEnumTcp, Port: aws.Int32(1), HealthCheckProtocol: types.ProtocolEnumHttp,
			Matcher: &types.Matcher{HttpCode: aws.String("600")}}, "ValidationError"},
		"protocol version": {elb.CreateTargetGroupInput{Protocol: types.ProtocolEnumTcp, Port: aws.Int32(1), ProtocolVersion: aws.String("HTTP2")}, "ValidationError"},
		"lambda with port": {elb.CreateTargetGroupInput{TargetType: types.TargetTypeEnumLambda, Port: aws.Int32(1)}, "ValidationError"},
		"lambda":           {elb.CreateTargetGroupInput{TargetType: types.TargetTypeEnumLambda}, "InvalidConfigurationRequest"},
		"alb over http":    {elb.CreateTargetGroupInput{TargetType: types.TargetTypeEnumAlb, Protocol: types.ProtocolEnumHttp, Port: aws.Int32(80)}, "ValidationError"},
		"alb":              {elb.CreateTargetGroupInput{TargetType: types.TargetTypeEnumAlb, Protocol: types.ProtocolEnumTcp, Port: aws.Int32(80)}, "InvalidConfigurationRequest"},
	}
	for name, c := range cases {
		in := c.in
		in.Name = aws.String("bad")
		_, err := a.c.CreateTargetGroup(ctx, &in)
		t.Run(name, func(t *testing.T) { wantCode(t, err, c.code) })
	}
}

func TestNetworkTargetGroupAttributes(t *testing.T) {
	a := newTestAPI(t)
	tcp := a.createTG(t, "tcp", types.ProtocolEnumTcp)
	udp := a.createTG(t, "udp", types.ProtocolEnumUdp)
	ipTLS := a.createTG(t, "iptls", types.ProtocolEnumTls, func(in *elb.CreateTargetGroupInput) { in.TargetType = types.TargetTypeEnumIp })
	attrs := func(arn string) map[string]string {
		out := map[string]string{}
		for _, at := range must(a.c.DescribeTargetGroupAttributes(ctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(arn)}))(t).Attributes {
			out[*at.Key] = *at.Value
		}
		return out
	}
	want := map[string]map[string]string{
		tcp: {"deregistration_delay.timeout_seconds": "300", "deregistration_delay.connection_termination.enabled": "false",
			"preserve_client_ip.enabled": "true", "proxy_protocol_v2.enabled": "false", "stickiness.enabled": "false",
			"stickiness.type": "source_ip", "target_health_state.unhealthy.connection_termination.enabled": "true",
			"target_health_state.unhealthy.draining_interval_seconds": "0", "load_balancing.cross_zone.enabled": "use_load_balancer_configuration"},
		udp:   {"deregistration_delay.connection_termination.enabled": "true", "preserve_client_ip.enabled": "true"},
		ipTLS: {"preserve_client_ip.enabled": "false"},
	}
	for arn, w := range want {
		got := attrs(arn)
		for k, v := range w {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", arn, k, got[k], v)
			}
		}
		if _, ok := got["slow_start.duration_seconds"]; ok {
			t.Errorf("%s lists an application load balancer's attribute", arn)
		}
	}
	set := func(arn string, kv ...string) error {
		var in []types.TargetGroupAttribute
		for i := 0; i < len(kv); i += 2 {
			in = append(in, types.TargetGroupAttribute{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		_, err := a.c.ModifyTargetGroupAttributes(ctx, &elb.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(arn), Attributes: in})
		return err
	}
	must(0, set(tcp, "proxy_protocol_v2.enabled", "true", "stickiness.enabled", "true",
		"deregistration_delay.connection_termination.enabled", "true", "deregistration_delay.timeout_seconds", "5"))(t)
	wantCode(t, set(udp, "proxy_protocol_v2.enabled", "true"), "InvalidConfigurationRequest")
	wantCode(t, set(udp, "preserve_client_ip.enabled", "false"), "InvalidConfigurationRequest")
	wantCode(t, set(tcp, "slow_start.duration_seconds", "30"), "InvalidConfigurationRequest")
	wantCode(t, set(tcp, "stickiness.type", "lb_cookie"), "ValidationError")
	wantCode(t, set(tcp, "target_health_state.unhealthy.draining_interval_seconds", "10"), "InvalidConfigurationRequest")
	wantCode(t, set(tcp, "no.such.key", "1"), "ValidationError")

	// The record carries what the layer-4 data plane needs.
	var tg model.TargetGroup
	must(0, a.st.View(ctx, func(tx state.Tx) (err error) { tg, err = tx.TargetGroup(tcp); return err }))(t)
	if !tg.ProxyProtocolV2() || !tg.SourceIPStickiness() || !tg.ConnectionTermination() || !tg.UnhealthyConnectionTermination() ||
		tg.DeregistrationDelay() != 5*time.Second || tg.HealthCheck.Protocol != "TCP" {
		t.Errorf("stored group = %+v", tg)
	}
}

func TestNetworkListeners(t *testing.T) {
	a := newTestAPI(t)
	nlb := a.createNLB(t, "edge")
	alb := must(a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web")}))(t).LoadBalancers[0].LoadBalancerArn
	tcp := a.createTG(t, "tcp", types.ProtocolEnumTcp)
	udp := a.createTG(t, "udp", types.ProtocolEnumUdp)
	tcpudp := a.createTG(t, "tcpudp", types.ProtocolEnumTcpUdp)
	tls := a.createTG(t, "tls", types.ProtocolEnumTls)
	web := a.createTG(t, "web", types.ProtocolEnumHttp)
	cert := "file://" + writeCert(t, t.TempDir(), "site")

	create := func(lbARN string, port int32, p types.ProtocolEnum, actions []types.Action, mod ...func(*elb.CreateListenerInput)) (*elb.CreateListenerOutput, error) {
		in := &elb.CreateListenerInput{LoadBalancerArn: aws.String(lbARN), Port: aws.Int32(port), Protocol: p, DefaultActions: actions}
		for _, m := range mod {
			m(in)
		}
		return a.c.CreateListener(ctx, in)
	}
	l := must(create(nlb, 7000, types.ProtocolEnumTcp, forwardTo(tcp)))(t).Listeners[0]
	if l.Protocol != types.ProtocolEnumTcp || *l.DefaultActions[0].TargetGroupArn != tcp || l.SslPolicy != nil || l.Certificates != nil {
		t.Errorf("TCP listener = %+v", l)
	}
	must(create(nlb, 7001, types.ProtocolEnumUdp, forwardTo(udp)))(t)
	must(create(nlb, 7002, types.ProtocolEnumTcpUdp, forwardTo(tcpudp)))(t)
	withCert := func(in *elb.CreateListenerInput) {
		in.Certificates = []types.Certificate{{CertificateArn: aws.String(cert)}}
	}
	tlsL := must(create(nlb, 7003, types.ProtocolEnumTls, forwardTo(tls), withCert, func(in *elb.CreateListenerInput) {
		in.AlpnPolicy = []string{"HTTP2Preferred"}
	}))(t).Listeners[0]
	if *tlsL.SslPolicy != "ELBSecurityPolicy-2016-08" || *tlsL.Certificates[0].CertificateArn != cert || tlsL.AlpnPolicy[0] != "HTTP2Preferred" {
		t.Errorf("TLS listener = %+v", tlsL)
	}
	fixed := []types.Action{{Type: types.ActionTypeEnumFixedResponse, FixedResponseConfig: &types.FixedResponseActionConfig{StatusCode: aws.String("200")}}}
	errs := map[string]func() error{
		"UnsupportedProtocol/http on nlb": func() error { _, err := create(nlb, 7010, types.ProtocolEnumHttp, forwardTo(web)); return err },
		"UnsupportedProtocol/tcp on alb":  func() error { _, err := create(*alb, 7011, types.ProtocolEnumTcp, forwardTo(tcp)); return err },
		"IncompatibleProtocols/tcp to http": func() error {
			_, err := create(nlb, 7012, types.ProtocolEnumTcp, forwardTo(web))
			return err
		},
		"IncompatibleProtocols/tcp_udp to tcp": func() error {
			_, err := create(nlb, 7013, types.ProtocolEnumTcpUdp, forwardTo(tcp))
			return err
		},
		"IncompatibleProtocols/http to tcp": func() error { _, err := create(*alb, 7014, types.ProtocolEnumHttp, forwardTo(tcp)); return err },
		"InvalidLoadBalancerAction/fixed":   func() error { _, err := create(nlb, 7015, types.ProtocolEnumTcp, fixed); return err },
		"ValidationError/tls without cert":  func() error { _, err := create(nlb, 7016, types.ProtocolEnumTls, forwardTo(tls)); return err },
		"InvalidConfigurationRequest/cert on tcp": func() error {
			_, err := create(nlb, 7017, types.ProtocolEnumTcp, forwardTo(tcp), withCert)
			return err
		},
		"ALPNPolicyNotFound/alpn on tcp": func() error {
			_, err := create(nlb, 7018, types.ProtocolEnumTcp, forwardTo(tcp), func(in *elb.CreateListenerInput) { in.AlpnPolicy = []string{"None"} })
			return err
		},
		"InvalidConfigurationRequest/rule": func() error {
			_, err := a.c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: l.ListenerArn, Priority: aws.Int32(1), Actions: forwardTo(tcp),
				Conditions: []types.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/x"}}}})
			return err
		},
		"InvalidLoadBalancerAction/default rule": func() error {
			rules := must(a.c.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: l.ListenerArn}))(t).Rules
			_, err := a.c.ModifyRule(ctx, &elb.ModifyRuleInput{RuleArn: rules[len(rules)-1].RuleArn, Actions: fixed})
			return err
		},
		"InvalidLoadBalancerAction/weighted forward": func() error {
			_, err := create(nlb, 7019, types.ProtocolEnumTcp, []types.Action{{Type: types.ActionTypeEnumForward,
				ForwardConfig: &types.ForwardActionConfig{TargetGroups: []types.TargetGroupTuple{{TargetGroupArn: aws.String(tcp)}, {TargetGroupArn: aws.String(tcpudp)}}}}})
			return err
		},
		"UnsupportedProtocol/modify to http": func() error {
			_, err := a.c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: l.ListenerArn, Protocol: types.ProtocolEnumHttp})
			return err
		},
	}
	for name, call := range errs {
		t.Run(name, func(t *testing.T) { wantCode(t, call(), strings.Split(name, "/")[0]) })
	}
	ls := must(a.c.DescribeListeners(ctx, &elb.DescribeListenersInput{LoadBalancerArn: aws.String(nlb)}))(t).Listeners
	if len(ls) != 4 {
		t.Fatalf("listeners after refusals: %d", len(ls))
	}
	// A TLS listener that becomes TCP loses its TLS settings, as in ELB.
	m := must(a.c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: tlsL.ListenerArn, Protocol: types.ProtocolEnumTcp,
		AlpnPolicy: []string{}, DefaultActions: forwardTo(tcp)}))(t).Listeners[0]
	if m.Protocol != types.ProtocolEnumTcp || m.SslPolicy != nil || m.Certificates != nil {
		t.Errorf("TLS to TCP = %+v", m)
	}
}
