package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// scalingActivity is the part of describe-scaling-activities' output the
// tests check.
type scalingActivity struct {
	Description, Cause, StatusCode, StatusMessage string
}

func (c *awsCLI) scalingActivities(t *testing.T, resource string) []scalingActivity {
	t.Helper()
	var out struct{ ScalingActivities []scalingActivity }
	c.must(t, &out, "application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs",
		"--resource-id", resource)
	return out.ScalingActivities
}

func hasActivity(acts []scalingActivity, description, causePart string) bool {
	for _, a := range acts {
		if a.Description == description && strings.Contains(a.Cause, causePart) && a.StatusCode == "Successful" &&
			a.StatusMessage == "Successfully set "+strings.TrimSuffix(strings.TrimPrefix(description, "Setting "), ".")+". Change successfully fulfilled by ecs." {
			return true
		}
	}
	return false
}

// TestCLITargetTrackingOnRequestCount registers the seeds' load-balanced
// service as a scalable target with the AWS CLI and tracks 25 requests per
// target per minute (ALBRequestCountPerTarget) under --time-scale 60, where
// an alarm minute lasts a second: 80 requests a second through the listener
// scale it from 1 task to 4, 10 a second scale it back to 1; no request
// fails meanwhile, and the activities say what happened in AWS's words.
func TestCLITargetTrackingOnRequestCount(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	cli := site.startServer(t, "--time-scale", "60").cli
	t0 := time.Now()
	site.registerTalk(t, cli, "v1")
	tg, port := createLoadBalancer(t, cli)
	var lbs struct {
		LoadBalancers []struct{ LoadBalancerArn string }
	}
	cli.must(t, &lbs, "elbv2", "describe-load-balancers", "--names", "talk")
	lbARN := lbs.LoadBalancers[0].LoadBalancerArn
	label := lbARN[strings.Index(lbARN, ":loadbalancer/")+len(":loadbalancer/"):] + "/" + tg[strings.LastIndex(tg, ":")+1:]
	cli.must(t, nil, "ecs", "create-service", "--service-name", "talk", "--task-definition", "talk", "--desired-count", "1",
		"--load-balancers", "targetGroupArn="+tg+",containerName=web,containerPort=8080")
	waitHealthyTargets(t, cli, tg, 1)
	t.Logf("set up in %s", time.Since(t0).Round(100*time.Millisecond))

	const resource = "service/default/talk"
	target := []string{"--service-namespace", "ecs", "--resource-id", resource, "--scalable-dimension", "ecs:service:DesiredCount"}
	cli.must(t, nil, append([]string{"application-autoscaling", "register-scalable-target", "--min-capacity", "1", "--max-capacity", "4"}, target...)...)
	var put struct {
		PolicyARN string
		Alarms    []struct{ AlarmName string }
	}
	cli.must(t, &put, append([]string{"application-autoscaling", "put-scaling-policy", "--policy-name", "requests25",
		"--policy-type", "TargetTrackingScaling", "--target-tracking-scaling-policy-configuration",
		fmt.Sprintf(`{"TargetValue":25,"PredefinedMetricSpecification":{"PredefinedMetricType":"ALBRequestCountPerTarget","ResourceLabel":%q},`+
			`"ScaleOutCooldown":300,"ScaleInCooldown":60}`, label)}, target...)...)
	var alarms struct {
		MetricAlarms []struct {
			AlarmName, MetricName, Namespace string
			AlarmActions                     []string
		}
	}
	cli.must(t, &alarms, "cloudwatch", "describe-alarms", "--alarm-name-prefix", "TargetTracking-"+resource+"-")
	if len(alarms.MetricAlarms) != 2 || len(put.Alarms) != 2 || alarms.MetricAlarms[0].MetricName != "RequestCountPerTarget" ||
		alarms.MetricAlarms[0].AlarmActions[0] != put.PolicyARN {
		t.Fatalf("alarms: %+v (put %+v)", alarms.MetricAlarms, put)
	}

	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/talk"
	started := time.Now()
	load := testutil.StartLoad(url, 80)
	var decided time.Duration
	waitFor(t, 40*time.Second, func() (bool, string) {
		svc := cli.describeService(t, "talk")
		if svc.DesiredCount == 4 && decided == 0 {
			decided = time.Since(started)
		}
		return svc.DesiredCount == 4 && svc.RunningCount == 4, fmt.Sprintf("desired %d, running %d", svc.DesiredCount, svc.RunningCount)
	})
	running := time.Since(started)
	waitHealthyTargets(t, cli, tg, 4)
	// The figures docs/benchmarks.md reports (each poll is a CLI call of about 0.5 s).
	t.Logf("load step: desired count 4 after %s, 4 tasks RUNNING after %s, 4 healthy targets after %s",
		decided.Round(100*time.Millisecond), running.Round(100*time.Millisecond), time.Since(started).Round(100*time.Millisecond))
	if res := load.Stop(); res.Failed > 0 {
		t.Fatalf("during the scale-out: %s", res)
	}
	acts := cli.scalingActivities(t, resource)
	if !hasActivity(acts, fmt.Sprintf("Setting desired count to %d.", 4), "-AlarmHigh-") {
		t.Fatalf("activities: %+v", acts)
	}
	load = testutil.StartLoad(url, 10)
	started = time.Now()
	waitFor(t, 40*time.Second, func() (bool, string) {
		svc := cli.describeService(t, "talk")
		return svc.DesiredCount == 1 && svc.RunningCount == 1, fmt.Sprintf("desired %d, running %d", svc.DesiredCount, svc.RunningCount)
	})
	t.Logf("load drop to 1 running task: %s", time.Since(started).Round(100*time.Millisecond))
	if res := load.Stop(); res.Failed > 0 {
		t.Fatalf("during the scale-in: %s", res)
	}
	acts = cli.scalingActivities(t, resource)
	if !hasActivity(acts, "Setting desired count to 1.", "-AlarmLow-") {
		t.Fatalf("activities: %+v", acts)
	}
	if svc := cli.describeService(t, "talk"); !hasEvent(svc, "desired count changed from 4 to 1 by Application Auto Scaling: monitor alarm TargetTracking-"+resource+"-AlarmLow-") {
		t.Fatalf("events: %v", latestEvents(svc, 10))
	}
}

// TestCLIScheduledAndStepScaling drives the other two kinds of scaling
// with the AWS CLI under --time-scale 60: a rate(1 minute) scheduled action
// (a second here) raises the minimum to 2 and the service follows; then a
// step scaling policy, run by the user's alarm on a metric the CLI puts
// with put-metric-data, adds 2 tasks.
func TestCLIScheduledAndStepScaling(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	cli := site.startServer(t, "--time-scale", "60").cli
	site.registerTalk(t, cli, "v1")
	cli.must(t, nil, "ecs", "create-service", "--service-name", "talk", "--task-definition", "talk", "--desired-count", "1")
	const resource = "service/default/talk"
	target := []string{"--service-namespace", "ecs", "--resource-id", resource, "--scalable-dimension", "ecs:service:DesiredCount"}
	cli.must(t, nil, append([]string{"application-autoscaling", "register-scalable-target", "--min-capacity", "1", "--max-capacity", "4"}, target...)...)
	cli.must(t, nil, append([]string{"application-autoscaling", "put-scheduled-action", "--scheduled-action-name", "busy",
		"--schedule", "rate(1 minute)", "--scalable-target-action", "MinCapacity=2,MaxCapacity=4"}, target...)...)
	waitFor(t, 20*time.Second, func() (bool, string) {
		svc := cli.describeService(t, "talk")
		return svc.DesiredCount == 2, fmt.Sprintf("desired %d", svc.DesiredCount)
	})
	var put struct{ PolicyARN string }
	cli.must(t, &put, append([]string{"application-autoscaling", "put-scaling-policy", "--policy-name", "add2", "--policy-type", "StepScaling",
		"--step-scaling-policy-configuration", `{"AdjustmentType":"ChangeInCapacity","Cooldown":300,"MetricAggregationType":"Maximum",` +
			`"StepAdjustments":[{"MetricIntervalLowerBound":0,"ScalingAdjustment":2}]}`}, target...)...)
	cli.must(t, nil, "cloudwatch", "put-metric-alarm", "--alarm-name", "queue-high", "--namespace", "Talk", "--metric-name", "QueueDepth",
		"--statistic", "Maximum", "--period", "60", "--evaluation-periods", "1", "--threshold", "30",
		"--comparison-operator", "GreaterThanOrEqualToThreshold", "--alarm-actions", put.PolicyARN)
	waitFor(t, 20*time.Second, func() (bool, string) {
		cli.must(t, nil, "cloudwatch", "put-metric-data", "--namespace", "Talk", "--metric-name", "QueueDepth", "--value", "50",
			"--storage-resolution", "1")
		svc := cli.describeService(t, "talk")
		return svc.DesiredCount == 4, fmt.Sprintf("desired %d", svc.DesiredCount)
	})
	waitFor(t, 5*time.Second, func() (bool, string) {
		acts := cli.scalingActivities(t, resource)
		return hasActivity(acts, "Setting desired count to 2.", "minimum capacity was set to 2") &&
				hasActivity(acts, "Setting min capacity to 2 and max capacity to 4", "scheduled action name busy was triggered") &&
				hasActivity(acts, "Setting desired count to 4.", "monitor alarm queue-high in state ALARM triggered policy add2"),
			fmt.Sprintf("%+v", acts)
	})
	var policies struct {
		ScalingPolicies []struct {
			PolicyName string
			Alarms     []struct{ AlarmName string }
		}
	}
	cli.must(t, &policies, "application-autoscaling", "describe-scaling-policies", "--service-namespace", "ecs")
	if len(policies.ScalingPolicies) != 1 || len(policies.ScalingPolicies[0].Alarms) != 1 || policies.ScalingPolicies[0].Alarms[0].AlarmName != "queue-high" {
		t.Fatalf("policies: %+v", policies)
	}
}
