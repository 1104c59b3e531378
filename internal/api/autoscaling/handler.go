// Package autoscaling serves the Application Auto Scaling API (JSON 1.1,
// target prefix AnyScaleFrontendService, signed for application-autoscaling)
// over the typed operations of package aasops: it decodes each request into
// the operation's input, calls it, and encodes the output or the
// *awserr.Error in the service's JSON shapes. It holds no logic of its own.
package autoscaling

import (
	"context"
	"io"
	"log/slog"
	"net/http"

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

// maxBody bounds a request body (the largest requests, policies with 20
// steps, are a few KiB).
const maxBody = 1 << 20

type opFunc func(ctx context.Context, body []byte) (any, error)

// Handler serves Application Auto Scaling operations.
type Handler struct {
	ops    map[string]opFunc
	logger *slog.Logger
}

// New returns the handler over the operations svc.
func New(svc *aasops.Service, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{logger: logger}
	h.ops = map[string]opFunc{
		"RegisterScalableTarget":    op(svc.RegisterScalableTarget),
		"DescribeScalableTargets":   op(svc.DescribeScalableTargets),
		"DeregisterScalableTarget":  noOutput(svc.DeregisterScalableTarget),
		"PutScalingPolicy":          op(svc.PutScalingPolicy),
		"DescribeScalingPolicies":   op(svc.DescribeScalingPolicies),
		"DeleteScalingPolicy":       noOutput(svc.DeleteScalingPolicy),
		"DescribeScalingActivities": op(svc.DescribeScalingActivities),
		"PutScheduledAction":        putScheduledAction(svc.PutScheduledAction),
		"DescribeScheduledActions":  op(svc.DescribeScheduledActions),
		"DeleteScheduledAction":     noOutput(svc.DeleteScheduledAction),
		"TagResource":               noOutput(svc.TagResource),
		"UntagResource":             noOutput(svc.UntagResource),
		"ListTagsForResource":       op(svc.ListTagsForResource),
	}
	return h
}

// op adapts a typed operation: the body decodes into In
// (SerializationException when it does not fit) and the output is encoded
// by reflection (encode).
func op[In, Out any](f func(context.Context, *In) (*Out, error)) opFunc {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := awsproto.DecodeJSON(body, in); err != nil {
			return nil, err
		}
		out, err := f(ctx, in)
		if err != nil {
			return nil, err
		}
		return encode(out), nil
	}
}

// noOutput adapts an operation that answers with an empty object.
func noOutput[In any](f func(context.Context, *In) error) opFunc {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := awsproto.DecodeJSON(body, in); err != nil {
			return nil, err
		}
		return struct{}{}, f(ctx, in)
	}
}

// ServeHTTP implements http.Handler for requests the Router sent here.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := awsproto.JSONOperation(r.Header.Get("X-Amz-Target"), TargetPrefix)
	f, ok := h.ops[name]
	if !ok {
		awsproto.WriteJSONError(w, awsproto.ClientError("UnknownOperationException",
			"Unknown operation %.200s", r.Header.Get("X-Amz-Target")), serverFault)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		awsproto.WriteJSONError(w, err, serverFault)
		return
	}
	if len(body) > maxBody {
		awsproto.WriteJSONError(w, awsproto.Errorf(http.StatusRequestEntityTooLarge, "SerializationException",
			"The request body is larger than %d bytes.", maxBody), serverFault)
		return
	}
	out, err := f(r.Context(), body)
	if err != nil {
		e := awsproto.AsError(err, serverFault)
		if e.Status >= 500 {
			h.logger.Error("operation failed", "op", name, "err", err, "request_id", w.Header().Get("X-Amzn-RequestId"))
		}
		awsproto.WriteJSONError(w, e, serverFault)
		return
	}
	if err := awsproto.WriteJSON(w, out); err != nil {
		h.logger.Error("encoding an answer", "op", name, "err", err)
	}
}
