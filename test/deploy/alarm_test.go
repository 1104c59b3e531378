package deploy

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// dimension is a CloudWatch dimension value of an ELB ARN, as the load
// balancer's metrics name it (app/NAME/ID, targetgroup/NAME/ID).
func dimension(arn string) string {
	if i := strings.Index(arn, ":loadbalancer/"); i >= 0 {
		return arn[i+len(":loadbalancer/"):]
	}
	return arn[strings.LastIndex(arn, ":")+1:]
}

// TestAlarmFailsBackA500ingCanary: a canary whose green answers half its
// requests with 500 sets off a CloudWatch alarm on the green target group's
// HTTPCode_Target_5XX_Count (recorded by Slipway itself); the deployment
// fails and traffic returns to blue before green scales in. The failed
// requests are bounded by the canary's share of the load over the
// detection time.
func TestAlarmFailsBackA500ingCanary(t *testing.T) {
	const alarm = "talk-green-5xx"
	cfg := &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyCanary,
		CanaryConfiguration: &ecstypes.CanaryConfiguration{CanaryPercent: aws.Float64(10), CanaryBakeTimeInMinutes: aws.Int32(30)},
		Alarms:              &ecstypes.DeploymentAlarms{AlarmNames: []string{alarm}, Enable: true, Rollback: true}}
	// At 60x an alarm period of a minute lasts a second (the canary's bake,
	// 30 s). The built-in analysis, as quick, is off for this service.
	h := newHarness(t, variants[0], serviceConfig{desired: 4, minPct: 100, maxPct: 200, shift: cfg, timeScale: 60,
		tags: []ecstypes.Tag{{Key: aws.String("slipway:analysis"), Value: aws.String("off")}}})
	ctx := context.Background()
	cw := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(h.srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", "")})
	_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(alarm),
		Namespace: aws.String("AWS/ApplicationELB"), MetricName: aws.String("HTTPCode_Target_5XX_Count"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("LoadBalancer"), Value: aws.String(dimension(h.lbARN))},
			{Name: aws.String("TargetGroup"), Value: aws.String(dimension(h.altTG))}},
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(2),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("notBreaching")})
	if err != nil {
		t.Fatal(err)
	}
	d, s := h.failBack500ing(t, "alarm", 10)
	if d.RolloutState != ecstypes.DeploymentRolloutStateFailed || !strings.Contains(aws.ToString(d.RolloutStateReason), alarm) {
		t.Errorf("deployment: %s %q", d.RolloutState, aws.ToString(d.RolloutStateReason))
	}
	if !hasEvent(s, "deployment failed: alarm detected.") {
		t.Errorf("events: %s", h.summary(s))
	}
	sd := h.expectServiceDeployment(aws.ToString(d.Id), ecstypes.ServiceDeploymentStatusRollbackSuccessful)
	if sd.Alarms == nil || sd.Alarms.Status != ecstypes.ServiceDeploymentRollbackMonitorsStatusTriggered ||
		len(sd.Alarms.TriggeredAlarmNames) != 1 || sd.Rollback == nil || !strings.Contains(aws.ToString(sd.Rollback.Reason), alarm) {
		t.Errorf("service deployment: alarms %+v rollback %+v", sd.Alarms, sd.Rollback)
	}
	h.expectVersion(t, "v1")
}

// failBack500ing deploys, under load, a green that answers half its
// requests with 500, waits until it is failed back from its share percent
// of production traffic (that share on green, then none, then blue steady
// at 4), and checks the failed requests against that share of the load over
// the detection time. It returns the failed deployment and the service; by
// names what fails it back, for the log.
func (h *harness) failBack500ing(t *testing.T, by string, share float64) (ecstypes.Deployment, ecstypes.Service) {
	t.Helper()
	good := h.currentTD()
	l := startLoad(h.url)
	// Blue serves a while first, as it would have before any deployment
	// (a BLUE_GREEN green is judged against what blue answered).
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		return l.sent.Load() >= 2*loadRate, fmt.Sprintf("%d requests sent", l.sent.Load())
	})
	bad := h.register(map[string]string{"TALK_VERSION": "bad", "TALK_ERROR_RATE": "0.5"})
	id := h.deploy(bad)
	h.waitShare(h.altTG, share, shiftTimeout)
	shifted := time.Now()
	h.waitShare(h.altTG, 0, shiftTimeout)
	detection := time.Since(shifted)
	d := h.waitRollout(id, shiftTimeout)
	s := h.waitSteady(good, 4, shiftTimeout)
	l.cancel()
	l.wg.Wait()
	failed := l.failed.Load() + l.slowFailed.Load()
	// Green's share of the steady load answering 500 half the time, over
	// the detection time and one poll of the rule.
	bound := float64(loadRate) * share / 100 * 0.5 * (detection.Seconds() + 1)
	t.Logf("%s detection: %v from green's share to traffic back on blue; %d of %d requests failed (bound %.0f); %s",
		by, detection.Round(10*time.Millisecond), failed, l.sent.Load()+l.slowSent.Load(), bound, aws.ToString(d.RolloutStateReason))
	if float64(failed) > bound*1.5+5 {
		t.Errorf("%d failed requests, bound %.0f", failed, bound)
	}
	if by == "analysis" && detection > 5*time.Second {
		t.Errorf("detection took %v, goal under 5 s", detection)
	}
	return d, s
}
