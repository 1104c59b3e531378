package deploy

import (
	"strings"
	"testing"
	"time"

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
	good := h.currentTD()
	l := startLoad(h.url)
	bad := h.register(map[string]string{"TALK_VERSION": "bad", "TALK_ERROR_RATE": "0.5"})
	id := h.deploy(bad)
	h.waitShare(h.altTG, 10, shiftTimeout)
	shifted := time.Now()
	h.waitShare(h.altTG, 0, shiftTimeout)
	detection := time.Since(shifted)
	d := h.waitRollout(id, shiftTimeout)
	s := h.waitSteady(good, 4, shiftTimeout)
	l.cancel()
	l.wg.Wait()
	failed := l.failed.Load() + l.slowFailed.Load()
	bound := float64(loadRate) * 0.10 * 0.5 * (detection.Seconds() + 1)
	t.Logf("analysis detection: %v from the canary's shift to traffic back on blue; %d of %d requests failed (bound %.0f); %s",
		detection.Round(10*time.Millisecond), failed, l.sent.Load()+l.slowSent.Load(), bound, aws.ToString(d.RolloutStateReason))
	if float64(failed) > bound*1.5+5 {
		t.Errorf("%d failed requests, bound %.0f", failed, bound)
	}
	if detection > 5*time.Second {
		t.Errorf("detection took %v, goal under 5 s", detection)
	}
	reason := aws.ToString(d.RolloutStateReason)
	if d.RolloutState != ecstypes.DeploymentRolloutStateFailed || !strings.Contains(reason, "built-in analysis detected a higher error rate") ||
		!strings.Contains(reason, "requests) against") {
		t.Errorf("deployment: %s %q", d.RolloutState, reason)
	}
	if !hasEvent(s, "deployment failed: built-in analysis detected a higher error rate in the new service revision: error rate ") {
		t.Errorf("events: %s", h.summary(s))
	}
	sd := h.expectServiceDeployment(id, ecstypes.ServiceDeploymentStatusRollbackSuccessful)
	if sd.Rollback == nil || !strings.HasPrefix(aws.ToString(sd.Rollback.Reason), "built-in analysis: error rate") {
		t.Errorf("service deployment: rollback %+v", sd.Rollback)
	}
	h.expectVersion(t, "v1")
}
