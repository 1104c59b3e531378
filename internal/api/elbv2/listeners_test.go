package elbv2

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// writeCert writes a self-signed certificate to dir/name.pem and its key
// to dir/name.key.
func writeCert(t *testing.T, dir, name string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath := filepath.Join(dir, name+".pem")
	writePEM(t, certPath, "CERTIFICATE", der)
	writePEM(t, filepath.Join(dir, name+".key"), "EC PRIVATE KEY", keyDER)
	return certPath
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func forwardTo(tg string) []types.Action {
	return []types.Action{{Type: types.ActionTypeEnumForward, TargetGroupArn: aws.String(tg)}}
}

func TestListenerLifecycle(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	other := createTG(t, a, "other", 80)
	// Ports are unique across load balancers: they all bind on this host.
	lb2 := must(a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("second")}))(t).LoadBalancers[0].LoadBalancerArn
	_, err := a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb2, Protocol: types.ProtocolEnumHttp,
		Port: aws.Int32(8000), DefaultActions: forwardTo(other)})
	wantCode(t, err, "DuplicateListener")
	_, err = a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(s.lb), Protocol: types.ProtocolEnumHttp,
		Port: aws.Int32(8000), DefaultActions: forwardTo(other)})
	wantCode(t, err, "DuplicateListener")
	// An ALB target group belongs to one load balancer.
	_, err = a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb2, Protocol: types.ProtocolEnumHttp,
		Port: aws.Int32(8001), DefaultActions: forwardTo(s.tg)})
	wantCode(t, err, "TargetGroupAssociationLimit")
	cases := map[string]struct {
		in   *elb.CreateListenerInput
		code string
	}{
		"tcp":        {&elb.CreateListenerInput{Protocol: types.ProtocolEnumTcp, Port: aws.Int32(81), DefaultActions: forwardTo(other)}, "UnsupportedProtocol"},
		"port":       {&elb.CreateListenerInput{Protocol: types.ProtocolEnumHttp, Port: aws.Int32(0), DefaultActions: forwardTo(other)}, "ValidationError"},
		"no tg":      {&elb.CreateListenerInput{Protocol: types.ProtocolEnumHttp, Port: aws.Int32(81), DefaultActions: forwardTo(other + "0")}, "TargetGroupNotFound"},
		"no lb":      {&elb.CreateListenerInput{LoadBalancerArn: aws.String(s.lb + "0"), Protocol: types.ProtocolEnumHttp, Port: aws.Int32(81), DefaultActions: forwardTo(other)}, "LoadBalancerNotFound"},
		"https cert": {&elb.CreateListenerInput{Protocol: types.ProtocolEnumHttps, Port: aws.Int32(81), DefaultActions: forwardTo(other)}, "ValidationError"},
		"acm arn": {&elb.CreateListenerInput{Protocol: types.ProtocolEnumHttps, Port: aws.Int32(81), DefaultActions: forwardTo(other),
			Certificates: []types.Certificate{{CertificateArn: aws.String("arn:aws:acm:us-east-1:123456789012:certificate/abc")}}}, "CertificateNotFound"},
		"missing file": {&elb.CreateListenerInput{Protocol: types.ProtocolEnumHttps, Port: aws.Int32(81), DefaultActions: forwardTo(other),
			Certificates: []types.Certificate{{CertificateArn: aws.String("file:///nonexistent/cert.pem")}}}, "CertificateNotFound"},
		"authenticate": {&elb.CreateListenerInput{Protocol: types.ProtocolEnumHttp, Port: aws.Int32(81), DefaultActions: []types.Action{{
			Type: types.ActionTypeEnumAuthenticateOidc, AuthenticateOidcConfig: &types.AuthenticateOidcActionConfig{
				Issuer: aws.String("i"), AuthorizationEndpoint: aws.String("a"), TokenEndpoint: aws.String("t"),
				UserInfoEndpoint: aws.String("u"), ClientId: aws.String("c")}}}}, "InvalidLoadBalancerAction"},
	}
	for name, c := range cases {
		if c.in.LoadBalancerArn == nil {
			c.in.LoadBalancerArn = aws.String(s.lb)
		}
		_, err := a.c.CreateListener(ctx, c.in)
		t.Run(name, func(t *testing.T) { wantCode(t, err, c.code) })
	}

	dir := t.TempDir()
	cert := writeCert(t, dir, "site")
	https := must(a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(s.lb), Protocol: types.ProtocolEnumHttps,
		Port: aws.Int32(8443), DefaultActions: forwardTo(s.tg),
		Certificates: []types.Certificate{{CertificateArn: aws.String("file://" + cert)}}}))(t).Listeners[0]
	if *https.SslPolicy != "ELBSecurityPolicy-2016-08" || *https.Certificates[0].CertificateArn != "file://"+cert {
		t.Errorf("https listener = %+v", https)
	}
	// The explicit key form: cert.pem#/path/to/key.
	other2 := writeCert(t, dir, "other")
	if err := os.Rename(filepath.Join(dir, "other.key"), filepath.Join(dir, "k.pem")); err != nil {
		t.Fatal(err)
	}
	mod := must(a.c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: https.ListenerArn, Port: aws.Int32(8444),
		Certificates: []types.Certificate{{CertificateArn: aws.String("file://" + other2 + "#" + filepath.Join(dir, "k.pem"))}}}))(t).Listeners[0]
	if *mod.Port != 8444 {
		t.Errorf("modified = %+v", mod)
	}
	// Back to HTTP drops the TLS settings, as ELB does.
	mod = must(a.c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: https.ListenerArn, Protocol: types.ProtocolEnumHttp}))(t).Listeners[0]
	if mod.SslPolicy != nil || len(mod.Certificates) != 0 {
		t.Errorf("HTTP listener kept TLS settings: %+v", mod)
	}
	_, err = a.c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: https.ListenerArn, Port: aws.Int32(8000)})
	wantCode(t, err, "DuplicateListener")
	ls := must(a.c.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: []string{*https.ListenerArn, s.listener}}))(t).Listeners
	if len(ls) != 2 || *ls[0].Port != 8000 || *ls[1].Port != 8444 {
		t.Errorf("described = %+v", ls)
	}
	must(a.c.DeleteListener(ctx, &elb.DeleteListenerInput{ListenerArn: https.ListenerArn}))(t)
	_, err = a.c.DeleteListener(ctx, &elb.DeleteListenerInput{ListenerArn: https.ListenerArn})
	wantCode(t, err, "ListenerNotFound")
	_, err = a.c.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: []string{*https.ListenerArn}})
	wantCode(t, err, "ListenerNotFound")
	// Deleting the load balancer deletes its listeners and their rules.
	must(a.c.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(s.lb)}))(t)
	_, err = a.c.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: []string{s.listener}})
	wantCode(t, err, "ListenerNotFound")
	must(a.c.DeleteTargetGroup(ctx, &elb.DeleteTargetGroupInput{TargetGroupArn: aws.String(s.tg)}))(t)
}
