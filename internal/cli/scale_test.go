package cli

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// registerTarget registers talk as a scalable target with [lo, hi].
func (f *fixture) registerTarget(lo, hi int32) {
	f.t.Helper()
	g := &globals{endpoint: f.srv.URL(), region: "us-east-1", cluster: "default"}
	c, err := g.autoscalingClient(f.t.Context())
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := c.RegisterScalableTarget(f.t.Context(), &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: aws.String("service/default/talk"), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		MinCapacity: aws.Int32(lo), MaxCapacity: aws.Int32(hi)}); err != nil {
		f.t.Fatal(err)
	}
}

func TestServicesShowsAutoscalingBounds(t *testing.T) {
	f := newFixture(t, false)
	out, _, code := f.run("services")
	if code != 0 || !regexp.MustCompile(`(?m)^talk\s+ACTIVE\s+3\s+-\s+-\s+3\s+`).MatchString(out) {
		t.Fatalf("exit %d, without a scalable target want MIN and MAX \"-\":\n%s", code, out)
	}
	if !strings.Contains(out, "MIN") || !strings.Contains(out, "LAST SCALING ACTIVITY") {
		t.Errorf("no MIN or LAST SCALING ACTIVITY column:\n%s", out)
	}
	f.registerTarget(2, 6)
	out, _, code = f.run("services")
	if code != 0 || !regexp.MustCompile(`(?m)^talk\s+ACTIVE\s+3\s+2\s+6\s+3\s+`).MatchString(out) {
		t.Fatalf("exit %d, want MIN 2 and MAX 6:\n%s", code, out)
	}
	out, _, code = f.run("services", "--output", "json")
	var resp struct {
		Services []struct {
			ServiceName        string         `json:"serviceName"`
			DesiredCount       int32          `json:"desiredCount"`
			SlipwayAutoscaling serviceScaling `json:"slipwayAutoscaling"`
		} `json:"services"`
	}
	if err := json.Unmarshal([]byte(out), &resp); err != nil || code != 0 || len(resp.Services) != 1 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	got := resp.Services
	a := got[0].SlipwayAutoscaling
	if got[0].ServiceName != "talk" || got[0].DesiredCount != 3 || !a.Registered || aws.ToInt32(a.MinCapacity) != 2 || aws.ToInt32(a.MaxCapacity) != 6 {
		t.Errorf("json = %+v, autoscaling %+v", got[0], a)
	}
}

func TestScaleReachesSteadyState(t *testing.T) {
	f := newFixture(t, false)
	if _, err := f.c.ecs.UpdateService(t.Context(), &awsecs.UpdateServiceInput{Service: aws.String("talk"), DesiredCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		svc := f.service()
		return svc.RunningCount == 1 && len(svc.Deployments) == 1, deploymentsString(svc)
	})
	out, stderr, code := f.run("scale", "talk", "3")
	last := lastLine(out)
	if code != 0 || !strings.HasPrefix(last, "STEADY in ") || !strings.Contains(last, "talk runs 3 tasks of talk:1") || !duration.MatchString(last) {
		t.Fatalf("exit %d, last line %q", code, last)
	}
	if strings.Contains(stderr, "warning") {
		t.Errorf("warned without a scalable target: %s", stderr)
	}
	if !strings.Contains(out, "talk:1 new 3/3 running") {
		t.Errorf("no live progress line in:\n%s", out)
	}
	if svc := f.service(); svc.DesiredCount != 3 || svc.RunningCount != 3 || len(svc.Deployments) != 1 {
		t.Errorf("after scale: desired %d running %d, deployments %s", svc.DesiredCount, svc.RunningCount, deploymentsString(svc))
	}
}

func TestScaleOutOfBoundsWarnsAndProceeds(t *testing.T) {
	f := newFixture(t, false)
	f.registerTarget(3, 4)
	out, stderr, code := f.run("scale", "talk", "2", "--timeout", "60s")
	if !strings.Contains(stderr, "warning: 2 is outside the autoscaling bounds [3, 4] of talk: autoscaling will move it back") {
		t.Errorf("no out-of-bounds warning in stderr:\n%s", stderr)
	}
	// It proceeds: the count is set, then either holds or autoscaling moves
	// it back, which the verdict says.
	last := lastLine(out)
	if !(code == 0 && strings.HasPrefix(last, "STEADY in ")) && !(code == 1 && strings.Contains(last, "desired count of talk is now 3, not 2")) {
		t.Fatalf("exit %d, last line %q", code, last)
	}
}

func TestScaleUsageErrors(t *testing.T) {
	f := newFixture(t, false)
	for _, args := range [][]string{{"scale", "talk", "--", "-1"}, {"scale", "talk", "many"}, {"scale", "talk", "5001"}} {
		if _, stderr, code := f.run(args...); code != 2 || !strings.Contains(stderr, "N must be a whole number") {
			t.Errorf("%v: exit %d, %s", args, code, stderr)
		}
	}
	if _, stderr, code := f.run("scale", "nope", "2"); code != 1 || !strings.Contains(stderr, "see `slipway services`") {
		t.Errorf("unknown service: exit %d, %s", code, stderr)
	}
}
