package aasops

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

// Policy types, adjustment types and the predefined metrics of ECS.
const (
	PolicyStepScaling    = "StepScaling"
	PolicyTargetTracking = "TargetTrackingScaling"
	policyPredictive     = "PredictiveScaling"

	AdjustChange        = "ChangeInCapacity"
	AdjustPercentChange = "PercentChangeInCapacity"
	AdjustExact         = "ExactCapacity"

	MetricECSCPU         = "ECSServiceAverageCPUUtilization"
	MetricECSMemory      = "ECSServiceAverageMemoryUtilization"
	MetricALBRequestRate = "ALBRequestCountPerTarget"
)

var (
	policyTypes     = []string{PolicyStepScaling, PolicyTargetTracking, policyPredictive}
	adjustmentTypes = []string{AdjustChange, AdjustPercentChange, AdjustExact}
	aggregations    = []string{"Average", "Minimum", "Maximum"}
	statistics      = []string{"Average", "Minimum", "Maximum", "SampleCount", "Sum"}
	// predefinedTypes is the model's MetricType enumeration; only the three
	// ECS ones are accepted for ECS services, as the service does.
	predefinedTypes = []string{"DynamoDBReadCapacityUtilization", "DynamoDBWriteCapacityUtilization",
		"ALBRequestCountPerTarget", "RDSReaderAverageCPUUtilization", "RDSReaderAverageDatabaseConnections",
		"EC2SpotFleetRequestAverageCPUUtilization", "EC2SpotFleetRequestAverageNetworkIn",
		"EC2SpotFleetRequestAverageNetworkOut", "SageMakerVariantInvocationsPerInstance",
		"ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization", "AppStreamAverageCapacityUtilization",
		"ComprehendInferenceUtilization", "LambdaProvisionedConcurrencyUtilization", "CassandraReadCapacityUtilization",
		"CassandraWriteCapacityUtilization", "KafkaBrokerStorageUtilization", "ElastiCachePrimaryEngineCPUUtilization",
		"ElastiCacheReplicaEngineCPUUtilization", "ElastiCacheDatabaseMemoryUsageCountedForEvictPercentage",
		"NeptuneReaderAverageCPUUtilization", "SageMakerVariantProvisionedConcurrencyUtilization",
		"ElastiCacheDatabaseCapacityUsageCountedForEvictPercentage", "SageMakerInferenceComponentInvocationsPerCopy",
		"WorkSpacesAverageUserSessionsCapacityUtilization", "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
		"SageMakerVariantConcurrentRequestsPerModelHighResolution"}
)

// Metric namespaces and names the predefined metrics resolve to (what
// internal/cwrecorder records).
const (
	namespaceECS = "AWS/ECS"
	namespaceELB = "AWS/ApplicationELB"
)

// maxCooldown bounds cooldowns (a day).
const maxCooldown = 86400

func checkPolicyName(name string) error {
	if err := checkString("policyName", name, 1, 256); err != nil {
		return err
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return validation(name, "policyName", `Member must satisfy regular expression pattern: \p{Print}+`)
		}
	}
	return nil
}

func checkCooldown(member string, p *int) (int, bool, error) {
	if p == nil {
		return DefaultCooldown, false, nil
	}
	if *p < 0 || *p > maxCooldown {
		return 0, false, validation(*p, member, fmt.Sprintf("Member must have value between 0 and %d", maxCooldown))
	}
	return *p, true, nil
}

// stepConfig validates a step scaling configuration and applies defaults.
func stepConfig(in *StepScalingPolicyConfiguration) (*StepConfig, error) {
	const m = "stepScalingPolicyConfiguration."
	if in.AdjustmentType == "" {
		return nil, invalid("AdjustmentType is required for a step scaling policy.")
	}
	if err := checkEnum(m+"adjustmentType", in.AdjustmentType, adjustmentTypes); err != nil {
		return nil, err
	}
	if err := checkEnum(m+"metricAggregationType", in.MetricAggregationType, aggregations); err != nil {
		return nil, err
	}
	if len(in.StepAdjustments) == 0 {
		return nil, invalid("StepAdjustments are required for a step scaling policy: give at least one step adjustment.")
	}
	if len(in.StepAdjustments) > MaxStepAdjustments {
		return nil, errorf(CodeLimitExceeded, "A step scaling policy can have at most %d step adjustments.", MaxStepAdjustments)
	}
	cfg := &StepConfig{AdjustmentType: in.AdjustmentType, Aggregation: "Average"}
	if in.MetricAggregationType != "" {
		cfg.Aggregation, cfg.AggregationSet = in.MetricAggregationType, true
	}
	var err error
	if cfg.Cooldown, cfg.CooldownSet, err = checkCooldown(m+"cooldown", in.Cooldown); err != nil {
		return nil, err
	}
	if in.MinAdjustmentMagnitude != nil {
		if in.AdjustmentType != AdjustPercentChange {
			return nil, invalid("MinAdjustmentMagnitude is only supported with AdjustmentType PercentChangeInCapacity.")
		}
		if *in.MinAdjustmentMagnitude < 1 {
			return nil, validation(*in.MinAdjustmentMagnitude, m+"minAdjustmentMagnitude", "Member must have value greater than or equal to 1")
		}
		cfg.MinAdjustmentMagnitude = *in.MinAdjustmentMagnitude
	}
	for i, sa := range in.StepAdjustments {
		if sa.ScalingAdjustment == nil {
			return nil, required(fmt.Sprintf("%sstepAdjustments.%d.member.scalingAdjustment", m, i+1))
		}
		if in.AdjustmentType == AdjustExact && *sa.ScalingAdjustment < 0 {
			return nil, invalid("The scaling adjustment of an ExactCapacity policy cannot be negative: %d.", *sa.ScalingAdjustment)
		}
		for _, b := range []*float64{sa.MetricIntervalLowerBound, sa.MetricIntervalUpperBound} {
			if b != nil && (math.IsNaN(*b) || math.IsInf(*b, 0)) {
				return nil, invalid("Step adjustment bounds must be finite numbers.")
			}
		}
		cfg.Steps = append(cfg.Steps, Step{Lower: sa.MetricIntervalLowerBound, Upper: sa.MetricIntervalUpperBound, Adjustment: *sa.ScalingAdjustment})
	}
	return cfg, checkSteps(cfg.Steps)
}

// checkSteps applies the rules on step intervals: each step's lower bound
// is below its upper; only the lowest step may be unbounded below and only
// the highest unbounded above; the steps neither overlap nor leave gaps.
func checkSteps(steps []Step) error {
	sorted := slices.Clone(steps)
	lower := func(s Step) float64 {
		if s.Lower == nil {
			return math.Inf(-1)
		}
		return *s.Lower
	}
	upper := func(s Step) float64 {
		if s.Upper == nil {
			return math.Inf(1)
		}
		return *s.Upper
	}
	slices.SortFunc(sorted, func(a, b Step) int {
		switch {
		case lower(a) < lower(b):
			return -1
		case lower(a) > lower(b):
			return 1
		}
		return 0
	})
	for i, s := range sorted {
		if s.Lower == nil && s.Upper == nil && len(sorted) > 1 {
			return invalid("Only one step adjustment may have both bounds unspecified, and then it must be the only one.")
		}
		if lower(s) >= upper(s) {
			return invalid("The lower bound of a step adjustment must be less than its upper bound.")
		}
		if i > 0 {
			prev := sorted[i-1]
			if s.Lower == nil {
				return invalid("Only the lowest step adjustment may have an unspecified lower bound.")
			}
			if upper(prev) > lower(s) {
				return invalid("Step adjustment intervals cannot overlap.")
			}
			if upper(prev) < lower(s) {
				return invalid("Step adjustment intervals cannot have gaps: an interval ends at %v and the next starts at %v.", upper(prev), lower(s))
			}
		}
	}
	return nil
}

// trackingConfig validates a target tracking configuration for the ECS
// service cluster/service and resolves its metric.
func trackingConfig(in *TargetTrackingScalingPolicyConfiguration, cluster, service string) (*TrackingConfig, error) {
	const m = "targetTrackingScalingPolicyConfiguration."
	if in.TargetValue == nil {
		return nil, required(m + "targetValue")
	}
	if v := *in.TargetValue; math.IsNaN(v) || math.IsInf(v, 0) || v < 8.515920e-109 || v > 1.174271e+108 {
		return nil, invalid("The target value must be a positive number between 8.515920e-109 and 1.174271e+108.")
	}
	cfg := &TrackingConfig{TargetValue: *in.TargetValue}
	var err error
	if cfg.ScaleOutCooldown, cfg.ScaleOutCooldownSet, err = checkCooldown(m+"scaleOutCooldown", in.ScaleOutCooldown); err != nil {
		return nil, err
	}
	if cfg.ScaleInCooldown, cfg.ScaleInCooldownSet, err = checkCooldown(m+"scaleInCooldown", in.ScaleInCooldown); err != nil {
		return nil, err
	}
	if in.DisableScaleIn != nil {
		cfg.DisableScaleIn, cfg.DisableScaleInSet = *in.DisableScaleIn, true
	}
	pre, cust := in.PredefinedMetricSpecification, in.CustomizedMetricSpecification
	switch {
	case (pre == nil) == (cust == nil):
		return nil, invalid("Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification must be specified.")
	case pre != nil:
		cfg.Metric, err = predefinedMetric(pre, cluster, service)
		cfg.Predefined, cfg.ResourceLabel = pre.PredefinedMetricType, pre.ResourceLabel
	default:
		cfg.Metric, err = customizedMetric(cust)
		cfg.Custom = true
	}
	return cfg, err
}

func predefinedMetric(in *PredefinedMetricSpecification, cluster, service string) (Metric, error) {
	const m = "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification."
	if in.PredefinedMetricType == "" {
		return Metric{}, required(m + "predefinedMetricType")
	}
	if err := checkEnum(m+"predefinedMetricType", in.PredefinedMetricType, predefinedTypes); err != nil {
		return Metric{}, err
	}
	if in.ResourceLabel != "" {
		if err := checkString(m+"resourceLabel", in.ResourceLabel, 1, 1023); err != nil {
			return Metric{}, err
		}
	}
	svc := []MetricDim{{Name: "ClusterName", Value: cluster}, {Name: "ServiceName", Value: service}}
	switch in.PredefinedMetricType {
	case MetricECSCPU, MetricECSMemory:
		if in.ResourceLabel != "" {
			return Metric{}, invalid("ResourceLabel is only valid with the predefined metric type ALBRequestCountPerTarget.")
		}
		name := map[string]string{MetricECSCPU: "CPUUtilization", MetricECSMemory: "MemoryUtilization"}[in.PredefinedMetricType]
		return Metric{Namespace: namespaceECS, MetricName: name, Dimensions: svc, Statistic: "Average"}, nil
	case MetricALBRequestRate:
		tg, err := targetGroupOfLabel(in.ResourceLabel)
		if err != nil {
			return Metric{}, err
		}
		return Metric{Namespace: namespaceELB, MetricName: "RequestCountPerTarget",
			Dimensions: []MetricDim{{Name: "TargetGroup", Value: tg}}, Statistic: "Sum"}, nil
	}
	return Metric{}, invalid("Unsupported predefined metric type %s for service namespace ecs: use ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget.",
		in.PredefinedMetricType)
}

// targetGroupOfLabel reads the TargetGroup dimension out of a ResourceLabel
// app/<load-balancer-name>/<load-balancer-id>/targetgroup/<target-group-name>/<target-group-id>.
func targetGroupOfLabel(label string) (string, error) {
	bad := invalid("The ResourceLabel %q is not valid for ALBRequestCountPerTarget: give app/<load-balancer-name>/<load-balancer-id>/targetgroup/<target-group-name>/<target-group-id>.", label)
	if label == "" {
		return "", invalid("ResourceLabel is required with the predefined metric type ALBRequestCountPerTarget.")
	}
	parts := strings.Split(label, "/")
	if len(parts) != 6 || parts[0] != "app" || parts[3] != "targetgroup" {
		return "", bad
	}
	for _, p := range parts {
		if p == "" {
			return "", bad
		}
	}
	return strings.Join(parts[3:], "/"), nil
}

func customizedMetric(in *CustomizedMetricSpecification) (Metric, error) {
	const m = "targetTrackingScalingPolicyConfiguration.customizedMetricSpecification."
	if len(in.Metrics) > 0 {
		return Metric{}, invalid("Slipway's alarms evaluate single metrics: metric math (Metrics) in a customized metric specification is not supported; give MetricName, Namespace and Statistic.")
	}
	if in.MetricName == "" {
		return Metric{}, required(m + "metricName")
	}
	if in.Namespace == "" {
		return Metric{}, required(m + "namespace")
	}
	if in.Statistic == "" {
		return Metric{}, required(m + "statistic")
	}
	if err := checkEnum(m+"statistic", in.Statistic, statistics); err != nil {
		return Metric{}, err
	}
	out := Metric{Namespace: in.Namespace, MetricName: in.MetricName, Statistic: in.Statistic, Unit: in.Unit}
	for i, d := range in.Dimensions {
		if d.Name == "" || d.Value == "" {
			return Metric{}, required(fmt.Sprintf("%sdimensions.%d.member.name", m, i+1))
		}
		out.Dimensions = append(out.Dimensions, MetricDim(d))
	}
	return out, nil
}

// stepView is a stored step configuration in the API's shape.
func stepView(c *StepConfig) *StepScalingPolicyConfiguration {
	out := &StepScalingPolicyConfiguration{AdjustmentType: c.AdjustmentType, StepAdjustments: []StepAdjustment{}}
	for _, s := range c.Steps {
		out.StepAdjustments = append(out.StepAdjustments, StepAdjustment{MetricIntervalLowerBound: s.Lower,
			MetricIntervalUpperBound: s.Upper, ScalingAdjustment: intPtr(s.Adjustment)})
	}
	if c.MinAdjustmentMagnitude > 0 {
		out.MinAdjustmentMagnitude = intPtr(c.MinAdjustmentMagnitude)
	}
	if c.CooldownSet {
		out.Cooldown = intPtr(c.Cooldown)
	}
	if c.AggregationSet {
		out.MetricAggregationType = c.Aggregation
	}
	return out
}

// trackingView is a stored target tracking configuration in the API's shape.
func trackingView(c *TrackingConfig) *TargetTrackingScalingPolicyConfiguration {
	v := c.TargetValue
	out := &TargetTrackingScalingPolicyConfiguration{TargetValue: &v}
	if c.Custom {
		cm := &CustomizedMetricSpecification{MetricName: c.Metric.MetricName, Namespace: c.Metric.Namespace,
			Statistic: c.Metric.Statistic, Unit: c.Metric.Unit}
		for _, d := range c.Metric.Dimensions {
			cm.Dimensions = append(cm.Dimensions, MetricDimension(d))
		}
		out.CustomizedMetricSpecification = cm
	} else {
		out.PredefinedMetricSpecification = &PredefinedMetricSpecification{PredefinedMetricType: c.Predefined, ResourceLabel: c.ResourceLabel}
	}
	if c.ScaleOutCooldownSet {
		out.ScaleOutCooldown = intPtr(c.ScaleOutCooldown)
	}
	if c.ScaleInCooldownSet {
		out.ScaleInCooldown = intPtr(c.ScaleInCooldown)
	}
	if c.DisableScaleInSet {
		out.DisableScaleIn = boolPtr(c.DisableScaleIn)
	}
	return out
}
