// Package aasops is the typed operations layer of Application Auto Scaling
// for ECS services: scalable targets, scaling policies (target tracking and
// step scaling), scheduled actions, scaling activities and tags, with the
// service's validation, defaults, quotas, pagination and errors
// (*awserr.Error in its codes and words). It holds no HTTP: the wire
// (internal/api/autoscaling) decodes and encodes, and in-process callers
// (the scaler in internal/autoscaler, CloudFormation) call it directly.
//
// Only ServiceNamespace ecs with ScalableDimension ecs:service:DesiredCount
// is served; the service's other namespaces are refused with a
// ValidationException that says so.
//
// Records live in the state store (store.Store, bbolt), each operation one
// durable transaction. A target-tracking policy creates and owns its two
// CloudWatch alarms through the Alarms it is given (cwops in the server).
package aasops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/slipway-dev/slipway/internal/ops/cwops"
	"github.com/slipway-dev/slipway/internal/store"
)

// The one namespace and dimension Slipway scales.
const (
	NamespaceECS       = "ecs"
	DimensionECSDesire = "ecs:service:DesiredCount"
)

// Quotas, as Application Auto Scaling's defaults.
const (
	// MaxTargets is the scalable targets per resource type (ECS services).
	MaxTargets = 3000
	// MaxPoliciesPerTarget is the scaling policies per scalable target.
	MaxPoliciesPerTarget = 50
	// MaxStepAdjustments is the step adjustments per step policy.
	MaxStepAdjustments = 20
	// MaxScheduledActionsPerTarget is the scheduled actions per target.
	MaxScheduledActionsPerTarget = 200
	// MaxTags is the tags per scalable target.
	MaxTags = 50
	// MaxActivitiesPerTarget bounds the activities kept per target (the
	// newest stay); ActivityRetention is how long they are kept (six weeks).
	MaxActivitiesPerTarget = 500
	ActivityRetention      = 6 * 7 * 24 * time.Hour
	// DefaultCooldown is the cooldown of ECS policies that name none.
	DefaultCooldown = 300
)

// serviceNamespaces and scalableDimensions are the model's enumerations,
// for the framework's enum errors; only NamespaceECS and DimensionECSDesire
// pass the later checks.
var (
	serviceNamespaces = []string{"ecs", "elasticmapreduce", "ec2", "appstream", "dynamodb", "rds", "sagemaker",
		"custom-resource", "comprehend", "lambda", "cassandra", "kafka", "elasticache", "neptune", "workspaces"}
	scalableDimensions = []string{"ecs:service:DesiredCount", "ec2:spot-fleet-request:TargetCapacity",
		"elasticmapreduce:instancegroup:InstanceCount", "appstream:fleet:DesiredCapacity",
		"dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits", "dynamodb:index:ReadCapacityUnits",
		"dynamodb:index:WriteCapacityUnits", "rds:cluster:ReadReplicaCount", "sagemaker:variant:DesiredInstanceCount",
		"custom-resource:ResourceType:Property", "comprehend:document-classifier-endpoint:DesiredInferenceUnits",
		"comprehend:entity-recognizer-endpoint:DesiredInferenceUnits", "lambda:function:ProvisionedConcurrency",
		"cassandra:table:ReadCapacityUnits", "cassandra:table:WriteCapacityUnits", "kafka:broker-storage:VolumeSize",
		"elasticache:cache-cluster:Nodes", "elasticache:replication-group:NodeGroups",
		"elasticache:replication-group:Replicas", "neptune:cluster:ReadReplicaCount",
		"sagemaker:variant:DesiredProvisionedConcurrency", "sagemaker:inference-component:DesiredCopyCount",
		"workspaces:workspacespool:DesiredUserSessions"}
)

// Services tells whether an ECS service exists and is ACTIVE (the ECS
// service layer; RegisterScalableTarget refuses other resources).
type Services interface {
	ServiceActive(ctx context.Context, cluster, service string) (bool, error)
}

// Alarms is what target tracking needs of CloudWatch (*cwops.Service).
type Alarms interface {
	PutMetricAlarm(ctx context.Context, in *cwops.PutMetricAlarmInput) error
	DeleteAlarms(ctx context.Context, in *cwops.AlarmNamesInput) error
	DescribeAlarms(ctx context.Context, in *cwops.DescribeAlarmsInput) (*cwops.DescribeAlarmsOutput, error)
	AlarmARN(name string) string
}

// Options configure a Service.
type Options struct {
	Region, Account string
	Store           store.Store
	Services        Services
	Alarms          Alarms
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

// Service runs Application Auto Scaling's operations.
type Service struct {
	opts Options
	log  *slog.Logger
}

// New returns a Service.
func New(opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opts: opts, log: opts.Logger.With("component", "autoscaling")}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }

// PolicyARNPrefix is the prefix of every scaling policy ARN of this Region
// and account: the alarm engine hands alarm actions with it to the scaler.
func (s *Service) PolicyARNPrefix() string {
	return fmt.Sprintf("arn:aws:autoscaling:%s:%s:scalingPolicy:", s.opts.Region, s.opts.Account)
}

func (s *Service) policyARN(id, resourceID, name string) string {
	return fmt.Sprintf("%s%s:resource/%s/%s:policyName/%s", s.PolicyARNPrefix(), id, NamespaceECS, resourceID, name)
}

func (s *Service) scheduledActionARN(id, resourceID, name string) string {
	return fmt.Sprintf("arn:aws:autoscaling:%s:%s:scheduledAction:%s:resource/%s/%s:scheduledActionName/%s",
		s.opts.Region, s.opts.Account, id, NamespaceECS, resourceID, name)
}

func (s *Service) targetARN(id string) string {
	return fmt.Sprintf("arn:aws:application-autoscaling:%s:%s:scalable-target/%s", s.opts.Region, s.opts.Account, id)
}

// defaultRoleARN is the service-linked role Application Auto Scaling uses
// for ECS when RegisterScalableTarget names none (stored and echoed: IAM
// has no meaning here).
func (s *Service) defaultRoleARN() string {
	return fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService", s.opts.Account)
}

// newTargetID is a scalable target's id: 36 lowercase hex digits, as AWS's.
func newTargetID() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
