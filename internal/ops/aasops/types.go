package aasops

import "time"

// The inputs and outputs below are Application Auto Scaling's shapes
// (service model application-autoscaling 2016-02-06) as Go types: field
// names are the members' names, so the wire decodes requests into them
// (encoding/json matches names without regard to case) and encodes the
// outputs by reflection (omitting nil pointers, nil slices and empty
// strings; timestamps as epoch seconds). Pointers mark optional members
// whose zero value means something.

// SuspendedState is a scalable target's suspension of scaling.
type SuspendedState struct {
	DynamicScalingInSuspended  *bool
	DynamicScalingOutSuspended *bool
	ScheduledScalingSuspended  *bool
}

// RegisterScalableTargetInput is RegisterScalableTarget's request.
type RegisterScalableTargetInput struct {
	ServiceNamespace  string
	ResourceId        string
	ScalableDimension string
	MinCapacity       *int
	MaxCapacity       *int
	RoleARN           string
	SuspendedState    *SuspendedState
	Tags              map[string]string
}

// RegisterScalableTargetOutput is its answer.
type RegisterScalableTargetOutput struct {
	ScalableTargetARN string
}

// ScalableTarget is a target as DescribeScalableTargets answers it.
type ScalableTarget struct {
	ServiceNamespace  string
	ResourceId        string
	ScalableDimension string
	MinCapacity       int
	MaxCapacity       int
	RoleARN           string
	CreationTime      time.Time
	SuspendedState    SuspendedState
	ScalableTargetARN string
}

// DescribeScalableTargetsInput is DescribeScalableTargets' request.
type DescribeScalableTargetsInput struct {
	ServiceNamespace  string
	ResourceIds       []string
	ScalableDimension string
	MaxResults        *int
	NextToken         string
}

// DescribeScalableTargetsOutput is its answer.
type DescribeScalableTargetsOutput struct {
	ScalableTargets []ScalableTarget
	NextToken       string
}

// TargetInput names a scalable target (DeregisterScalableTarget's request).
type TargetInput struct {
	ServiceNamespace  string
	ResourceId        string
	ScalableDimension string
}

// StepAdjustment is one step of a step scaling policy; the bounds are
// relative to the alarm's threshold, nil meaning unbounded.
type StepAdjustment struct {
	MetricIntervalLowerBound *float64
	MetricIntervalUpperBound *float64
	ScalingAdjustment        *int
}

// StepScalingPolicyConfiguration is a step scaling policy.
type StepScalingPolicyConfiguration struct {
	AdjustmentType         string
	StepAdjustments        []StepAdjustment
	MinAdjustmentMagnitude *int
	Cooldown               *int
	MetricAggregationType  string
}

// PredefinedMetricSpecification names a predefined metric.
type PredefinedMetricSpecification struct {
	PredefinedMetricType string
	ResourceLabel        string
}

// MetricDimension is a dimension of a customized metric.
type MetricDimension struct {
	Name, Value string
}

// CustomizedMetricSpecification is a CloudWatch metric to track. Metrics
// (metric math) is refused: Slipway's alarms evaluate single metrics.
type CustomizedMetricSpecification struct {
	MetricName string
	Namespace  string
	Dimensions []MetricDimension
	Statistic  string
	Unit       string
	Metrics    []any
}

// TargetTrackingScalingPolicyConfiguration is a target tracking policy.
type TargetTrackingScalingPolicyConfiguration struct {
	TargetValue                   *float64
	PredefinedMetricSpecification *PredefinedMetricSpecification
	CustomizedMetricSpecification *CustomizedMetricSpecification
	ScaleOutCooldown              *int
	ScaleInCooldown               *int
	DisableScaleIn                *bool
}

// PutScalingPolicyInput is PutScalingPolicy's request. A
// PredictiveScalingPolicyConfiguration is refused.
type PutScalingPolicyInput struct {
	PolicyName                               string
	ServiceNamespace                         string
	ResourceId                               string
	ScalableDimension                        string
	PolicyType                               string
	StepScalingPolicyConfiguration           *StepScalingPolicyConfiguration
	TargetTrackingScalingPolicyConfiguration *TargetTrackingScalingPolicyConfiguration
	PredictiveScalingPolicyConfiguration     any
}

// Alarm names an alarm of a policy.
type Alarm struct {
	AlarmName string
	AlarmARN  string
}

// PutScalingPolicyOutput is its answer.
type PutScalingPolicyOutput struct {
	PolicyARN string
	Alarms    []Alarm
}

// ScalingPolicy is a policy as DescribeScalingPolicies answers it.
type ScalingPolicy struct {
	PolicyARN                                string
	PolicyName                               string
	ServiceNamespace                         string
	ResourceId                               string
	ScalableDimension                        string
	PolicyType                               string
	StepScalingPolicyConfiguration           *StepScalingPolicyConfiguration
	TargetTrackingScalingPolicyConfiguration *TargetTrackingScalingPolicyConfiguration
	Alarms                                   []Alarm
	CreationTime                             time.Time
}

// DescribeScalingPoliciesInput is DescribeScalingPolicies' request.
type DescribeScalingPoliciesInput struct {
	PolicyNames       []string
	ServiceNamespace  string
	ResourceId        string
	ScalableDimension string
	MaxResults        *int
	NextToken         string
}

// DescribeScalingPoliciesOutput is its answer.
type DescribeScalingPoliciesOutput struct {
	ScalingPolicies []ScalingPolicy
	NextToken       string
}

// DeleteScalingPolicyInput is DeleteScalingPolicy's request.
type DeleteScalingPolicyInput struct {
	PolicyName        string
	ServiceNamespace  string
	ResourceId        string
	ScalableDimension string
}

// ScalableTargetAction is the capacity a scheduled action sets.
type ScalableTargetAction struct {
	MinCapacity *int
	MaxCapacity *int
}

// PutScheduledActionInput is PutScheduledAction's request.
type PutScheduledActionInput struct {
	ServiceNamespace     string
	Schedule             string
	Timezone             string
	ScheduledActionName  string
	ResourceId           string
	ScalableDimension    string
	StartTime            *time.Time
	EndTime              *time.Time
	ScalableTargetAction *ScalableTargetAction
}

// ScheduledAction is an action as DescribeScheduledActions answers it.
type ScheduledAction struct {
	ScheduledActionName  string
	ScheduledActionARN   string
	ServiceNamespace     string
	Schedule             string
	Timezone             string
	ResourceId           string
	ScalableDimension    string
	StartTime            *time.Time
	EndTime              *time.Time
	ScalableTargetAction ScalableTargetAction
	CreationTime         time.Time
}

// DescribeScheduledActionsInput is DescribeScheduledActions' request.
type DescribeScheduledActionsInput struct {
	ScheduledActionNames []string
	ServiceNamespace     string
	ResourceId           string
	ScalableDimension    string
	MaxResults           *int
	NextToken            string
}

// DescribeScheduledActionsOutput is its answer.
type DescribeScheduledActionsOutput struct {
	ScheduledActions []ScheduledAction
	NextToken        string
}

// DeleteScheduledActionInput is DeleteScheduledAction's request.
type DeleteScheduledActionInput struct {
	ServiceNamespace    string
	ScheduledActionName string
	ResourceId          string
	ScalableDimension   string
}

// NotScaledReason says why an activity did not scale.
type NotScaledReason struct {
	Code            string
	MaxCapacity     *int
	MinCapacity     *int
	CurrentCapacity *int
}

// ScalingActivity is an activity as DescribeScalingActivities answers it.
type ScalingActivity struct {
	ActivityId        string
	ServiceNamespace  string
	ResourceId        string
	ScalableDimension string
	Description       string
	Cause             string
	StartTime         time.Time
	EndTime           *time.Time
	StatusCode        string
	StatusMessage     string
	Details           string
	NotScaledReasons  []NotScaledReason
}

// DescribeScalingActivitiesInput is DescribeScalingActivities' request.
type DescribeScalingActivitiesInput struct {
	ServiceNamespace           string
	ResourceId                 string
	ScalableDimension          string
	MaxResults                 *int
	NextToken                  string
	IncludeNotScaledActivities *bool
}

// DescribeScalingActivitiesOutput is its answer.
type DescribeScalingActivitiesOutput struct {
	ScalingActivities []ScalingActivity
	NextToken         string
}

// TagResourceInput is TagResource's request.
type TagResourceInput struct {
	ResourceARN string
	Tags        map[string]string
}

// UntagResourceInput is UntagResource's request.
type UntagResourceInput struct {
	ResourceARN string
	TagKeys     []string
}

// ListTagsForResourceInput is ListTagsForResource's request.
type ListTagsForResourceInput struct {
	ResourceARN string
}

// ListTagsForResourceOutput is its answer.
type ListTagsForResourceOutput struct {
	Tags map[string]string
}
