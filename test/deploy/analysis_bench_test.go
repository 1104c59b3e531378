package deploy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// canaryFor is a CANARY configuration of 10% baked for bake minutes.
func canaryFor(bake int32) *ecstypes.DeploymentConfiguration {
	return &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyCanary,
		CanaryConfiguration: &ecstypes.CanaryConfiguration{CanaryPercent: aws.Float64(10), CanaryBakeTimeInMinutes: aws.Int32(bake)}}
}

// BenchmarkAnalysisDetection measures the built-in analysis under real
// traffic (200 requests/s, one-second requests beside): each iteration
// deploys a green answering half its requests with 500 at a 10% canary and
// times it from the canary's weights (seen through the ELB API) to traffic
// back on blue. It reports the median and worst detection and the failed
// requests per fail-back.
func BenchmarkAnalysisDetection(b *testing.B) {
	detections(b, canaryFor(30), 10)
}

// BenchmarkAnalysisDetectionBlueGreen is the same for a BLUE_GREEN green,
// all production traffic on it at once, during its bake.
func BenchmarkAnalysisDetectionBlueGreen(b *testing.B) {
	detections(b, &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyBlueGreen,
		BakeTimeInMinutes: aws.Int32(30)}, 100)
}

func detections(b *testing.B, cfg *ecstypes.DeploymentConfiguration, share float64) {
	h := newHarness(b, variants[0], serviceConfig{desired: 4, minPct: 100, maxPct: 200, shift: cfg, timeScale: 60})
	good := h.currentTD()
	l := startLoad(h.url)
	testutil.Eventually(b, 30*time.Second, func() (bool, string) { // blue serves first
		return l.sent.Load() >= 2*loadRate, fmt.Sprintf("%d requests sent", l.sent.Load())
	})
	var detections []time.Duration
	b.ResetTimer()
	for i := range b.N {
		bad := h.register(map[string]string{"TALK_VERSION": "bad" + itoa(i), "TALK_ERROR_RATE": "0.5"})
		id := h.deploy(bad)
		h.waitShare(h.altTG, share, shiftTimeout)
		shifted := time.Now()
		h.waitShare(h.altTG, 0, shiftTimeout)
		detections = append(detections, time.Since(shifted))
		if d := h.waitRollout(id, shiftTimeout); !strings.Contains(aws.ToString(d.RolloutStateReason), "built-in analysis") {
			b.Fatalf("deployment %s: %q", d.RolloutState, aws.ToString(d.RolloutStateReason))
		}
		h.waitSteady(good, 4, shiftTimeout)
	}
	b.StopTimer()
	l.cancel()
	l.wg.Wait()
	slices.Sort(detections)
	b.ReportMetric(detections[len(detections)/2].Seconds(), "median-s")
	b.ReportMetric(detections[len(detections)-1].Seconds(), "worst-s")
	b.ReportMetric(float64(l.failed.Load()+l.slowFailed.Load())/float64(b.N), "failed/op")
}

// BenchmarkAnalysisHealthyCanaries counts the built-in analysis's false
// alarms under real traffic: each iteration deploys a new healthy revision
// as a 10% canary baked 10 minutes (10 s at 60x), every revision answering
// 0.5% of its requests with 500 (the first one against a blue that answers
// none), and counts the canaries the analysis failed.
func BenchmarkAnalysisHealthyCanaries(b *testing.B) {
	healthyDeployments(b, canaryFor(10))
}

// BenchmarkAnalysisHealthyBlueGreens is the same for BLUE_GREEN
// deployments baked 10 minutes, judged against blue's revision's counts.
func BenchmarkAnalysisHealthyBlueGreens(b *testing.B) {
	healthyDeployments(b, &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyBlueGreen,
		BakeTimeInMinutes: aws.Int32(10)})
}

func healthyDeployments(b *testing.B, cfg *ecstypes.DeploymentConfiguration) {
	h := newHarness(b, variants[0], serviceConfig{desired: 4, minPct: 100, maxPct: 200, shift: cfg, timeScale: 60})
	l := startLoad(h.url)
	falseAlarms := 0
	b.ResetTimer()
	for i := range b.N {
		td := h.register(map[string]string{"TALK_VERSION": "v" + itoa(i+2), "TALK_ERROR_RATE": "0.005"})
		d := h.waitRollout(h.deploy(td), 2*shiftTimeout)
		if d.RolloutState != ecstypes.DeploymentRolloutStateCompleted {
			falseAlarms++
			b.Logf("deployment %d: %s %q", i, d.RolloutState, aws.ToString(d.RolloutStateReason))
		}
		h.waitSteady(h.currentTD(), 4, shiftTimeout)
	}
	b.StopTimer()
	l.cancel()
	l.wg.Wait()
	b.ReportMetric(float64(falseAlarms), "false-alarms")
	b.ReportMetric(float64(b.N), "deployments")
}
