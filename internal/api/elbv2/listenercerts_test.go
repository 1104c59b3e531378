package elbv2

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

func certList(arns ...string) []types.Certificate {
	var out []types.Certificate
	for _, a := range arns {
		out = append(out, types.Certificate{CertificateArn: aws.String(a)})
	}
	return out
}

func TestListenerCertificates(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	dir := t.TempDir()
	def, one, two, three := "file://"+writeCert(t, dir, "def"), "file://"+writeCert(t, dir, "one"), "file://"+writeCert(t, dir, "two"), "file://"+writeCert(t, dir, "three")
	l := *must(a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(s.lb), Port: aws.Int32(8443),
		Protocol: types.ProtocolEnumHttps, Certificates: certList(def), DefaultActions: forwardTo(s.tg)}))(t).Listeners[0].ListenerArn

	added := must(a.c.AddListenerCertificates(ctx, &elb.AddListenerCertificatesInput{ListenerArn: aws.String(l), Certificates: certList(one, two)}))(t)
	if len(added.Certificates) != 2 || *added.Certificates[0].CertificateArn != one || *added.Certificates[0].IsDefault {
		t.Errorf("added = %+v", added.Certificates)
	}
	// Adding one again changes nothing.
	must(a.c.AddListenerCertificates(ctx, &elb.AddListenerCertificatesInput{ListenerArn: aws.String(l), Certificates: certList(one)}))(t)
	described := func() map[string]bool {
		out := map[string]bool{}
		for _, c := range must(a.c.DescribeListenerCertificates(ctx, &elb.DescribeListenerCertificatesInput{ListenerArn: aws.String(l)}))(t).Certificates {
			out[*c.CertificateArn] = *c.IsDefault
		}
		return out
	}
	if got := described(); len(got) != 3 || !got[def] || got[one] || got[two] {
		t.Errorf("described = %v", got)
	}
	// DescribeListeners shows the default certificate only, as ELB does.
	ls := must(a.c.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: []string{l}}))(t).Listeners[0]
	if len(ls.Certificates) != 1 || *ls.Certificates[0].CertificateArn != def {
		t.Errorf("listener certificates = %+v", ls.Certificates)
	}
	// A new default keeps the added certificates; every one reaches the data plane for SNI.
	must(a.c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: aws.String(l), Certificates: certList(three)}))(t)
	if got := described(); len(got) != 3 || !got[three] || got[def] {
		t.Errorf("after the default changed = %v", got)
	}
	var rec model.Listener
	must(0, a.st.View(ctx, func(tx state.Tx) (err error) { rec, err = tx.Listener(l); return err }))(t)
	if len(rec.Certificates) != 3 || rec.Certificates[0].ARN != three || !rec.Certificates[0].IsDefault {
		t.Errorf("stored certificates = %+v", rec.Certificates)
	}

	_, err := a.c.RemoveListenerCertificates(ctx, &elb.RemoveListenerCertificatesInput{ListenerArn: aws.String(l), Certificates: certList(three)})
	wantCode(t, err, "OperationNotPermitted")
	must(a.c.RemoveListenerCertificates(ctx, &elb.RemoveListenerCertificatesInput{ListenerArn: aws.String(l), Certificates: certList(one, "file:///not/there.pem")}))(t)
	if got := described(); len(got) != 2 || !got[three] {
		t.Errorf("after remove = %v", got)
	}
	_, err = a.c.AddListenerCertificates(ctx, &elb.AddListenerCertificatesInput{ListenerArn: aws.String(l), Certificates: certList("file:///not/there.pem")})
	wantCode(t, err, "CertificateNotFound")
	_, err = a.c.AddListenerCertificates(ctx, &elb.AddListenerCertificatesInput{ListenerArn: aws.String(s.listener), Certificates: certList(one)})
	wantCode(t, err, "ValidationError") // AddListenerCertificates documents none of ELB's own errors for it
	_, err = a.c.AddListenerCertificates(ctx, &elb.AddListenerCertificatesInput{ListenerArn: aws.String(l + "0"), Certificates: certList(one)})
	wantCode(t, err, "ListenerNotFound")
	_, err = a.c.DescribeListenerCertificates(ctx, &elb.DescribeListenerCertificatesInput{ListenerArn: aws.String(l + "0")})
	wantCode(t, err, "ListenerNotFound")

	// More than 25 besides the default: TooManyCertificates, nothing added.
	var many []string
	for i := range model.MaxCertificatesPerListener {
		many = append(many, "file://"+writeCert(t, dir, "c"+string(rune('a'+i))))
	}
	_, err = a.c.AddListenerCertificates(ctx, &elb.AddListenerCertificatesInput{ListenerArn: aws.String(l), Certificates: certList(many...)})
	wantCode(t, err, "TooManyCertificates")
	if got := described(); len(got) != 2 {
		t.Errorf("after refused add: %d certificates", len(got))
	}
}

func TestMutualAuthentication(t *testing.T) {
	a := newTestAPI(t)
	s := a.setUp(t, 8000)
	cert := "file://" + writeCert(t, t.TempDir(), "site")
	create := func(port int32, m *types.MutualAuthenticationAttributes) error {
		_, err := a.c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(s.lb), Port: aws.Int32(port),
			Protocol: types.ProtocolEnumHttps, Certificates: certList(cert), DefaultActions: forwardTo(s.tg), MutualAuthentication: m})
		return err
	}
	must(0, create(8443, &types.MutualAuthenticationAttributes{Mode: aws.String("off")}))(t)
	wantCode(t, create(8444, &types.MutualAuthenticationAttributes{Mode: aws.String("verify"), TrustStoreArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:truststore/ts/1")}), "InvalidConfigurationRequest")
	wantCode(t, create(8445, &types.MutualAuthenticationAttributes{Mode: aws.String("passthrough")}), "InvalidConfigurationRequest")
	wantCode(t, create(8446, &types.MutualAuthenticationAttributes{Mode: aws.String("sometimes")}), "ValidationError")
	_, err := a.c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: aws.String(s.listener),
		MutualAuthentication: &types.MutualAuthenticationAttributes{Mode: aws.String("verify")}})
	wantCode(t, err, "InvalidConfigurationRequest")
}
