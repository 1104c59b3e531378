package autoscaling

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/smithy-go"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/ops/aasops"
	"github.com/slipway-dev/slipway/internal/ops/cwops"
	"github.com/slipway-dev/slipway/internal/store"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// services stands in for the ECS service layer: the services that exist.
type services map[string]bool

func (s services) ServiceActive(_ context.Context, cluster, service string) (bool, error) {
	return s[cluster+"/"+service], nil
}

type fixture struct {
	c  *aas.Client
	cw *cwops.Service
	db *store.Bolt
}

// newFixture serves the API on 127.0.0.1:0, SigV4 checked, over a real
// store and CloudWatch's alarms, and returns an aws-sdk-go-v2 client.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	eng := alarms.New(alarms.Options{Store: db})
	cw := cwops.New(cwops.Options{Region: "us-east-1", Account: "000000000000", Alarms: eng})
	svc := aasops.New(aasops.Options{Region: "us-east-1", Account: "000000000000", Store: db, Alarms: cw,
		Services: services{"default/web": true, "default/api": true}})
	creds, err := awsproto.LoadCredentials("", "AKIDTEST:secret")
	if err != nil {
		t.Fatal(err)
	}
	router := awsproto.NewRouter(awsproto.NewVerifier(creds, []string{"us-east-1"}, nil), nil, slog.New(slog.DiscardHandler))
	router.HandleJSON(awsproto.JSONAPI{TargetPrefix: TargetPrefix, SigningName: SigningName}, New(svc, nil))
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	c := aas.New(aas.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), HTTPClient: testutil.SDKHTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""), RetryMaxAttempts: 1})
	return &fixture{c: c, cw: cw, db: db}
}

func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("got %v, want %s containing %q", err, code, msg)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

const (
	ns  = types.ServiceNamespaceEcs
	dim = types.ScalableDimensionECSServiceDesiredCount
	web = "service/default/web"
)

func register(t *testing.T, c *aas.Client, rid string, lo, hi int32) string {
	t.Helper()
	out := must(c.RegisterScalableTarget(t.Context(), &aas.RegisterScalableTargetInput{ServiceNamespace: ns,
		ResourceId: aws.String(rid), ScalableDimension: dim, MinCapacity: aws.Int32(lo), MaxCapacity: aws.Int32(hi)}))
	return aws.ToString(out.ScalableTargetARN)
}

func TestScalableTargets(t *testing.T) {
	f := newFixture(t)
	c, ctx := f.c, t.Context()
	in := func(mut func(*aas.RegisterScalableTargetInput)) *aas.RegisterScalableTargetInput {
		i := &aas.RegisterScalableTargetInput{ServiceNamespace: ns, ResourceId: aws.String(web), ScalableDimension: dim,
			MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(6)}
		mut(i)
		return i
	}
	_, err := c.RegisterScalableTarget(ctx, in(func(i *aas.RegisterScalableTargetInput) { i.ServiceNamespace = "dynamodb" }))
	wantCode(t, err, "ValidationException", "Slipway scales ECS services only")
	_, err = c.RegisterScalableTarget(ctx, in(func(i *aas.RegisterScalableTargetInput) { i.ServiceNamespace = "nosuch" }))
	wantCode(t, err, "ValidationException", "Value 'nosuch' at 'serviceNamespace' failed to satisfy constraint: Member must satisfy enum value set")
	_, err = c.RegisterScalableTarget(ctx, in(func(i *aas.RegisterScalableTargetInput) {
		i.ScalableDimension = types.ScalableDimensionDynamoDBTableReadCapacityUnits
	}))
	wantCode(t, err, "ValidationException", "Unsupported service namespace, resource type or scalable dimension")
	_, err = c.RegisterScalableTarget(ctx, in(func(i *aas.RegisterScalableTargetInput) { i.ResourceId = aws.String("table/x") }))
	wantCode(t, err, "ValidationException", "Unsupported service namespace, resource type or scalable dimension")
	_, err = c.RegisterScalableTarget(ctx, in(func(i *aas.RegisterScalableTargetInput) { i.ResourceId = aws.String("service/default/none") }))
	wantCode(t, err, "ValidationException", "ECS service doesn't exist: service/default/none")
	_, err = c.RegisterScalableTarget(ctx, in(func(i *aas.RegisterScalableTargetInput) { i.MaxCapacity = nil }))
	wantCode(t, err, "ValidationException", "MinCapacity and MaxCapacity are required")
	_, err = c.RegisterScalableTarget(ctx, in(func(i *aas.RegisterScalableTargetInput) { i.MinCapacity = aws.Int32(7) }))
	wantCode(t, err, "ValidationException", "Minimum capacity cannot be greater than maximum capacity")

	arn := register(t, c, web, 1, 6)
	if !strings.HasPrefix(arn, "arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/") {
		t.Fatalf("arn = %s", arn)
	}
	// An update changes what it names and keeps the rest.
	again := must(c.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: ns, ResourceId: aws.String(web),
		ScalableDimension: dim, MaxCapacity: aws.Int32(8),
		SuspendedState: &types.SuspendedState{DynamicScalingInSuspended: aws.Bool(true)}}))
	if aws.ToString(again.ScalableTargetARN) != arn {
		t.Fatalf("ARN changed on update: %s", aws.ToString(again.ScalableTargetARN))
	}
	_, err = c.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: ns, ResourceId: aws.String(web),
		ScalableDimension: dim, MaxCapacity: aws.Int32(0)})
	wantCode(t, err, "ValidationException", "Minimum capacity cannot be greater than maximum capacity")
	register(t, c, "service/default/api", 0, 2)
	out := must(c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: ns, ResourceIds: []string{web}}))
	if len(out.ScalableTargets) != 1 {
		t.Fatalf("targets = %+v", out.ScalableTargets)
	}
	st := out.ScalableTargets[0]
	if aws.ToInt32(st.MinCapacity) != 1 || aws.ToInt32(st.MaxCapacity) != 8 || st.CreationTime == nil ||
		time.Since(*st.CreationTime) > time.Minute || !aws.ToBool(st.SuspendedState.DynamicScalingInSuspended) ||
		aws.ToBool(st.SuspendedState.DynamicScalingOutSuspended) || aws.ToString(st.ScalableTargetARN) != arn ||
		!strings.Contains(aws.ToString(st.RoleARN), "AWSServiceRoleForApplicationAutoScaling_ECSService") {
		t.Fatalf("target = %+v", st)
	}
	// Pages of one.
	var ids []string
	p := aas.NewDescribeScalableTargetsPaginator(c, &aas.DescribeScalableTargetsInput{ServiceNamespace: ns, MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		for _, st := range must(p.NextPage(ctx)).ScalableTargets {
			ids = append(ids, aws.ToString(st.ResourceId))
		}
	}
	if strings.Join(ids, ",") != "service/default/api,service/default/web" {
		t.Fatalf("paged = %v", ids)
	}
	_, err = c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: ns, NextToken: aws.String("junk")})
	wantCode(t, err, "InvalidNextTokenException", "Invalid NextToken")
	_, err = c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: ns, MaxResults: aws.Int32(51)})
	wantCode(t, err, "ValidationException", "Member must have value less than or equal to 50")

	// Tags on the target's ARN.
	must(c.TagResource(ctx, &aas.TagResourceInput{ResourceARN: aws.String(arn), Tags: map[string]string{"team": "talks", "env": "dev"}}))
	must(c.UntagResource(ctx, &aas.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{"env"}}))
	tags := must(c.ListTagsForResource(ctx, &aas.ListTagsForResourceInput{ResourceARN: aws.String(arn)}))
	if len(tags.Tags) != 1 || tags.Tags["team"] != "talks" {
		t.Fatalf("tags = %v", tags.Tags)
	}
	_, err = c.ListTagsForResource(ctx, &aas.ListTagsForResourceInput{ResourceARN: aws.String(arn[:len(arn)-4] + "ffff")})
	wantCode(t, err, "ResourceNotFoundException", "not found")
	_, err = c.TagResource(ctx, &aas.TagResourceInput{ResourceARN: aws.String(arn), Tags: map[string]string{"aws:x": "y"}})
	wantCode(t, err, "ValidationException", "reserved")

	must(c.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: ns, ResourceId: aws.String(web), ScalableDimension: dim}))
	_, err = c.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: ns, ResourceId: aws.String(web), ScalableDimension: dim})
	wantCode(t, err, "ObjectNotFoundException", "No scalable target found for service namespace: ecs, resource ID: service/default/web")
}

func trackingInput(name string, cfg *types.TargetTrackingScalingPolicyConfiguration) *aas.PutScalingPolicyInput {
	return &aas.PutScalingPolicyInput{PolicyName: aws.String(name), ServiceNamespace: ns, ResourceId: aws.String(web),
		ScalableDimension: dim, PolicyType: types.PolicyTypeTargetTrackingScaling, TargetTrackingScalingPolicyConfiguration: cfg}
}

func TestTargetTrackingPolicyOwnsItsAlarms(t *testing.T) {
	f := newFixture(t)
	c, ctx := f.c, t.Context()
	cpu := &types.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(50),
		PredefinedMetricSpecification: &types.PredefinedMetricSpecification{PredefinedMetricType: types.MetricTypeECSServiceAverageCPUUtilization},
		ScaleOutCooldown:              aws.Int32(60)}
	_, err := c.PutScalingPolicy(ctx, trackingInput("cpu50", cpu))
	wantCode(t, err, "ObjectNotFoundException", "No scalable target registered for service namespace: ecs, resource ID: service/default/web, scalable dimension: ecs:service:DesiredCount")
	register(t, c, web, 1, 6)
	out := must(c.PutScalingPolicy(ctx, trackingInput("cpu50", cpu)))
	if !strings.HasPrefix(aws.ToString(out.PolicyARN), "arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:") ||
		!strings.HasSuffix(aws.ToString(out.PolicyARN), ":resource/ecs/service/default/web:policyName/cpu50") || len(out.Alarms) != 2 {
		t.Fatalf("put = %+v", out)
	}
	high, low := aws.ToString(out.Alarms[0].AlarmName), aws.ToString(out.Alarms[1].AlarmName)
	if !strings.HasPrefix(high, "TargetTracking-service/default/web-AlarmHigh-") || !strings.HasPrefix(low, "TargetTracking-service/default/web-AlarmLow-") {
		t.Fatalf("alarms = %s, %s", high, low)
	}
	alarmsOut := must(f.cw.DescribeAlarms(ctx, &cwops.DescribeAlarmsInput{AlarmNamePrefix: "TargetTracking-service/default/web"}))
	if len(alarmsOut.MetricAlarms) != 2 {
		t.Fatalf("alarms in CloudWatch: %+v", alarmsOut.MetricAlarms)
	}
	for _, a := range alarmsOut.MetricAlarms {
		if a.Namespace != "AWS/ECS" || a.MetricName != "CPUUtilization" || len(a.AlarmActions) != 1 || a.AlarmActions[0] != aws.ToString(out.PolicyARN) ||
			a.Period != 60 || a.Statistic != "Average" || !strings.HasPrefix(aws.ToString(a.AlarmDescription), "DO NOT EDIT OR DELETE.") {
			t.Fatalf("alarm = %+v", a)
		}
		if a.AlarmName == high && (a.Threshold != 50 || a.EvaluationPeriods != 3 || a.ComparisonOperator != "GreaterThanThreshold") {
			t.Fatalf("high alarm = %+v", a)
		}
		if a.AlarmName == low && (a.Threshold != 45 || a.EvaluationPeriods != 15 || a.ComparisonOperator != "LessThanThreshold") {
			t.Fatalf("low alarm = %+v", a)
		}
	}
	// An update keeps the ARN and the alarms; DisableScaleIn drops the low one.
	cpu.TargetValue, cpu.DisableScaleIn = aws.Float64(60), aws.Bool(true)
	again := must(c.PutScalingPolicy(ctx, trackingInput("cpu50", cpu)))
	if aws.ToString(again.PolicyARN) != aws.ToString(out.PolicyARN) || len(again.Alarms) != 1 || aws.ToString(again.Alarms[0].AlarmName) != high {
		t.Fatalf("update = %+v", again)
	}
	if n := len(must(f.cw.DescribeAlarms(ctx, &cwops.DescribeAlarmsInput{AlarmNamePrefix: "TargetTracking-"})).MetricAlarms); n != 1 {
		t.Fatalf("%d alarms after DisableScaleIn", n)
	}
	pol := must(c.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: ns, ResourceId: aws.String(web)}))
	if len(pol.ScalingPolicies) != 1 {
		t.Fatalf("policies = %+v", pol.ScalingPolicies)
	}
	got := pol.ScalingPolicies[0]
	tt := got.TargetTrackingScalingPolicyConfiguration
	if got.PolicyType != types.PolicyTypeTargetTrackingScaling || tt == nil || aws.ToFloat64(tt.TargetValue) != 60 ||
		aws.ToInt32(tt.ScaleOutCooldown) != 60 || tt.ScaleInCooldown != nil || !aws.ToBool(tt.DisableScaleIn) ||
		tt.PredefinedMetricSpecification.PredefinedMetricType != types.MetricTypeECSServiceAverageCPUUtilization || len(got.Alarms) != 1 {
		t.Fatalf("described = %+v / %+v", got, tt)
	}

	// The service's refusals.
	bad := []struct {
		cfg  *types.TargetTrackingScalingPolicyConfiguration
		code string
		msg  string
	}{
		{&types.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(50)}, "ValidationException", "Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification"},
		{&types.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(50), PredefinedMetricSpecification: &types.PredefinedMetricSpecification{
			PredefinedMetricType: types.MetricTypeDynamoDBReadCapacityUtilization}}, "ValidationException", "Unsupported predefined metric type"},
		{&types.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(50), PredefinedMetricSpecification: &types.PredefinedMetricSpecification{
			PredefinedMetricType: types.MetricTypeALBRequestCountPerTarget}}, "ValidationException", "ResourceLabel is required"},
		{&types.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(50), PredefinedMetricSpecification: &types.PredefinedMetricSpecification{
			PredefinedMetricType: types.MetricTypeALBRequestCountPerTarget, ResourceLabel: aws.String("app/x/y")}}, "ValidationException", "is not valid for ALBRequestCountPerTarget"},
		{&types.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(-1), PredefinedMetricSpecification: &types.PredefinedMetricSpecification{
			PredefinedMetricType: types.MetricTypeECSServiceAverageCPUUtilization}}, "ValidationException", "target value"},
		{&types.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(5), CustomizedMetricSpecification: &types.CustomizedMetricSpecification{
			Metrics: []types.TargetTrackingMetricDataQuery{{Id: aws.String("m1"), Expression: aws.String("a+b")}}}}, "ValidationException", "metric math"},
	}
	for _, b := range bad {
		_, err := c.PutScalingPolicy(ctx, trackingInput("bad", b.cfg))
		wantCode(t, err, b.code, b.msg)
	}
	// ALBRequestCountPerTarget tracks the target group's RequestCountPerTarget.
	alb := must(c.PutScalingPolicy(ctx, trackingInput("requests", &types.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(1000),
		PredefinedMetricSpecification: &types.PredefinedMetricSpecification{PredefinedMetricType: types.MetricTypeALBRequestCountPerTarget,
			ResourceLabel: aws.String("app/web/50dc6c495c0c9188/targetgroup/web/943f017f100becff")}})))
	a := must(f.cw.DescribeAlarms(ctx, &cwops.DescribeAlarmsInput{AlarmNames: []string{aws.ToString(alb.Alarms[0].AlarmName)}})).MetricAlarms[0]
	if a.Namespace != "AWS/ApplicationELB" || a.MetricName != "RequestCountPerTarget" || a.Statistic != "Sum" ||
		len(a.Dimensions) != 1 || a.Dimensions[0].Value != "targetgroup/web/943f017f100becff" {
		t.Fatalf("request count alarm = %+v", a)
	}

	mem := must(c.PutScalingPolicy(ctx, trackingInput("memory", &types.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(70),
		PredefinedMetricSpecification: &types.PredefinedMetricSpecification{PredefinedMetricType: types.MetricTypeECSServiceAverageMemoryUtilization}})))
	a = must(f.cw.DescribeAlarms(ctx, &cwops.DescribeAlarmsInput{AlarmNames: []string{aws.ToString(mem.Alarms[0].AlarmName)}})).MetricAlarms[0]
	if a.Namespace != "AWS/ECS" || a.MetricName != "MemoryUtilization" || len(a.Dimensions) != 2 || a.Dimensions[0].Value != "default" || a.Dimensions[1].Value != "web" {
		t.Fatalf("memory alarm = %+v", a)
	}
	must(c.DeleteScalingPolicy(ctx, &aas.DeleteScalingPolicyInput{PolicyName: aws.String("memory"), ServiceNamespace: ns, ResourceId: aws.String(web), ScalableDimension: dim}))

	// Deleting the policy deletes its alarms; deregistering the target deletes the rest.
	must(c.DeleteScalingPolicy(ctx, &aas.DeleteScalingPolicyInput{PolicyName: aws.String("cpu50"), ServiceNamespace: ns, ResourceId: aws.String(web), ScalableDimension: dim}))
	_, err = c.DeleteScalingPolicy(ctx, &aas.DeleteScalingPolicyInput{PolicyName: aws.String("cpu50"), ServiceNamespace: ns, ResourceId: aws.String(web), ScalableDimension: dim})
	wantCode(t, err, "ObjectNotFoundException", "No scaling policy found for service namespace: ecs, resource ID: service/default/web, scalable dimension: ecs:service:DesiredCount, policy name: cpu50")
	if n := len(must(f.cw.DescribeAlarms(ctx, &cwops.DescribeAlarmsInput{AlarmNamePrefix: "TargetTracking-"})).MetricAlarms); n != 2 {
		t.Fatalf("%d alarms after deleting cpu50, want the request policy's 2", n)
	}
	must(c.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: ns, ResourceId: aws.String(web), ScalableDimension: dim}))
	if n := len(must(f.cw.DescribeAlarms(ctx, &cwops.DescribeAlarmsInput{AlarmNamePrefix: "TargetTracking-"})).MetricAlarms); n != 0 {
		t.Fatalf("%d alarms after deregistering", n)
	}
	if n := len(must(c.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: ns})).ScalingPolicies); n != 0 {
		t.Fatalf("%d policies after deregistering", n)
	}
}

func stepInput(cfg *types.StepScalingPolicyConfiguration) *aas.PutScalingPolicyInput {
	return &aas.PutScalingPolicyInput{PolicyName: aws.String("add2"), ServiceNamespace: ns, ResourceId: aws.String(web),
		ScalableDimension: dim, StepScalingPolicyConfiguration: cfg}
}

func TestStepScalingPolicy(t *testing.T) {
	f := newFixture(t)
	c, ctx := f.c, t.Context()
	register(t, c, web, 1, 4)
	step := func(lo, hi *float64, adj int32) types.StepAdjustment {
		return types.StepAdjustment{MetricIntervalLowerBound: lo, MetricIntervalUpperBound: hi, ScalingAdjustment: aws.Int32(adj)}
	}
	// Seed 002: add 2 when CPU is at or above 30%.
	out := must(c.PutScalingPolicy(ctx, stepInput(&types.StepScalingPolicyConfiguration{AdjustmentType: types.AdjustmentTypeChangeInCapacity,
		StepAdjustments: []types.StepAdjustment{step(aws.Float64(0), nil, 2)}, Cooldown: aws.Int32(60),
		MetricAggregationType: types.MetricAggregationTypeAverage})))
	if len(out.Alarms) != 0 {
		t.Fatalf("a step policy owns no alarms: %+v", out.Alarms)
	}
	th, period, evals := 30.0, 60, 1
	must(0, f.cw.PutMetricAlarm(ctx, &cwops.PutMetricAlarmInput{AlarmName: "cpu-ge-30", MetricName: "CPUUtilization", Namespace: "AWS/ECS",
		Statistic: "Average", Period: &period, EvaluationPeriods: &evals, Threshold: &th, ComparisonOperator: "GreaterThanOrEqualToThreshold",
		AlarmActions: []string{aws.ToString(out.PolicyARN)}}))
	pol := must(c.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: ns, PolicyNames: []string{"add2"}})).ScalingPolicies
	if len(pol) != 1 || len(pol[0].Alarms) != 1 || aws.ToString(pol[0].Alarms[0].AlarmName) != "cpu-ge-30" ||
		pol[0].PolicyType != types.PolicyTypeStepScaling || aws.ToInt32(pol[0].StepScalingPolicyConfiguration.Cooldown) != 60 ||
		aws.ToInt32(pol[0].StepScalingPolicyConfiguration.StepAdjustments[0].ScalingAdjustment) != 2 {
		t.Fatalf("described = %+v", pol)
	}
	bad := []struct {
		cfg *types.StepScalingPolicyConfiguration
		msg string
	}{
		{&types.StepScalingPolicyConfiguration{StepAdjustments: []types.StepAdjustment{step(aws.Float64(0), nil, 1)}}, "AdjustmentType is required"},
		{&types.StepScalingPolicyConfiguration{AdjustmentType: types.AdjustmentTypeChangeInCapacity}, "StepAdjustments are required"},
		{&types.StepScalingPolicyConfiguration{AdjustmentType: types.AdjustmentTypeChangeInCapacity,
			StepAdjustments: []types.StepAdjustment{step(aws.Float64(0), aws.Float64(10), 1), step(aws.Float64(20), nil, 2)}}, "cannot have gaps"},
		{&types.StepScalingPolicyConfiguration{AdjustmentType: types.AdjustmentTypeChangeInCapacity,
			StepAdjustments: []types.StepAdjustment{step(aws.Float64(0), aws.Float64(10), 1), step(aws.Float64(5), nil, 2)}}, "cannot overlap"},
		{&types.StepScalingPolicyConfiguration{AdjustmentType: types.AdjustmentTypeChangeInCapacity, MinAdjustmentMagnitude: aws.Int32(2),
			StepAdjustments: []types.StepAdjustment{step(aws.Float64(0), nil, 1)}}, "MinAdjustmentMagnitude is only supported with AdjustmentType PercentChangeInCapacity"},
	}
	for _, b := range bad {
		_, err := c.PutScalingPolicy(ctx, stepInput(b.cfg))
		wantCode(t, err, "ValidationException", b.msg)
	}
	_, err := c.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("p"), ServiceNamespace: ns, ResourceId: aws.String(web),
		ScalableDimension: dim, PolicyType: types.PolicyTypePredictiveScaling})
	wantCode(t, err, "ValidationException", "PredictiveScaling policies are not supported")
}

func TestScheduledActions(t *testing.T) {
	f := newFixture(t)
	c, ctx := f.c, t.Context()
	put := func(name, schedule, tz string, lo, hi *int32) error {
		in := &aas.PutScheduledActionInput{ServiceNamespace: ns, ResourceId: aws.String(web), ScalableDimension: dim,
			ScheduledActionName: aws.String(name), Schedule: aws.String(schedule)}
		if tz != "" {
			in.Timezone = aws.String(tz)
		}
		if lo != nil || hi != nil {
			in.ScalableTargetAction = &types.ScalableTargetAction{MinCapacity: lo, MaxCapacity: hi}
		}
		_, err := c.PutScheduledAction(ctx, in)
		return err
	}
	wantCode(t, put("morning", "cron(0 8 ? * MON-FRI *)", "", aws.Int32(2), nil), "ObjectNotFoundException", "No scalable target registered")
	register(t, c, web, 1, 6)
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	must(c.PutScheduledAction(ctx, &aas.PutScheduledActionInput{ServiceNamespace: ns, ResourceId: aws.String(web), ScalableDimension: dim,
		ScheduledActionName: aws.String("morning"), Schedule: aws.String("cron(0 8 ? * MON-FRI *)"), Timezone: aws.String("Europe/Brussels"),
		StartTime: aws.Time(start), ScalableTargetAction: &types.ScalableTargetAction{MinCapacity: aws.Int32(2), MaxCapacity: aws.Int32(6)}}))
	if err := put("every5", "rate(5 minutes)", "", nil, aws.Int32(3)); err != nil {
		t.Fatal(err)
	}
	if err := put("once", "at(2030-01-01T00:00:00)", "Pacific/Tahiti", aws.Int32(1), nil); err != nil {
		t.Fatal(err)
	}
	wantCode(t, put("x", "cron(0 8 * * MON-FRI *)", "", aws.Int32(1), nil), "ValidationException", "exactly one of the day-of-month and day-of-week fields must be ?")
	wantCode(t, put("x", "cron(0 8 ? * MON#2 *)", "", aws.Int32(1), nil), "ValidationException", "Invalid cron expression")
	wantCode(t, put("x", "rate(0 minutes)", "", aws.Int32(1), nil), "ValidationException", "positive")
	wantCode(t, put("x", "every day", "", aws.Int32(1), nil), "ValidationException", "Invalid schedule expression")
	wantCode(t, put("x", "rate(1 hour)", "Mars/Olympus", aws.Int32(1), nil), "ValidationException", "Invalid Timezone: Mars/Olympus")
	wantCode(t, put("x", "rate(1 hour)", "", nil, nil), "ValidationException", "At least one of minimum capacity and maximum capacity should be provided")
	wantCode(t, put("x", "rate(1 hour)", "", aws.Int32(5), aws.Int32(2)), "ValidationException", "Minimum capacity cannot be greater than maximum capacity")
	wantCode(t, put("a:b", "rate(1 hour)", "", aws.Int32(1), nil), "ValidationException", "scheduledActionName")
	// An update keeps what it leaves out.
	if err := put("every5", "rate(10 minutes)", "", nil, nil); err != nil {
		t.Fatal(err)
	}
	out := must(c.DescribeScheduledActions(ctx, &aas.DescribeScheduledActionsInput{ServiceNamespace: ns, ResourceId: aws.String(web)}))
	if len(out.ScheduledActions) != 3 {
		t.Fatalf("actions = %+v", out.ScheduledActions)
	}
	byName := map[string]types.ScheduledAction{}
	for _, a := range out.ScheduledActions {
		byName[aws.ToString(a.ScheduledActionName)] = a
	}
	m := byName["morning"]
	if aws.ToString(m.Timezone) != "Europe/Brussels" || m.StartTime == nil || !m.StartTime.Equal(start) ||
		aws.ToInt32(m.ScalableTargetAction.MinCapacity) != 2 || aws.ToInt32(m.ScalableTargetAction.MaxCapacity) != 6 ||
		!strings.Contains(aws.ToString(m.ScheduledActionARN), ":scheduledAction:") ||
		!strings.HasSuffix(aws.ToString(m.ScheduledActionARN), ":resource/ecs/service/default/web:scheduledActionName/morning") {
		t.Fatalf("morning = %+v", m)
	}
	if e := byName["every5"]; aws.ToString(e.Schedule) != "rate(10 minutes)" || aws.ToInt32(e.ScalableTargetAction.MaxCapacity) != 3 || e.ScalableTargetAction.MinCapacity != nil {
		t.Fatalf("every5 = %+v", e)
	}
	must(c.DeleteScheduledAction(ctx, &aas.DeleteScheduledActionInput{ServiceNamespace: ns, ResourceId: aws.String(web), ScalableDimension: dim,
		ScheduledActionName: aws.String("once")}))
	_, err := c.DeleteScheduledAction(ctx, &aas.DeleteScheduledActionInput{ServiceNamespace: ns, ResourceId: aws.String(web), ScalableDimension: dim,
		ScheduledActionName: aws.String("once")})
	wantCode(t, err, "ObjectNotFoundException", "No scheduled action found for service namespace: ecs, resource ID: service/default/web, scalable dimension: ecs:service:DesiredCount, scheduled action name: once")
	acts := must(c.DescribeScalingActivities(ctx, &aas.DescribeScalingActivitiesInput{ServiceNamespace: ns, ResourceId: aws.String(web)}))
	if acts.ScalingActivities == nil || len(acts.ScalingActivities) != 0 {
		t.Fatalf("activities = %+v", acts.ScalingActivities)
	}
}
