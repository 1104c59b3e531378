package server

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// scalingFixture is a server at --time-scale 60 (an alarm period of a
// minute lasts a second) with a service "web" of sleeping tasks and the
// SDK clients of ECS, CloudWatch and Application Auto Scaling.
type scalingFixture struct {
	s   *Server
	ecs *ecs.Client
	cw  *cw.Client
	aas *aas.Client
}

const webResource = "service/default/web"

func newScalingFixture(t *testing.T, cfg Config, desired int32) *scalingFixture {
	t.Helper()
	cfg.TimeScale, cfg.Runtime = 60, "process"
	s := start(t, cfg)
	t.Cleanup(func() { _ = s.StopAllTasks(context.Background()) })
	f := sdkClients(s)
	ctx := t.Context()
	td, err := f.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("/bin/sh"), Essential: aws.Bool(true),
			Memory: aws.Int32(16), EntryPoint: []string{"/bin/sh", "-c"}, Command: []string{"exec sleep 600"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(desired)}); err != nil {
		t.Fatal(err)
	}
	return f
}

func sdkClients(s *Server) *scalingFixture {
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	return &scalingFixture{s: s,
		ecs: ecs.New(ecs.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), Credentials: creds, HTTPClient: testutil.SDKHTTPClient()}),
		cw:  cw.New(cw.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), Credentials: creds, HTTPClient: testutil.SDKHTTPClient()}),
		aas: aas.New(aas.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), Credentials: creds, HTTPClient: testutil.SDKHTTPClient(),
			RetryMaxAttempts: 1})}
}

func (f *scalingFixture) register(t *testing.T, lo, hi int32) {
	t.Helper()
	if _, err := f.aas.RegisterScalableTarget(t.Context(), &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: aws.String(webResource), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		MinCapacity: aws.Int32(lo), MaxCapacity: aws.Int32(hi)}); err != nil {
		t.Fatal(err)
	}
}

func (f *scalingFixture) service(t *testing.T) ecstypes.Service {
	t.Helper()
	out, err := f.ecs.DescribeServices(t.Context(), &ecs.DescribeServicesInput{Services: []string{"web"}})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("describe services: %v %+v", err, out)
	}
	return out.Services[0]
}

// waitDesired polls until the service's desired count is n.
func (f *scalingFixture) waitDesired(t *testing.T, timeout time.Duration, n int32) {
	t.Helper()
	testutil.Eventually(t, timeout, func() (bool, string) {
		svc := f.service(t)
		return svc.DesiredCount == n, fmt.Sprintf("desired count %d, want %d; activities: %s", svc.DesiredCount, n, f.activities(t))
	})
}

func (f *scalingFixture) activities(t *testing.T) string {
	out, err := f.aas.DescribeScalingActivities(context.Background(), &aas.DescribeScalingActivitiesInput{
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(webResource), IncludeNotScaledActivities: aws.Bool(true)})
	if err != nil {
		return err.Error()
	}
	var lines []string
	for _, a := range out.ScalingActivities {
		lines = append(lines, fmt.Sprintf("[%s] %s (%s) %s", a.StatusCode, aws.ToString(a.Description), aws.ToString(a.Cause), aws.ToString(a.StatusMessage)))
	}
	return strings.Join(lines, "; ")
}

// waitActivities polls until the activities contain each of wants (an
// activity is recorded once the desired count it set is stored).
func (f *scalingFixture) waitActivities(t *testing.T, wants ...string) {
	t.Helper()
	testutil.Eventually(t, 5*time.Second, func() (bool, string) {
		acts := f.activities(t)
		for _, w := range wants {
			if !strings.Contains(acts, w) {
				return false, fmt.Sprintf("no %q in %s", w, acts)
			}
		}
		return true, ""
	})
}

// feed puts a custom metric's value every 100 ms until stopped; set
// changes the value.
type feed struct {
	mu     sync.Mutex
	value  float64
	cancel context.CancelFunc
	done   chan struct{}
}

func (f *scalingFixture) feed(t *testing.T, name string, v float64) *feed {
	ctx, cancel := context.WithCancel(context.Background())
	fd := &feed{value: v, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(fd.done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			fd.mu.Lock()
			v := fd.value
			fd.mu.Unlock()
			_, _ = f.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("Talk"),
				MetricData: []cwtypes.MetricDatum{{MetricName: aws.String(name), Value: aws.Float64(v), StorageResolution: aws.Int32(1)}}})
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(fd.stop)
	return fd
}

func (fd *feed) set(v float64) {
	fd.mu.Lock()
	fd.value = v
	fd.mu.Unlock()
}

func (fd *feed) stop() {
	fd.cancel()
	<-fd.done
}

// stepPolicies puts seed 002's policies on the metric Talk/name: add2 (2
// tasks when the metric is at or above 30 for a minute) and remove1 (one
// task when it is below 10), each with its alarm and a 60 s cooldown.
func (f *scalingFixture) stepPolicies(t *testing.T, metric string) {
	t.Helper()
	ctx := t.Context()
	policy := func(name string, step aastypes.StepAdjustment) string {
		out, err := f.aas.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String(name), ServiceNamespace: aastypes.ServiceNamespaceEcs,
			ResourceId: aws.String(webResource), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
			PolicyType: aastypes.PolicyTypeStepScaling, StepScalingPolicyConfiguration: &aastypes.StepScalingPolicyConfiguration{
				AdjustmentType: aastypes.AdjustmentTypeChangeInCapacity, Cooldown: aws.Int32(60),
				MetricAggregationType: aastypes.MetricAggregationTypeAverage, StepAdjustments: []aastypes.StepAdjustment{step}}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.PolicyARN)
	}
	out := policy("add2", aastypes.StepAdjustment{MetricIntervalLowerBound: aws.Float64(0), ScalingAdjustment: aws.Int32(2)})
	in := policy("remove1", aastypes.StepAdjustment{MetricIntervalUpperBound: aws.Float64(0), ScalingAdjustment: aws.Int32(-1)})
	alarm := func(name string, op cwtypes.ComparisonOperator, th float64, action string) {
		if _, err := f.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("Talk"),
			MetricName: aws.String(metric), Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
			Threshold: aws.Float64(th), ComparisonOperator: op, AlarmActions: []string{action}}); err != nil {
			t.Fatal(err)
		}
	}
	alarm("queue-high", cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, 30, out)
	alarm("queue-low", cwtypes.ComparisonOperatorLessThanThreshold, 10, in)
}

// TestStepScalingFromAnAlarm follows seed 002: add 2 tasks when the metric
// is at or above 30 for a minute, remove them one by one when it falls
// below 10; the alarms are the user's, their actions the policies' ARNs.
func TestStepScalingFromAnAlarm(t *testing.T) {
	f := newScalingFixture(t, Config{}, 1)
	f.register(t, 1, 4)
	f.stepPolicies(t, "QueueDepth")
	fd := f.feed(t, "QueueDepth", 50)
	// 1 + 2 = 3, then (the cooldown over, the alarm still in ALARM) 4: the maximum.
	f.waitDesired(t, 20*time.Second, 4)
	f.waitActivities(t, "[Successful] Setting desired count to 3. (monitor alarm queue-high in state ALARM triggered policy add2) Successfully set desired count to 3. Change successfully fulfilled by ecs.",
		"Successfully set desired count to 4.")
	svc := f.service(t)
	found := false
	for _, ev := range svc.Events {
		found = found || strings.Contains(aws.ToString(ev.Message), "desired count changed from 1 to 3 by Application Auto Scaling: monitor alarm queue-high")
	}
	if !found {
		t.Fatalf("no service event says why: %+v", svc.Events)
	}
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		acts := f.activities(t)
		return strings.Contains(acts, "AlreadyAtMaxCapacity") || strings.Contains(acts, "maximum capacity 4"), acts
	})
	fd.set(5)
	f.waitDesired(t, 20*time.Second, 1)
	f.waitActivities(t, "triggered policy remove1) Successfully set desired count to 3.", "triggered policy remove1) Successfully set desired count to 2.",
		"triggered policy remove1) Successfully set desired count to 1.")
}

// TestTargetTrackingOnACustomMetric puts a target tracking policy on a
// customized metric: its alarms appear in DescribeAlarms, the metric at 4x
// the target scales 1 task out to 4, and a low value scales in again.
func TestTargetTrackingOnACustomMetric(t *testing.T) {
	f := newScalingFixture(t, Config{}, 1)
	ctx := t.Context()
	f.register(t, 1, 6)
	out, err := f.aas.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("backlog"), ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: aws.String(webResource), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		PolicyType: aastypes.PolicyTypeTargetTrackingScaling, TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{
			TargetValue: aws.Float64(10), ScaleOutCooldown: aws.Int32(60), ScaleInCooldown: aws.Int32(60),
			CustomizedMetricSpecification: &aastypes.CustomizedMetricSpecification{Namespace: aws.String("Talk"), MetricName: aws.String("BacklogPerTask"),
				Statistic: aastypes.MetricStatisticAverage}}})
	if err != nil {
		t.Fatal(err)
	}
	alarmsOut, err := f.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNamePrefix: aws.String("TargetTracking-service/default/web-")})
	if err != nil || len(alarmsOut.MetricAlarms) != 2 || len(out.Alarms) != 2 {
		t.Fatalf("alarms: %v %+v", err, alarmsOut)
	}
	fd := f.feed(t, "BacklogPerTask", 40)
	f.waitDesired(t, 20*time.Second, 4)
	f.waitActivities(t, "-AlarmHigh-", "in state ALARM triggered policy backlog) Successfully set desired count to 4.")
	// The low alarm needs 15 periods below 9 (15 s here); 4 tasks at 2 per task need 1.
	fd.set(2)
	f.waitDesired(t, 40*time.Second, 1)
}

// TestScheduledActionAndRestart runs a rate() scheduled action under
// --time-scale (a minute lasts a second): it raises the minimum to 2, and
// the service follows; targets, policies and actions survive a restart,
// and the policies scale after it.
func TestScheduledActionAndRestart(t *testing.T) {
	dir := t.TempDir()
	f := newScalingFixture(t, Config{DataDir: dir}, 1)
	ctx := t.Context()
	f.register(t, 1, 5)
	if _, err := f.aas.PutScheduledAction(ctx, &aas.PutScheduledActionInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: aws.String(webResource), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		ScheduledActionName: aws.String("busy-hours"), Schedule: aws.String("rate(1 minute)"),
		ScalableTargetAction: &aastypes.ScalableTargetAction{MinCapacity: aws.Int32(2), MaxCapacity: aws.Int32(5)}}); err != nil {
		t.Fatal(err)
	}
	f.stepPolicies(t, "QueueDepth")
	f.waitDesired(t, 15*time.Second, 2)
	f.waitActivities(t, "Setting min capacity to 2 and max capacity to 5 (scheduled action name busy-hours was triggered)",
		"Setting desired count to 2. (minimum capacity was set to 2) Successfully set desired count to 2. Change successfully fulfilled by ecs.")
	if err := f.s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := start(t, Config{DataDir: dir, TimeScale: 60, Runtime: "process"})
	t.Cleanup(func() { _ = s2.StopAllTasks(context.Background()) })
	g := sdkClients(s2)
	targets, err := g.aas.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs})
	if err != nil || len(targets.ScalableTargets) != 1 || aws.ToInt32(targets.ScalableTargets[0].MinCapacity) != 2 {
		t.Fatalf("after a restart: %v %+v", err, targets)
	}
	sched, err := g.aas.DescribeScheduledActions(ctx, &aas.DescribeScheduledActionsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs})
	if err != nil || len(sched.ScheduledActions) != 1 {
		t.Fatalf("scheduled actions after a restart: %v %+v", err, sched)
	}
	if acts := g.activities(t); !strings.Contains(acts, "busy-hours") {
		t.Fatalf("activities after a restart: %s", acts)
	}
	// The policies put before the restart scale after it.
	g.feed(t, "QueueDepth", 50)
	g.waitDesired(t, 20*time.Second, 4)
	g.waitActivities(t, "monitor alarm queue-high in state ALARM triggered policy add2) Successfully set desired count to 4.")
}

// TestScalingDuringADeployment scales a service while a rolling deployment
// is in progress, as on ECS: a scale-out raises the primary deployment's
// desired count (the new tasks are of the new revision), a scale-in waits
// until the deployment has completed.
func TestScalingDuringADeployment(t *testing.T) {
	dir := t.TempDir()
	f := newScalingFixture(t, Config{}, 2)
	ctx := t.Context()
	testutil.Eventually(t, 20*time.Second, func() (bool, string) {
		svc := f.service(t)
		return svc.RunningCount == 2 && len(svc.Deployments) == 1 && svc.Deployments[0].RolloutState == ecstypes.DeploymentRolloutStateCompleted,
			fmt.Sprintf("running %d, deployments %+v", svc.RunningCount, svc.Deployments)
	})
	f.register(t, 1, 6)
	f.stepPolicies(t, "Depth")
	// Revision 2's tasks are healthy only once the file "ready" exists.
	ready := dir + "/ready"
	td, err := f.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("/bin/sh"), Essential: aws.Bool(true),
			Memory: aws.Int32(16), EntryPoint: []string{"/bin/sh", "-c"}, Command: []string{"exec sleep 600"},
			HealthCheck: &ecstypes.HealthCheck{Command: []string{"CMD-SHELL", "test -f " + ready}, Interval: aws.Int32(5),
				Retries: aws.Int32(10), StartPeriod: aws.Int32(300)}}}})
	if err != nil {
		t.Fatal(err)
	}
	v2 := aws.ToString(td.TaskDefinition.TaskDefinitionArn)
	if _, err := f.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(v2)}); err != nil {
		t.Fatal(err)
	}
	fd := f.feed(t, "Depth", 50)
	f.waitDesired(t, 20*time.Second, 4)
	testutil.Eventually(t, 20*time.Second, func() (bool, string) {
		svc := f.service(t)
		var primary ecstypes.Deployment
		for _, d := range svc.Deployments {
			if aws.ToString(d.Status) == "PRIMARY" {
				primary = d
			}
		}
		return aws.ToString(primary.TaskDefinition) == v2 && primary.DesiredCount >= 4 && len(svc.Deployments) == 2,
			fmt.Sprintf("deployments %+v", svc.Deployments)
	})
	// The metric falls: the scale-in waits for the deployment.
	fd.set(5)
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		out, err := f.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{"queue-low"}})
		return err == nil && len(out.MetricAlarms) == 1 && out.MetricAlarms[0].StateValue == cwtypes.StateValueAlarm, fmt.Sprint(err)
	})
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if svc := f.service(t); svc.DesiredCount < 4 {
			t.Fatalf("scaled in to %d during the deployment: %s", svc.DesiredCount, f.activities(t))
		}
	}
	if err := os.WriteFile(ready, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f.waitDesired(t, 40*time.Second, 1)
	svc := f.service(t)
	if len(svc.Deployments) != 1 || aws.ToString(svc.Deployments[0].TaskDefinition) != v2 {
		t.Fatalf("deployments after the scale-in: %+v", svc.Deployments)
	}
}

// TestTargetTrackingOnCPU tracks ECSServiceAverageCPUUtilization at 50%:
// each task (128 CPU units, a task-level reservation the process runtime
// applies as a cgroup quota where it can) burns its share until the file
// "idle" exists, so one busy task scales out to the maximum of 3; once idle,
// the service scales in to 1.
func TestTargetTrackingOnCPU(t *testing.T) {
	dir := t.TempDir()
	idle := dir + "/idle"
	s := start(t, Config{TimeScale: 60, Runtime: "process"})
	t.Cleanup(func() { _ = s.StopAllTasks(context.Background()) })
	f := sdkClients(s)
	ctx := t.Context()
	td, err := f.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"), Cpu: aws.String("128"), Memory: aws.String("64"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("/bin/sh"), Essential: aws.Bool(true),
			EntryPoint: []string{"/bin/sh", "-c"}, Command: []string{"while [ ! -f " + idle + " ]; do :; done; exec sleep 600"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	f.register(t, 1, 3)
	if _, err := f.aas.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("cpu50"), ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: aws.String(webResource), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		PolicyType: aastypes.PolicyTypeTargetTrackingScaling, TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{
			TargetValue: aws.Float64(50), ScaleInCooldown: aws.Int32(60), PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{
				PredefinedMetricType: aastypes.MetricTypeECSServiceAverageCPUUtilization}}}); err != nil {
		t.Fatal(err)
	}
	f.waitDesired(t, 30*time.Second, 3)
	f.waitActivities(t, "-AlarmHigh-", "triggered policy cpu50) Successfully set desired count to")
	if err := os.WriteFile(idle, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f.waitDesired(t, 40*time.Second, 1)
	f.waitActivities(t, "-AlarmLow-", "triggered policy cpu50) Successfully set desired count to 1.")
}
