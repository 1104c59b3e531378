package elbv2

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

func lbAttrs(kv ...string) []types.LoadBalancerAttribute {
	var out []types.LoadBalancerAttribute
	for i := 0; i < len(kv); i += 2 {
		out = append(out, types.LoadBalancerAttribute{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func TestLoadBalancerAttributes(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	nlb := a.createNLB(t, "edge")
	describe := func(arn string) map[string]string {
		out := map[string]string{}
		for _, at := range must(a.c.DescribeLoadBalancerAttributes(ctx, &elb.DescribeLoadBalancerAttributesInput{LoadBalancerArn: aws.String(arn)}))(t).Attributes {
			out[*at.Key] = *at.Value
		}
		return out
	}
	alb := describe(s.lb)
	for k, v := range map[string]string{
		"deletion_protection.enabled": "false", "idle_timeout.timeout_seconds": "60", "routing.http2.enabled": "true",
		"client_keep_alive.seconds": "3600", "routing.http.xff_header_processing.mode": "append",
		"routing.http.drop_invalid_header_fields.enabled": "false", "load_balancing.cross_zone.enabled": "true",
		"access_logs.s3.enabled": "false", "access_logs.s3.bucket": "", "ipv6.deny_all_igw_traffic": "false",
		"routing.http.desync_mitigation_mode": "defensive", "waf.fail_open.enabled": "false", "zonal_shift.config.enabled": "false",
	} {
		if got, ok := alb[k]; !ok || got != v {
			t.Errorf("application %s = %q (%v), want %q", k, got, ok, v)
		}
	}
	if _, ok := alb["dns_record.client_routing_policy"]; ok {
		t.Error("application load balancer lists a network attribute")
	}
	net := describe(nlb)
	if net["load_balancing.cross_zone.enabled"] != "false" || net["dns_record.client_routing_policy"] != "any_availability_zone" ||
		net["secondary_ips.auto_assigned.per_subnet"] != "0" {
		t.Errorf("network attributes = %v", net)
	}
	if _, ok := net["idle_timeout.timeout_seconds"]; ok {
		t.Error("network load balancer lists idle_timeout.timeout_seconds")
	}

	modify := func(arn string, kv ...string) (*elb.ModifyLoadBalancerAttributesOutput, error) {
		return a.c.ModifyLoadBalancerAttributes(ctx, &elb.ModifyLoadBalancerAttributesInput{LoadBalancerArn: aws.String(arn), Attributes: lbAttrs(kv...)})
	}
	out := must(modify(s.lb, "idle_timeout.timeout_seconds", "60", "routing.http2.enabled", "true", "deletion_protection.enabled", "true"))(t)
	if len(out.Attributes) != len(alb) {
		t.Errorf("modify answered %d attributes, want all %d", len(out.Attributes), len(alb))
	}
	var stored model.ALB
	must(0, a.st.View(ctx, func(tx state.Tx) (err error) { stored, err = tx.LoadBalancer(s.lb); return err }))(t)
	if stored.IdleTimeout() != 60*time.Second || stored.Attribute(model.LBAttrHTTP2) != "true" || !stored.DeletionProtection() {
		t.Errorf("stored = %v", stored.Attributes)
	}
	// Deletion protection is enforced.
	_, err := a.c.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(s.lb)})
	wantCode(t, err, "OperationNotPermitted")

	for _, c := range []struct {
		arn  string
		kv   []string
		code string
	}{
		{s.lb, []string{"idle_timeout.timeout_seconds", "0"}, "ValidationError"},
		{s.lb, []string{"idle_timeout.timeout_seconds", "4001"}, "ValidationError"},
		{s.lb, []string{"routing.http.xff_header_processing.mode", "drop"}, "ValidationError"},
		// Meaningful here, but the data plane cannot apply another mode: only the default.
		{s.lb, []string{"routing.http.desync_mitigation_mode", "monitor"}, "InvalidConfigurationRequest"},
		{s.lb, []string{"routing.http.desync_mitigation_mode", "strictest"}, "InvalidConfigurationRequest"},
		{s.lb, []string{"routing.http.desync_mitigation_mode", "lax"}, "ValidationError"},
		{s.lb, []string{"load_balancing.cross_zone.enabled", "false"}, "ValidationError"},
		{s.lb, []string{"access_logs.s3.enabled", "true", "access_logs.s3.bucket", "logs"}, "InvalidConfigurationRequest"},
		{s.lb, []string{"dns_record.client_routing_policy", "any_availability_zone"}, "InvalidConfigurationRequest"},
		{s.lb, []string{"no.such.attribute", "1"}, "ValidationError"},
		{nlb, []string{"idle_timeout.timeout_seconds", "60"}, "InvalidConfigurationRequest"},
		{nlb, []string{"secondary_ips.auto_assigned.per_subnet", "8"}, "ValidationError"},
	} {
		_, err := modify(c.arn, c.kv...)
		wantCode(t, err, c.code)
	}
	// Applied by the HTTP data plane (lbsync hands them to lb.LoadBalancer).
	must(modify(s.lb, "idle_timeout.timeout_seconds", "120", "routing.http2.enabled", "false",
		"routing.http.xff_header_processing.mode", "remove", "client_keep_alive.seconds", "600"))(t)
	if got := describe(s.lb); got["idle_timeout.timeout_seconds"] != "120" || got["routing.http2.enabled"] != "false" ||
		got["routing.http.xff_header_processing.mode"] != "remove" || got["client_keep_alive.seconds"] != "600" {
		t.Errorf("honoured attributes not stored: %v", got)
	}
	must(modify(s.lb, "idle_timeout.timeout_seconds", "60"))(t)
	must(modify(nlb, "secondary_ips.auto_assigned.per_subnet", "2", "load_balancing.cross_zone.enabled", "true"))(t)
	_, err = modify(nlb, "secondary_ips.auto_assigned.per_subnet", "1")
	wantCode(t, err, "InvalidConfigurationRequest")
	if got := describe(s.lb)["idle_timeout.timeout_seconds"]; got != "60" {
		t.Errorf("refused modifications changed idle timeout to %s", got)
	}
	_, err = a.c.DescribeLoadBalancerAttributes(ctx, &elb.DescribeLoadBalancerAttributesInput{LoadBalancerArn: aws.String(s.lb + "0")})
	wantCode(t, err, "LoadBalancerNotFound")

	must(modify(s.lb, "deletion_protection.enabled", "false"))(t)
	must(a.c.DeleteListener(ctx, &elb.DeleteListenerInput{ListenerArn: aws.String(s.listener)}))(t)
	must(a.c.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(s.lb)}))(t)
}

func TestListenerAttributes(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	nlb := a.createNLB(t, "edge")
	tcp := a.createTG(t, "tcp", types.ProtocolEnumTcp)
	udp := a.createTG(t, "udp", types.ProtocolEnumUdp)
	tcpL := *must(a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(nlb), Port: aws.Int32(7000),
		Protocol: types.ProtocolEnumTcp, DefaultActions: forwardTo(tcp)}))(t).Listeners[0].ListenerArn
	udpL := *must(a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(nlb), Port: aws.Int32(7001),
		Protocol: types.ProtocolEnumUdp, DefaultActions: forwardTo(udp)}))(t).Listeners[0].ListenerArn
	describe := func(arn string) map[string]string {
		out := map[string]string{}
		for _, at := range must(a.c.DescribeListenerAttributes(ctx, &elb.DescribeListenerAttributesInput{ListenerArn: aws.String(arn)}))(t).Attributes {
			out[*at.Key] = *at.Value
		}
		return out
	}
	if got := describe(tcpL); len(got) != 1 || got["tcp.idle_timeout.seconds"] != "350" {
		t.Errorf("TCP listener attributes = %v", got)
	}
	if got := describe(udpL); len(got) != 0 {
		t.Errorf("UDP listener attributes = %v", got)
	}
	httpAttrs := describe(s.listener)
	if httpAttrs["routing.http.response.server.enabled"] != "true" || httpAttrs["routing.http.response.x_frame_options.header_value"] != "" {
		t.Errorf("HTTP listener attributes = %v", httpAttrs)
	}
	if _, ok := httpAttrs["routing.http.request.x_amzn_tls_version.header_name"]; ok {
		t.Error("an HTTP listener lists a TLS request header")
	}
	set := func(arn string, kv ...string) (*elb.ModifyListenerAttributesOutput, error) {
		var in []types.ListenerAttribute
		for i := 0; i < len(kv); i += 2 {
			in = append(in, types.ListenerAttribute{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return a.c.ModifyListenerAttributes(ctx, &elb.ModifyListenerAttributesInput{ListenerArn: aws.String(arn), Attributes: in})
	}
	out := must(set(tcpL, "tcp.idle_timeout.seconds", "60"))(t)
	if len(out.Attributes) != 1 || *out.Attributes[0].Value != "60" {
		t.Errorf("modify answered %+v", out.Attributes)
	}
	var l model.Listener
	must(0, a.st.View(ctx, func(tx state.Tx) (err error) { l, err = tx.Listener(tcpL); return err }))(t)
	if l.IdleTimeout() != time.Minute {
		t.Errorf("stored idle timeout %v", l.IdleTimeout())
	}
	must(set(s.listener, "routing.http.response.server.enabled", "true",
		"routing.http.response.strict_transport_security.header_value", ""))(t)
	for _, c := range []struct {
		arn  string
		kv   []string
		code string
	}{
		{tcpL, []string{"tcp.idle_timeout.seconds", "59"}, "ValidationError"},
		{tcpL, []string{"tcp.idle_timeout.seconds", "6001"}, "ValidationError"},
		{udpL, []string{"tcp.idle_timeout.seconds", "60"}, "InvalidConfigurationRequest"},
		{s.listener, []string{"tcp.idle_timeout.seconds", "60"}, "InvalidConfigurationRequest"},
		{s.listener, []string{"routing.http.response.x_frame_options.header_value", "DENY\r\nX-Evil: 1"}, "ValidationError"},
		{s.listener, []string{"routing.http.response.x_frame_options.header_value", "ALLOWALL"}, "ValidationError"},
		{s.listener, []string{"routing.http.response.x_content_type_options.header_value", "sniff"}, "ValidationError"},
		{s.listener, []string{"routing.http.response.access_control_max_age.header_value", "-1"}, "ValidationError"},
		{s.listener, []string{"routing.http.response.content_security_policy.header_value", "default-src\t'self'"}, "ValidationError"},
	} {
		_, err := set(c.arn, c.kv...)
		wantCode(t, err, c.code)
	}
	// Applied by the HTTP data plane: the Server header switch and response headers.
	must(set(s.listener, "routing.http.response.server.enabled", "false",
		"routing.http.response.x_frame_options.header_value", "DENY"))(t)
	if got := describe(s.listener); got["routing.http.response.server.enabled"] != "false" ||
		got["routing.http.response.x_frame_options.header_value"] != "DENY" {
		t.Errorf("honoured listener attributes not stored: %v", got)
	}
	_, err := a.c.DescribeListenerAttributes(ctx, &elb.DescribeListenerAttributesInput{ListenerArn: aws.String(tcpL + "0")})
	wantCode(t, err, "ListenerNotFound")
}

// TestTLSHeaderNameRefusesReserved: an HTTPS listener's TLS headers cannot
// be renamed to a header the load balancer sets itself, authenticate-oidc's
// x-amzn-oidc-* among them (the target would get a second identity header),
// and a refused rename changes nothing.
func TestTLSHeaderNameRefusesReserved(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	lst := a.httpsListener(t, s, 8443)
	set := func(key, name string) error {
		_, err := a.c.ModifyListenerAttributes(ctx, &elb.ModifyListenerAttributesInput{ListenerArn: aws.String(lst),
			Attributes: []types.ListenerAttribute{{Key: aws.String(key), Value: aws.String(name)}}})
		return err
	}
	for _, key := range []string{"routing.http.request.x_amzn_tls_version.header_name", "routing.http.request.x_amzn_tls_cipher_suite.header_name"} {
		for _, name := range []string{"x-amzn-oidc-accesstoken", "X-Amzn-Oidc-Identity", "x-amzn-oidc-data", "x-amzn-oidc-anything",
			"Host", "X-Forwarded-For", "Connection"} {
			wantCode(t, set(key, name), "ValidationError")
		}
	}
	must(0, set("routing.http.request.x_amzn_tls_version.header_name", "X-Tls-Version"))(t)
	wantCode(t, set("routing.http.request.x_amzn_tls_version.header_name", "X-Amzn-Oidc-Identity"), "ValidationError")
	out := must(a.c.DescribeListenerAttributes(ctx, &elb.DescribeListenerAttributesInput{ListenerArn: aws.String(lst)}))(t)
	for _, at := range out.Attributes {
		if *at.Key == "routing.http.request.x_amzn_tls_version.header_name" && *at.Value != "X-Tls-Version" {
			t.Errorf("a refused rename changed the header name to %q", *at.Value)
		}
	}
}
