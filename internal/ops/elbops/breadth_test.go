package elbops

import (
	"testing"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// What in-process callers (CloudFormation, the console) see of the
// attribute, catalog and network-setting operations: empty lists rather
// than nil, refusals keeping state sentinels, and nothing changed by a
// refused call.
func TestAttributesAndCatalogInProcess(t *testing.T) {
	s, _ := newService(t)
	st := setUp(t, s)
	out, err := s.DescribeLoadBalancerAttributes(ctx, &LoadBalancerAttributesInput{LoadBalancerARN: st.lb})
	if err != nil || len(out.Attributes) == 0 {
		t.Fatalf("attributes %v, %v", out, err)
	}
	_, err = s.DescribeLoadBalancerAttributes(ctx, &LoadBalancerAttributesInput{LoadBalancerARN: st.lb + "0"})
	wantErr(t, err, CodeLoadBalancerNotFound, state.ErrLoadBalancerNotFound)
	_, err = s.ModifyListenerAttributes(ctx, &ListenerAttributesInput{ListenerARN: st.listener})
	wantErr(t, err, CodeValidationError, nil)
	_, err = s.ModifyLoadBalancerAttributes(ctx, &LoadBalancerAttributesInput{LoadBalancerARN: st.lb,
		Attributes: []Attribute{{Key: model.LBAttrIdleTimeout, Value: "30"}, {Key: model.LBAttrHTTP2, Value: "maybe"}}})
	wantErr(t, err, CodeValidationError, nil)
	again, _ := s.DescribeLoadBalancerAttributes(ctx, &LoadBalancerAttributesInput{LoadBalancerARN: st.lb})
	for _, a := range again.Attributes {
		if a.Key == model.LBAttrIdleTimeout && a.Value != "60" {
			t.Errorf("a refused modification changed %s to %s", a.Key, a.Value)
		}
	}

	none, err := s.DescribeSSLPolicies(ctx, &DescribeSSLPoliciesInput{LoadBalancerType: model.ALBTypeGateway})
	if err != nil || none.SSLPolicies == nil || len(none.SSLPolicies) != 0 {
		t.Errorf("gateway policies %v, %v", none, err)
	}
	limits, err := s.DescribeAccountLimits(ctx, &DescribeAccountLimitsInput{Page: Page{PageSize: ptr(400)}})
	if err != nil || len(limits.Limits) != len(model.ELBAccountLimits()) || limits.NextMarker != "" {
		t.Errorf("limits %v, %v", limits, err)
	}
	certs, err := s.DescribeListenerCertificates(ctx, &DescribeListenerCertificatesInput{ListenerARN: st.listener})
	if err != nil || certs.Certificates == nil || len(certs.Certificates) != 0 {
		t.Errorf("HTTP listener certificates %v, %v", certs, err)
	}
	_, err = s.SetIPAddressType(ctx, &SetIPAddressTypeInput{LoadBalancerARN: st.lb + "0", IPAddressType: "ipv4"})
	wantErr(t, err, CodeLoadBalancerNotFound, state.ErrLoadBalancerNotFound)
}

// The TLS settings a policy gives the data planes.
func TestSSLPolicyTLSConfig(t *testing.T) {
	p, ok := model.LookupSSLPolicy("ELBSecurityPolicy-TLS13-1-2-Res-2021-06")
	if !ok {
		t.Fatal("policy missing")
	}
	lo, hi, suites := p.TLSConfig()
	if lo != 0x0303 || hi != 0x0304 || len(suites) != 4 {
		t.Errorf("TLS 1.2-1.3 policy: %x-%x, %d suites", lo, hi, len(suites))
	}
	old, _ := model.LookupSSLPolicy(model.DefaultSSLPolicy)
	if lo, _, suites := old.TLSConfig(); lo != 0x0301 || len(suites) != 15 {
		t.Errorf("default policy: from %x, %d suites", lo, len(suites))
	}
}
