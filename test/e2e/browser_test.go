package e2e

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/slipway-dev/slipway/internal/testutil"
)

const ecsTarget = "AmazonEC2ContainerServiceV20141113."

// awsCLIBinaries are the AWS CLIs of this machine, each version once: aws
// on PATH (1.x here) and Debian's v2 at /usr/bin/aws when installed.
func awsCLIBinaries(t *testing.T) []string {
	t.Helper()
	requireAWSCLI(t)
	var bins []string
	seen := map[string]bool{}
	for _, name := range []string{"aws", "/usr/bin/aws"} {
		path, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "--version").CombinedOutput()
		if f := strings.Fields(string(out)); err == nil && len(f) > 0 && !seen[f[0]] {
			seen[f[0]] = true
			bins = append(bins, path)
			t.Logf("AWS CLI %s: %s", path, f[0])
		}
	}
	return bins
}

// withBinary returns the CLI run from another executable.
func (c *awsCLI) withBinary(bin string) *awsCLI {
	return &awsCLI{endpoint: c.endpoint, env: c.env, bin: bin}
}

// sdkCalls makes one ECS and one ELBv2 call with aws-sdk-go-v2, through
// client when it is not nil.
func sdkCalls(endpoint, keyID, secret string, client *http.Client) error {
	creds := credentials.NewStaticCredentialsProvider(keyID, secret, "")
	var httpClient aws.HTTPClient = awshttp.NewBuildableClient()
	if client != nil {
		httpClient = client
	}
	ctx := context.Background()
	ecsClient := awsecs.New(awsecs.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: creds,
		HTTPClient: httpClient, RetryMaxAttempts: 1})
	if _, err := ecsClient.ListClusters(ctx, &awsecs.ListClustersInput{}); err != nil {
		return err
	}
	elbClient := elb.New(elb.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: creds,
		HTTPClient: httpClient, RetryMaxAttempts: 1})
	_, err := elbClient.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
	return err
}

// rawRequest is a request as a web page could make a browser send it.
type rawRequest struct {
	method, path, contentType, body string
	header                          map[string]string
}

func jsonCall(op, body string, header map[string]string) rawRequest {
	h := map[string]string{"X-Amz-Target": ecsTarget + op}
	for k, v := range header {
		h[k] = v
	}
	return rawRequest{method: http.MethodPost, contentType: "application/x-amz-json-1.1", body: body, header: h}
}

func formPost(v url.Values, header map[string]string) rawRequest {
	return rawRequest{method: http.MethodPost, contentType: "application/x-www-form-urlencoded", body: v.Encode(), header: header}
}

// build makes r for the server at base; a "Host" header sets the Host.
func (r rawRequest) build(t *testing.T, base string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(r.method, base+r.path, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	for k, v := range r.header {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	return req
}

// send sends r to base and returns the status and body.
func (r rawRequest) send(t *testing.T, base string) (int, string) {
	t.Helper()
	return do(t, r.build(t, base))
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestBrowserRequestsRefusedWithoutCredentials: a server without
// credentials refuses what a web page the user visits can send, by DNS
// rebinding or cross-site, each in the protocol's error shape with what to
// do, and changes nothing; the AWS CLIs, aws-sdk-go-v2 and the slipway CLI
// keep working.
func TestBrowserRequestsRefusedWithoutCredentials(t *testing.T) {
	bins := awsCLIBinaries(t)
	t.Parallel()
	site := newSite(t)
	srv := site.startServer(t)
	port := srv.url[strings.LastIndex(srv.url, ":")+1:]
	rebound := map[string]string{"Host": "evil.example:" + port, "Authorization": testutil.DummyAuthorization}
	dummyAuth := map[string]string{"Authorization": testutil.DummyAuthorization}
	createLB := url.Values{"Action": {"CreateLoadBalancer"}, "Version": {"2015-12-01"}, "Name": {"evil"},
		"Subnets.member.1": {"subnet-a"}, "Subnets.member.2": {"subnet-b"}}
	crossSite := map[string]string{"Origin": "https://evil.example", "Authorization": testutil.DummyAuthorization}
	attacks := []struct {
		name         string
		req          rawRequest
		status       int
		code, advice string
	}{
		{"DNS rebinding RegisterTaskDefinition", jsonCall("RegisterTaskDefinition", site.talkTaskDef("v1"), rebound),
			403, `"__type":"AccessDeniedException"`, "http://127.0.0.1:" + port},
		{"DNS rebinding RunTask", jsonCall("RunTask", `{"taskDefinition":"talk"}`, rebound),
			403, `"__type":"AccessDeniedException"`, "DNS rebinding"},
		{"DNS rebinding CreateLoadBalancer", formPost(createLB, rebound), 403, "<Code>AccessDenied</Code>", "DNS rebinding"},
		{"cross-site Origin", formPost(createLB, crossSite), 403, "<Code>AccessDenied</Code>", "AWS CLI"},
		{"Sec-Fetch-Site cross-site", jsonCall("RegisterTaskDefinition", site.talkTaskDef("v1"),
			map[string]string{"Sec-Fetch-Site": "cross-site", "Authorization": testutil.DummyAuthorization}),
			403, `"__type":"AccessDeniedException"`, "AWS CLI"},
		{"form POST without Authorization", formPost(createLB, nil), 403, "<Code>MissingAuthenticationToken</Code>", "AWS_ACCESS_KEY_ID"},
		{"GET ?Action=CreateLoadBalancer", rawRequest{method: http.MethodGet, path: "/?" + createLB.Encode(), header: dummyAuth},
			403, "<Code>AccessDenied</Code>", "POST"},
	}
	for _, a := range attacks {
		status, body := a.req.send(t, srv.url)
		if status != a.status || !strings.Contains(body, a.code) || !strings.Contains(body, a.advice) {
			t.Errorf("%s: %d %s; want %d %s saying %q", a.name, status, body, a.status, a.code, a.advice)
		}
	}
	// Nothing the attacks asked for exists; every client still works.
	for _, bin := range bins {
		for _, endpoint := range []string{srv.url, "http://localhost:" + port} {
			cli := newAWSCLI(site, endpoint).withBinary(bin)
			var defs struct{ TaskDefinitionArns []string }
			cli.must(t, &defs, "ecs", "list-task-definitions")
			var tasks struct{ TaskArns []string }
			cli.must(t, &tasks, "ecs", "list-tasks")
			var lbs struct{ LoadBalancers []any }
			cli.must(t, &lbs, "elbv2", "describe-load-balancers")
			if len(defs.TaskDefinitionArns)+len(tasks.TaskArns)+len(lbs.LoadBalancers) > 0 {
				t.Fatalf("refused requests changed the server: %v %v %v", defs, tasks, lbs)
			}
		}
	}
	if err := sdkCalls(srv.url, "AKIDANY", "any", nil); err != nil {
		t.Errorf("aws-sdk-go-v2: %v", err)
	}
	slipway := exec.Command(slipwayBin, "--endpoint-url", srv.url, "services")
	slipway.Env = serverEnv()
	if out, err := slipway.CombinedOutput(); err != nil {
		t.Errorf("slipway services: %v\n%s", err, out)
	}
}
