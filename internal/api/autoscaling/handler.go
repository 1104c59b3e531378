// Package autoscaling serves the Application Auto Scaling API (JSON 1.1,
// target prefix AnyScaleFrontendService, signed for application-autoscaling)
// over the typed operations of package aasops: it decodes each request into
// the operation's input, calls it, and encodes the output or the
// *awserr.Error in the service's JSON shapes. It holds no logic of its own.
package autoscaling

import (
	"log/slog"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/ops/aasops"
)

// TargetPrefix is the X-Amz-Target prefix of the operations; SigningName is
// the service its requests are signed for. Register the handler with
// router.HandleJSON(awsproto.JSONAPI{TargetPrefix: autoscaling.TargetPrefix,
// SigningName: autoscaling.SigningName}, handler).
const (
	TargetPrefix = "AnyScaleFrontendService"
	SigningName  = "application-autoscaling"
)

// serverFault is the code of errors that are the service's fault.
const serverFault = aasops.CodeInternal

// Handler serves Application Auto Scaling operations.
type Handler struct {
	awsproto.JSONHandler
}

// New returns the handler over the operations svc.
func New(svc *aasops.Service, logger *slog.Logger) *Handler {
	ops := map[string]awsproto.JSONOp{
		"RegisterScalableTarget":    awsproto.Op(svc.RegisterScalableTarget, wire),
		"DescribeScalableTargets":   awsproto.Op(svc.DescribeScalableTargets, wire),
		"DeregisterScalableTarget":  awsproto.NoOutput(svc.DeregisterScalableTarget),
		"PutScalingPolicy":          awsproto.Op(svc.PutScalingPolicy, wire),
		"DescribeScalingPolicies":   awsproto.Op(svc.DescribeScalingPolicies, wire),
		"DeleteScalingPolicy":       awsproto.NoOutput(svc.DeleteScalingPolicy),
		"DescribeScalingActivities": awsproto.Op(svc.DescribeScalingActivities, wire),
		"PutScheduledAction":        putScheduledAction(svc.PutScheduledAction),
		"DescribeScheduledActions":  awsproto.Op(svc.DescribeScheduledActions, wire),
		"DeleteScheduledAction":     awsproto.NoOutput(svc.DeleteScheduledAction),
		"TagResource":               awsproto.NoOutput(svc.TagResource),
		"UntagResource":             awsproto.NoOutput(svc.UntagResource),
		"ListTagsForResource":       awsproto.Op(svc.ListTagsForResource, wire),
	}
	return &Handler{awsproto.JSONHandler{TargetPrefix: TargetPrefix, Ops: ops, ServerFault: serverFault, Logger: logger}}
}

// wire encodes an operation's output in the service's JSON shape (encode).
func wire[Out any](o *Out) any { return encode(o) }
