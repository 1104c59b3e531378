package deploy

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// TestAnalysisFailsBackA500ingCanary: with no alarm set up, a canary whose
// green answers half its requests with 500 is failed back by the built-in
// analysis (green's error rate against blue's over the same window, from
// the load balancer's own counts): traffic returns to blue before green
// scales in, the verdict and its figures are in the deployment's
// statusReason and the events, and the failed requests are bounded by the
// canary's share of the load over the detection time.
func TestAnalysisFailsBackA500ingCanary(t *testing.T) {
	cfg := &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyCanary,
		CanaryConfiguration: &ecstypes.CanaryConfiguration{CanaryPercent: aws.Float64(10), CanaryBakeTimeInMinutes: aws.Int32(30)}}
	// The canary's bake lasts 30 s at 60x: far longer than detection.
	h := newHarness(t, variants[0], serviceConfig{desired: 4, minPct: 100, maxPct: 200, shift: cfg, timeScale: 60})
	d, s := h.failBack500ing(t, "analysis", 10)
	reason := aws.ToString(d.RolloutStateReason)
	if d.RolloutState != ecstypes.DeploymentRolloutStateFailed || !strings.Contains(reason, "built-in analysis detected a higher error rate") ||
		!strings.Contains(reason, "requests) against") {
		t.Errorf("deployment: %s %q", d.RolloutState, reason)
	}
	if !hasEvent(s, "deployment failed: built-in analysis detected a higher error rate in the new service revision: error rate ") {
		t.Errorf("events: %s", h.summary(s))
	}
	sd := h.expectServiceDeployment(aws.ToString(d.Id), ecstypes.ServiceDeploymentStatusRollbackSuccessful)
	if sd.Rollback == nil || !strings.HasPrefix(aws.ToString(sd.Rollback.Reason), "built-in analysis: error rate") {
		t.Errorf("service deployment: rollback %+v", sd.Rollback)
	}
	h.expectVersion(t, "v1")
}

// TestAnalysisFailsBackA500ingBlueGreen: a BLUE_GREEN green, which takes
// all production traffic at once, answering half its requests with 500 is
// failed back during its bake by the built-in analysis, judged against
// blue's counts before the switch.
func TestAnalysisFailsBackA500ingBlueGreen(t *testing.T) {
	cfg := &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyBlueGreen, BakeTimeInMinutes: aws.Int32(30)}
	h := newHarness(t, variants[0], serviceConfig{desired: 4, minPct: 100, maxPct: 200, shift: cfg, timeScale: 60})
	d, _ := h.failBack500ing(t, "analysis", 100)
	if reason := aws.ToString(d.RolloutStateReason); d.RolloutState != ecstypes.DeploymentRolloutStateFailed ||
		!strings.Contains(reason, "built-in analysis detected a higher error rate") {
		t.Errorf("deployment: %s %q", d.RolloutState, reason)
	}
	h.expectVersion(t, "v1")
}
