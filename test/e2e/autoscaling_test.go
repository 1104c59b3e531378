package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

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

// scalingSDK is aws-sdk-go-v2 for the set-up and the polling of the
// autoscaling tests, which use the AWS CLI for Application Auto Scaling
// itself (a CLI call costs about a second of Python start-up).
type scalingSDK struct {
	ecs *awsecs.Client
	elb *elb.Client
}

func newScalingSDK(site *site, srv *server) scalingSDK {
	creds := credentials.NewStaticCredentialsProvider(site.keyID, site.secret, "")
	return scalingSDK{
		ecs: awsecs.New(awsecs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.url), Credentials: creds, HTTPClient: testutil.SDKHTTPClient()}),
		elb: elb.New(elb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.url), Credentials: creds, HTTPClient: testutil.SDKHTTPClient()}),
	}
}

func (c scalingSDK) service(t *testing.T, name string) ecstypes.Service {
	t.Helper()
	out, err := c.ecs.DescribeServices(t.Context(), &awsecs.DescribeServicesInput{Services: []string{name}})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("describe-services: %v %+v", err, out)
	}
	return out.Services[0]
}

func (c scalingSDK) healthy(t *testing.T, tg string) int {
	out, err := c.elb.DescribeTargetHealth(t.Context(), &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(tg)})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range out.TargetHealthDescriptions {
		if d.TargetHealth != nil && d.TargetHealth.State == elbtypes.TargetHealthStateEnumHealthy {
			n++
		}
	}
	return n
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
	srv := site.startServer(t, "--time-scale", "60")
	cli, sdk, ctx := srv.cli, newScalingSDK(site, srv), t.Context()
	t0 := time.Now()
	site.registerTalk(t, cli, "v1")
	tgOut, err := sdk.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("talk"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(8080), VpcId: aws.String("vpc-e2e"), HealthCheckPath: aws.String("/health"),
		HealthCheckIntervalSeconds: aws.Int32(5), HealthCheckTimeoutSeconds: aws.Int32(2), HealthyThresholdCount: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	lbOut, err := sdk.elb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("talk"), Subnets: []string{"subnet-a", "subnet-b"}})
	if err != nil {
		t.Fatal(err)
	}
	tg, lbARN, port := aws.ToString(tgOut.TargetGroups[0].TargetGroupArn), aws.ToString(lbOut.LoadBalancers[0].LoadBalancerArn), freePort(t)
	if _, err := sdk.elb.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(lbARN), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(int32(port)), DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tg)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sdk.ecs.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("talk"), TaskDefinition: aws.String("talk"),
		DesiredCount: aws.Int32(1), LoadBalancers: []ecstypes.LoadBalancer{{TargetGroupArn: aws.String(tg), ContainerName: aws.String("web"),
			ContainerPort: aws.Int32(8080)}}}); err != nil {
		t.Fatal(err)
	}
	label := lbARN[strings.Index(lbARN, ":loadbalancer/")+len(":loadbalancer/"):] + "/" + tg[strings.LastIndex(tg, ":")+1:]

	// The scaling set-up runs while the first target passes its checks.
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
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		n := sdk.healthy(t, tg)
		return n == 1, fmt.Sprintf("%d healthy targets", n)
	})
	t.Logf("set up in %s", time.Since(t0).Round(100*time.Millisecond))

	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/talk"
	started := time.Now()
	load := testutil.StartLoad(url, 80)
	var decided, running time.Duration
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		svc := sdk.service(t, "talk")
		if svc.DesiredCount == 4 && decided == 0 {
			decided = time.Since(started)
		}
		if svc.RunningCount == 4 && running == 0 {
			running = time.Since(started)
		}
		n := sdk.healthy(t, tg)
		return n == 4, fmt.Sprintf("desired %d, running %d, %d healthy targets", svc.DesiredCount, svc.RunningCount, n)
	})
	// The figures docs/benchmarks.md reports.
	t.Logf("load step: desired count 4 after %s, 4 tasks RUNNING after %s, 4 healthy targets after %s",
		decided.Round(100*time.Millisecond), running.Round(100*time.Millisecond), time.Since(started).Round(100*time.Millisecond))
	if res := load.Stop(); res.Failed > 0 {
		t.Fatalf("during the scale-out: %s", res)
	}
	load = testutil.StartLoad(url, 10)
	started = time.Now()
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		svc := sdk.service(t, "talk")
		return svc.DesiredCount == 1 && svc.RunningCount == 1, fmt.Sprintf("desired %d, running %d", svc.DesiredCount, svc.RunningCount)
	})
	t.Logf("load drop to 1 running task: %s", time.Since(started).Round(100*time.Millisecond))
	if res := load.Stop(); res.Failed > 0 {
		t.Fatalf("during the scale-in: %s", res)
	}
	acts := cli.scalingActivities(t, resource)
	if !hasActivity(acts, "Setting desired count to 4.", "-AlarmHigh-") || !hasActivity(acts, "Setting desired count to 1.", "-AlarmLow-") {
		t.Fatalf("activities: %+v", acts)
	}
	found := false
	for _, ev := range sdk.service(t, "talk").Events {
		found = found || strings.Contains(aws.ToString(ev.Message), "desired count changed from 4 to 1 by Application Auto Scaling: monitor alarm TargetTracking-"+resource+"-AlarmLow-")
	}
	if !found {
		t.Fatal("no service event says why the service scaled in")
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
