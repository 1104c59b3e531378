package e2e

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/slipway-dev/slipway/internal/lb/oidcauth/oidctest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestAuthenticateOIDCThroughTheDataPlaneProcess: an HTTPS listener's rule
// authenticates through a local OpenID provider (trusted by the data plane
// process through SSL_CERT_FILE) and forwards; a browser that follows the
// flow reaches the target with the x-amzn-oidc-* headers, all set up with
// aws-sdk-go-v2 and served by `slipway __lb`.
func TestAuthenticateOIDCThroughTheDataPlaneProcess(t *testing.T) {
	t.Parallel()
	p := oidctest.New(t)
	site := newSite(t)
	idpCA := filepath.Join(site.dir, "idp.pem")
	if err := os.WriteFile(idpCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Server.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	site.env = append(site.env, "SSL_CERT_FILE="+idpCA)
	srv := site.startServer(t)
	ca := testutil.NewTestCA(t, t.TempDir())

	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"identity": r.Header.Get("X-Amzn-Oidc-Identity"),
			"token": r.Header.Get("X-Amzn-Oidc-Accesstoken"), "data": r.Header.Get("X-Amzn-Oidc-Data")})
	}))
	t.Cleanup(target.Close)
	targetPort := int32(target.Listener.Addr().(*net.TCPAddr).Port)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := elb.New(elb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.url), HTTPClient: testutil.SDKHTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(site.keyID, site.secret, "")})
	tg := ok(c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("app"), Protocol: types.ProtocolEnumHttp,
		Port: aws.Int32(targetPort), VpcId: aws.String("vpc-1"), HealthCheckIntervalSeconds: aws.Int32(5), HealthCheckTimeoutSeconds: aws.Int32(2), HealthyThresholdCount: aws.Int32(2)}))(t).TargetGroups[0]
	ok(c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: tg.TargetGroupArn,
		Targets: []types.TargetDescription{{Id: aws.String("i-0123456789abcdef0"), Port: aws.Int32(targetPort)}}}))(t)
	lb := ok(c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web"), Subnets: []string{"subnet-a", "subnet-b"}}))(t).LoadBalancers[0]
	port := freePort(t)
	lst := ok(c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn, Protocol: types.ProtocolEnumHttps,
		Port: aws.Int32(int32(port)), Certificates: []types.Certificate{{CertificateArn: aws.String("file://" + ca.CertFile)}},
		DefaultActions: []types.Action{
			{Type: types.ActionTypeEnumAuthenticateOidc, Order: aws.Int32(1), AuthenticateOidcConfig: &types.AuthenticateOidcActionConfig{
				Issuer: aws.String(p.Issuer()), AuthorizationEndpoint: aws.String(p.Issuer() + "/authorize"),
				TokenEndpoint: aws.String(p.Issuer() + "/token"), UserInfoEndpoint: aws.String(p.Issuer() + "/userinfo"),
				ClientId: aws.String(p.ClientID), ClientSecret: aws.String(p.ClientSecret)}},
			{Type: types.ActionTypeEnumForward, Order: aws.Int32(2), TargetGroupArn: tg.TargetGroupArn},
		}}))(t).Listeners[0]
	if lst.DefaultActions[0].AuthenticateOidcConfig.ClientSecret != nil {
		t.Fatal("CreateListener described the client secret")
	}

	roots := ca.Pool.Clone()
	roots.AddCert(p.Server.Certificate())
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	url := "https://127.0.0.1:" + strconv.Itoa(port) + "/private"
	var seen map[string]string
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(srv.logTail(20))
		}
	})
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		resp, err := browser.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && json.Unmarshal(body, &seen) == nil {
				return true, ""
			}
			err = &statusError{resp.StatusCode, string(body)}
		}
		return false, "no authenticated answer through the data plane: " + err.Error()
	})
	if seen["identity"] != p.Subject || seen["token"] != "at-"+p.Subject || seen["data"] == "" {
		t.Fatalf("the target saw %v", seen)
	}
}

type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string { return "status " + strconv.Itoa(e.code) + ": " + e.body }

// ok(call(...))(t) returns call's result or fails the test.
func ok[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
