package elbv2

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

// fakeHealth is a HealthSource with canned answers.
type fakeHealth struct {
	mu     sync.Mutex
	health map[string][]lb.TargetHealth
	states map[string][2]string
}

func (f *fakeHealth) TargetHealth(arn string) []lb.TargetHealth {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.health[arn]
}

func (f *fakeHealth) LoadBalancerState(arn string) (string, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.states[arn]; ok {
		return s[0], s[1]
	}
	return model.ALBStateActive, ""
}

func (f *fakeHealth) setState(arn, code, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.states[arn] = [2]string{code, reason}
}

func (f *fakeHealth) set(arn string, th ...lb.TargetHealth) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.health[arn] = th
}

type testAPI struct {
	c      *elb.Client
	st     *state.State
	health *fakeHealth
	url    string
}

func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	s, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	st := state.New(s, model.Partition{Region: "us-east-1", Account: "123456789012"}, nil)
	logger := slog.New(slog.DiscardHandler)
	health := &fakeHealth{health: map[string][]lb.TargetHealth{}, states: map[string][2]string{}}
	rt := awsproto.NewRouter(nil, nil, logger)
	rt.HandleQuery(awsproto.QueryAPI{Version: Version, Namespace: Namespace, SigningName: SigningName}, New(elbops.New(st, health, logger), logger))
	srv := httptest.NewServer(checkedAnswers(t, rt))
	t.Cleanup(srv.Close)
	c := elb.New(elb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer:      aws.NopRetryer{},
	})
	return &testAPI{c: c, st: st, health: health, url: srv.URL}
}

// wantCode fails unless err is an ELB API error with the code and HTTP 400.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != http.StatusBadRequest {
		t.Fatalf("%s: HTTP %d, want 400", code, re.HTTPStatusCode())
	}
}

// must(call(...))(t) returns call's result or fails the test.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

var ctx = context.Background()

// seeds holds what the standard set-up creates.
type seeds struct {
	tg, lb, listener string
}

// setUp does what the docs' walkthrough does: a target group with a
// health check on /health, a load balancer, an HTTP listener forwarding to
// the group, and two registered targets.
func (a *testAPI) setUp(t *testing.T, port int32) seeds {
	t.Helper()
	tg := must(a.c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{
		Name: aws.String("talk"), Protocol: types.ProtocolEnumHttp, Port: aws.Int32(8080),
		VpcId: aws.String("vpc-1"), TargetType: types.TargetTypeEnumInstance, HealthCheckPath: aws.String("/health"),
	}))(t).TargetGroups[0]
	lbOut := must(a.c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
		Name: aws.String("web"), Subnets: []string{"subnet-a", "subnet-b"}, SecurityGroups: []string{"sg-1"},
	}))(t).LoadBalancers[0]
	l := must(a.c.CreateListener(ctx, &elb.CreateListenerInput{
		LoadBalancerArn: lbOut.LoadBalancerArn, Protocol: types.ProtocolEnumHttp, Port: aws.Int32(port),
		DefaultActions: []types.Action{{Type: types.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroupArn}},
	}))(t).Listeners[0]
	must(a.c.RegisterTargets(ctx, &elb.RegisterTargetsInput{
		TargetGroupArn: tg.TargetGroupArn,
		Targets:        []types.TargetDescription{{Id: aws.String("i-1")}, {Id: aws.String("i-2"), Port: aws.Int32(8081)}},
	}))(t)
	return seeds{tg: *tg.TargetGroupArn, lb: *lbOut.LoadBalancerArn, listener: *l.ListenerArn}
}

func TestUnknownActionAndRawResponseShape(t *testing.T) {
	a := newTestAPI(t)
	code, body := postForm(t, a.url, url.Values{"Action": {"Explode"}, "Version": {Version}})
	if code != 400 || !strings.Contains(body, "<Code>InvalidAction</Code>") || !strings.Contains(body, "<Type>Sender</Type>") {
		t.Fatalf("unknown action: %d %s", code, body)
	}
	code, body = postForm(t, a.url, url.Values{"Action": {"DescribeLoadBalancers"}, "Version": {Version}})
	want := `<DescribeLoadBalancersResponse xmlns="` + Namespace + `"><DescribeLoadBalancersResult><LoadBalancers></LoadBalancers></DescribeLoadBalancersResult><ResponseMetadata><RequestId>`
	if code != 200 || !strings.Contains(body, want) {
		t.Fatalf("describe: %d %s", code, body)
	}
}
