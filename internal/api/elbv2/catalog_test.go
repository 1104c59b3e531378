package elbv2

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

func TestDescribeSSLPolicies(t *testing.T) {
	a := newTestAPI(t)
	all := must(a.c.DescribeSSLPolicies(ctx, &elb.DescribeSSLPoliciesInput{}))(t).SslPolicies
	if len(all) < 15 {
		t.Fatalf("%d policies", len(all))
	}
	one := must(a.c.DescribeSSLPolicies(ctx, &elb.DescribeSSLPoliciesInput{Names: []string{"ELBSecurityPolicy-2016-08"}}))(t).SslPolicies
	if len(one) != 1 {
		t.Fatalf("named policy: %d", len(one))
	}
	p := one[0]
	if *p.Name != "ELBSecurityPolicy-2016-08" || !slices.Equal(p.SslProtocols, []string{"TLSv1", "TLSv1.1", "TLSv1.2"}) ||
		len(p.Ciphers) != 18 || *p.Ciphers[0].Name != "ECDHE-ECDSA-AES128-GCM-SHA256" || *p.Ciphers[0].Priority != 1 ||
		*p.Ciphers[17].Priority != 18 || !slices.Equal(p.SupportedLoadBalancerTypes, []string{"application", "network"}) {
		t.Errorf("policy = %+v", p)
	}
	tls13 := must(a.c.DescribeSSLPolicies(ctx, &elb.DescribeSSLPoliciesInput{Names: []string{"ELBSecurityPolicy-TLS13-1-3-2021-06"}}))(t).SslPolicies[0]
	if !slices.Equal(tls13.SslProtocols, []string{"TLSv1.3"}) || len(tls13.Ciphers) != 3 || *tls13.Ciphers[0].Name != "TLS_AES_128_GCM_SHA256" {
		t.Errorf("TLS 1.3 policy = %+v", tls13)
	}
	// ELBSecurityPolicy-2015-05 is an application load balancers' policy.
	network := must(a.c.DescribeSSLPolicies(ctx, &elb.DescribeSSLPoliciesInput{LoadBalancerType: types.LoadBalancerTypeEnumNetwork}))(t).SslPolicies
	if len(network) != len(all)-1 {
		t.Errorf("network policies %d of %d", len(network), len(all))
	}
	var paged []string
	in := &elb.DescribeSSLPoliciesInput{PageSize: aws.Int32(5)}
	for {
		out := must(a.c.DescribeSSLPolicies(ctx, in))(t)
		for _, p := range out.SslPolicies {
			paged = append(paged, *p.Name)
		}
		if out.NextMarker == nil {
			break
		}
		in.Marker = out.NextMarker
	}
	if len(paged) != len(all) || paged[0] != *all[0].Name || paged[len(paged)-1] != *all[len(all)-1].Name {
		t.Errorf("paged %v", paged)
	}
	_, err := a.c.DescribeSSLPolicies(ctx, &elb.DescribeSSLPoliciesInput{Names: []string{"ELBSecurityPolicy-Nope"}})
	wantCode(t, err, "SSLPolicyNotFound")
	_, err = a.c.DescribeSSLPolicies(ctx, &elb.DescribeSSLPoliciesInput{PageSize: aws.Int32(401)})
	wantCode(t, err, "ValidationError")
}

func TestSSLPolicyOfListeners(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	cert := "file://" + writeCert(t, t.TempDir(), "site")
	certs := []types.Certificate{{CertificateArn: aws.String(cert)}}
	l := must(a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(s.lb), Port: aws.Int32(8443),
		Protocol: types.ProtocolEnumHttps, Certificates: certs, SslPolicy: aws.String("ELBSecurityPolicy-TLS13-1-2-2021-06"),
		DefaultActions: forwardTo(s.tg)}))(t).Listeners[0]
	if *l.SslPolicy != "ELBSecurityPolicy-TLS13-1-2-2021-06" {
		t.Errorf("policy %s", *l.SslPolicy)
	}
	_, err := a.c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: l.ListenerArn, SslPolicy: aws.String("ELBSecurityPolicy-Made-Up")})
	wantCode(t, err, "SSLPolicyNotFound")
	nlb := a.createNLB(t, "edge")
	tls := a.createTG(t, "tls", types.ProtocolEnumTls)
	_, err = a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(nlb), Port: aws.Int32(8444),
		Protocol: types.ProtocolEnumTls, Certificates: certs, SslPolicy: aws.String("ELBSecurityPolicy-2015-05"),
		DefaultActions: forwardTo(tls)})
	wantCode(t, err, "SSLPolicyNotFound")
}

func TestDescribeAccountLimits(t *testing.T) {
	a := newTestAPI(t)
	limits := map[string]string{}
	pager := elb.NewDescribeAccountLimitsPaginator(a.c, &elb.DescribeAccountLimitsInput{PageSize: aws.Int32(4)})
	for pager.HasMorePages() {
		for _, l := range must(pager.NextPage(ctx))(t).Limits {
			limits[*l.Name] = *l.Max
		}
	}
	for name, want := range map[string]string{
		"application-load-balancers": "50", "network-load-balancers": "50", "target-groups": "3000",
		"listeners-per-application-load-balancer": "50", "rules-per-application-load-balancer": "100",
		"target-groups-per-action-on-network-load-balancer": "1", "certificates-per-application-load-balancer": "25",
	} {
		if limits[name] != want {
			t.Errorf("%s = %q, want %s", name, limits[name], want)
		}
	}
}

func TestUnsupportedOperations(t *testing.T) {
	a := newTestAPI(t)
	_, err := a.c.DescribeTrustStores(ctx, &elb.DescribeTrustStoresInput{})
	wantCode(t, err, "TrustStoreNotFound")
	_, err = a.c.DescribeCapacityReservation(ctx, &elb.DescribeCapacityReservationInput{LoadBalancerArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1")})
	wantCode(t, err, "ValidationError")
}
