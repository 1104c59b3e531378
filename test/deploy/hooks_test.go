package deploy

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/document"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// serviceDeploymentARN is the ARN of the service deployment of id.
func (h *harness) serviceDeploymentARN(id string) string {
	h.t.Helper()
	seq := strings.TrimLeft(strings.TrimPrefix(id, "ecs-svc/"), "0")
	list, err := h.ecs.ListServiceDeployments(context.Background(), &awsecs.ListServiceDeploymentsInput{Service: aws.String(h.service)})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, b := range list.ServiceDeployments {
		if strings.HasSuffix(aws.ToString(b.ServiceDeploymentArn), "/"+seq) {
			return aws.ToString(b.ServiceDeploymentArn)
		}
	}
	h.t.Fatalf("service deployment %s not listed", id)
	return ""
}

// TestPauseHookHoldsUntilContinue: a PAUSE hook after the test traffic
// shift holds the deployment (test traffic on green, production on blue)
// until ContinueServiceDeployment, which lets it complete.
func TestPauseHookHoldsUntilContinue(t *testing.T) {
	cfg := &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyBlueGreen, BakeTimeInMinutes: aws.Int32(0),
		LifecycleHooks: []ecstypes.DeploymentLifecycleHook{{TargetType: ecstypes.DeploymentLifecycleHookTargetTypePause,
			LifecycleStages: []ecstypes.DeploymentLifecycleHookStage{ecstypes.DeploymentLifecycleHookStagePostTestTrafficShift}}}}
	h := newHarness(t, variants[0], serviceConfig{desired: 2, minPct: 100, maxPct: 200, shift: cfg, timeScale: shiftTimeScale})
	l := startLoad(h.url)
	td := h.register(map[string]string{"TALK_VERSION": "v2"})
	id := h.deploy(td)
	arn := h.serviceDeploymentARN(id)
	ctx := context.Background()
	var hookID string
	testutil.Eventually(t, shiftTimeout, func() (bool, string) {
		out, err := h.ecs.DescribeServiceDeployments(ctx, &awsecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{arn}})
		if err != nil || len(out.ServiceDeployments) != 1 {
			return false, "describe failed"
		}
		for _, d := range out.ServiceDeployments[0].LifecycleHookDetails {
			if d.Status == ecstypes.DeploymentLifecycleHookStatusAwaitingAction && d.TargetType == ecstypes.DeploymentLifecycleHookTargetTypePause {
				hookID = aws.ToString(d.HookId)
			}
		}
		return hookID != "", h.summary(h.describe())
	})
	// Held: test traffic on green, production on blue, for as long as asked.
	for range 3 {
		if v, err := talkVersion(http.DefaultClient, h.testURL); err != nil || v != "v2" {
			t.Fatalf("test listener while paused: %q %v", v, err)
		}
		if share := greenShare(h.forward(h.prodRule), h.altTG); share != 0 {
			t.Fatalf("production moved while paused: green %v%%", share)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if _, err := h.ecs.ContinueServiceDeployment(ctx, &awsecs.ContinueServiceDeploymentInput{ServiceDeploymentArn: aws.String(arn),
		HookId: aws.String("ecs-pause-not-this-one")}); err == nil {
		t.Error("ContinueServiceDeployment accepted an unknown hookId")
	}
	if _, err := h.ecs.ContinueServiceDeployment(ctx, &awsecs.ContinueServiceDeploymentInput{ServiceDeploymentArn: aws.String(arn),
		HookId: aws.String(hookID), Action: ecstypes.DeploymentLifecycleHookActionContinue}); err != nil {
		t.Fatal(err)
	}
	if d := h.waitRollout(id, shiftTimeout); d.RolloutState != ecstypes.DeploymentRolloutStateCompleted {
		t.Fatalf("deployment %s: %s", d.RolloutState, aws.ToString(d.RolloutStateReason))
	}
	h.waitShare(h.altTG, 100, time.Second)
	l.stop(t)
	sd := h.expectServiceDeployment(id, ecstypes.ServiceDeploymentStatusSuccessful)
	if len(sd.LifecycleHookDetails) != 1 || sd.LifecycleHookDetails[0].Status != ecstypes.DeploymentLifecycleHookStatusSucceeded {
		t.Errorf("hook details: %+v", sd.LifecycleHookDetails)
	}
}

// TestFailingHookFailsBack: a hook (an HTTP endpoint standing in for the
// Lambda function) at the canary's production shift answers IN_PROGRESS,
// is asked again after its callBackDelay, then answers FAILED: traffic
// returns to blue and green scales in. The hook is sent ECS's payload with
// the hook's hookDetails.
func TestFailingHookFailsBack(t *testing.T) {
	var mu sync.Mutex
	var calls []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		calls = append(calls, body)
		n := len(calls)
		mu.Unlock()
		if n == 1 {
			_, _ = w.Write([]byte(`{"hookStatus":"IN_PROGRESS","callBackDelay":12}`)) // a second at 12x
			return
		}
		_, _ = w.Write([]byte(`{"hookStatus":"FAILED"}`))
	}))
	t.Cleanup(hook.Close)
	cfg := &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyCanary,
		CanaryConfiguration: &ecstypes.CanaryConfiguration{CanaryPercent: aws.Float64(10), CanaryBakeTimeInMinutes: aws.Int32(30)},
		LifecycleHooks: []ecstypes.DeploymentLifecycleHook{{HookTargetArn: aws.String(hook.URL + "/check"),
			LifecycleStages: []ecstypes.DeploymentLifecycleHookStage{ecstypes.DeploymentLifecycleHookStageProductionTrafficShift},
			HookDetails:     document.NewLazyDocument(map[string]any{"threshold": 0.01})}}}
	h := newHarness(t, variants[0], serviceConfig{desired: 2, minPct: 100, maxPct: 200, shift: cfg, timeScale: shiftTimeScale})
	good := h.currentTD()
	l := startLoad(h.url)
	td := h.register(map[string]string{"TALK_VERSION": "v2"})
	id := h.deploy(td)
	d := h.waitRollout(id, shiftTimeout)
	if d.RolloutState != ecstypes.DeploymentRolloutStateFailed || !strings.Contains(aws.ToString(d.RolloutStateReason), "lifecycle hook") {
		t.Fatalf("deployment: %s %q", d.RolloutState, aws.ToString(d.RolloutStateReason))
	}
	h.waitSteady(good, 2, shiftTimeout)
	l.stop(t)
	if share := greenShare(h.forward(h.prodRule), h.tg); share != 100 {
		t.Errorf("production after the failed hook: %v%% on blue", share)
	}
	sd := h.expectServiceDeployment(id, ecstypes.ServiceDeploymentStatusRollbackSuccessful)
	if sd.Rollback == nil || !strings.Contains(aws.ToString(sd.Rollback.Reason), "PRODUCTION_TRAFFIC_SHIFT") {
		t.Errorf("rollback: %+v", sd.Rollback)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 2 {
		t.Fatalf("hook called %d times, want 2", len(calls))
	}
	details, _ := calls[0]["hookDetails"].(map[string]any)
	exec, _ := calls[0]["executionDetails"].(map[string]any)
	prod, _ := exec["productionTrafficWeights"].(map[string]any)
	if calls[0]["lifecycleStage"] != "PRODUCTION_TRAFFIC_SHIFT" || details["threshold"] != 0.01 || prod[h.altTG] != 10.0 ||
		!strings.HasPrefix(calls[0]["executionId"].(string), "ecs-hook-") {
		t.Errorf("hook payload: %v", calls[0])
	}
	h.expectVersion(t, "v1")
}

// TestPauseHookRollback: ContinueServiceDeployment's ROLLBACK at a PAUSE
// hook after the test shift sends test traffic back to blue before green
// scales in; production never left blue.
func TestPauseHookRollback(t *testing.T) {
	cfg := &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyLinear,
		LifecycleHooks: []ecstypes.DeploymentLifecycleHook{{TargetType: ecstypes.DeploymentLifecycleHookTargetTypePause,
			LifecycleStages: []ecstypes.DeploymentLifecycleHookStage{ecstypes.DeploymentLifecycleHookStagePostTestTrafficShift}}}}
	h := newHarness(t, variants[0], serviceConfig{desired: 2, minPct: 100, maxPct: 200, shift: cfg, timeScale: shiftTimeScale})
	good := h.currentTD()
	l := startLoad(h.url)
	id := h.deploy(h.register(map[string]string{"TALK_VERSION": "v2"}))
	arn := h.serviceDeploymentARN(id)
	ctx := context.Background()
	var hookID string
	testutil.Eventually(t, shiftTimeout, func() (bool, string) {
		out, err := h.ecs.DescribeServiceDeployments(ctx, &awsecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{arn}})
		if err == nil && len(out.ServiceDeployments) == 1 {
			for _, d := range out.ServiceDeployments[0].LifecycleHookDetails {
				if d.Status == ecstypes.DeploymentLifecycleHookStatusAwaitingAction {
					hookID = aws.ToString(d.HookId)
				}
			}
		}
		return hookID != "", h.summary(h.describe())
	})
	if _, err := h.ecs.ContinueServiceDeployment(ctx, &awsecs.ContinueServiceDeploymentInput{ServiceDeploymentArn: aws.String(arn),
		HookId: aws.String(hookID), Action: ecstypes.DeploymentLifecycleHookActionRollback}); err != nil {
		t.Fatal(err)
	}
	if d := h.waitRollout(id, shiftTimeout); d.RolloutState != ecstypes.DeploymentRolloutStateFailed {
		t.Fatalf("deployment %s: %s", d.RolloutState, aws.ToString(d.RolloutStateReason))
	}
	h.waitSteady(good, 2, shiftTimeout)
	l.stop(t)
	if v, err := talkVersion(http.DefaultClient, h.testURL); err != nil || v != "v1" {
		t.Errorf("test listener after the rollback: %q %v", v, err)
	}
	sd := h.expectServiceDeployment(id, ecstypes.ServiceDeploymentStatusRollbackSuccessful)
	if sd.Rollback == nil || !strings.Contains(aws.ToString(sd.Rollback.Reason), "POST_TEST_TRAFFIC_SHIFT") {
		t.Errorf("rollback: %+v", sd.Rollback)
	}
}
