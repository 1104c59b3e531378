package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	acmsdk "github.com/aws/aws-sdk-go-v2/service/acm"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestACMPerRegion: a certificate requested in eu-west-1 has an ARN of
// eu-west-1, is not listed in us-east-1, and an eu-west-1 HTTPS listener
// takes it and serves it; a us-east-1 certificate is not found by an
// eu-west-1 listener (ACM is regional, as in AWS).
func TestACMPerRegion(t *testing.T) {
	s := start(t, Config{})
	ctx := t.Context()
	acmIn := func(region string) *acmsdk.Client { return acmClient(s, region) }
	const host = "eu.slipway.test"
	eu, err := acmIn("eu-west-1").RequestCertificate(ctx, &acmsdk.RequestCertificateInput{DomainName: aws.String(host)})
	if err != nil {
		t.Fatal(err)
	}
	euARN := aws.ToString(eu.CertificateArn)
	us, err := acmIn("us-east-1").RequestCertificate(ctx, &acmsdk.RequestCertificateInput{DomainName: aws.String("us.slipway.test")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(euARN, "arn:aws:acm:eu-west-1:") || !strings.HasPrefix(aws.ToString(us.CertificateArn), "arn:aws:acm:us-east-1:") {
		t.Fatalf("ARNs %s, %s", euARN, aws.ToString(us.CertificateArn))
	}
	list, err := acmIn("us-east-1").ListCertificates(ctx, &acmsdk.ListCertificatesInput{})
	if err != nil || len(list.CertificateSummaryList) != 1 || aws.ToString(list.CertificateSummaryList[0].CertificateArn) == euARN {
		t.Fatalf("us-east-1 lists %+v %v", list, err)
	}

	elbc := clientsIn(s, "eu-west-1").elb
	lbOut, err := elbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("tls"), Subnets: []string{"subnet-a", "subnet-b"}})
	if err != nil {
		t.Fatal(err)
	}
	lbARN := lbOut.LoadBalancers[0].LoadBalancerArn
	port := int32(testutil.FreePort(t))
	fixed := []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse, FixedResponseConfig: &elbtypes.FixedResponseActionConfig{
		StatusCode: aws.String("200"), ContentType: aws.String("text/plain"), MessageBody: aws.String("eu")}}}
	_, err = elbc.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbARN, Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(port),
		Certificates: []elbtypes.Certificate{{CertificateArn: us.CertificateArn}}, DefaultActions: fixed})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "CertificateNotFound" {
		t.Fatalf("eu-west-1 listener with a us-east-1 certificate: %v", err)
	}
	if _, err := elbc.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbARN, Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(port),
		Certificates: []elbtypes.Certificate{{CertificateArn: &euARN}}, DefaultActions: fixed}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 20*time.Second, func() (bool, string) {
		d := &net.Dialer{Timeout: 2 * time.Second}
		conn, err := tls.DialWithDialer(d, "tcp", fmt.Sprintf("127.0.0.1:%d", port), &tls.Config{ServerName: host, InsecureSkipVerify: true})
		if err != nil {
			return false, err.Error()
		}
		defer conn.Close()
		names := conn.ConnectionState().PeerCertificates[0].DNSNames
		return len(names) > 0 && names[0] == host, fmt.Sprintf("served %v", names)
	})
}

// acmClient is the ACM SDK client of s in region.
func acmClient(s *Server, region string) *acmsdk.Client {
	return acmsdk.New(acmsdk.Options{Region: region, BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""), HTTPClient: testutil.SDKHTTPClient()})
}
