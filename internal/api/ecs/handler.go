// Package ecs serves the Amazon ECS API (JSON 1.1, target prefix
// AmazonEC2ContainerServiceV20141113): it decodes and validates requests,
// reads and writes desired state through the state package and answers in
// ECS's shapes and error codes. Controllers, not this package, act on the
// desired state.
package ecs

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/state"
)

// TargetPrefix is the X-Amz-Target prefix of ECS operations; SigningName is
// the service ECS requests are signed for. Register the handler with
// router.HandleJSON(awsproto.JSONAPI{TargetPrefix: ecs.TargetPrefix,
// SigningName: ecs.SigningName}, handler).
const (
	TargetPrefix = "AmazonEC2ContainerServiceV20141113"
	SigningName  = "ecs"
)

type opFunc func(ctx context.Context, body []byte) (any, error)

// TargetGroups is what the ECS API needs to know of ELB target groups to
// validate a service's loadBalancers.
type TargetGroups interface {
	// TargetGroupInUse reports whether the target group exists and whether a
	// load balancer's listener or rule forwards to it.
	TargetGroupInUse(ctx context.Context, arn string) (exists, attached bool, err error)
}

// Handler serves ECS operations.
type Handler struct {
	st     *state.State
	tgs    TargetGroups
	logger *slog.Logger
	ops    map[string]opFunc
	views  *viewCache
}

// New returns the ECS API handler. tgs may be nil when no load balancer is
// wired; then services cannot use loadBalancers.
func New(st *state.State, tgs TargetGroups, logger *slog.Logger) *Handler {
	h := &Handler{st: st, tgs: tgs, logger: logger, views: newViewCache()}
	h.ops = map[string]opFunc{
		"CreateCluster":              op(h.createCluster),
		"DescribeClusters":           op(h.describeClusters),
		"ListClusters":               op(h.listClusters),
		"DeleteCluster":              op(h.deleteCluster),
		"RegisterTaskDefinition":     h.registerTaskDefinition,
		"DescribeTaskDefinition":     op(h.describeTaskDefinition),
		"ListTaskDefinitions":        op(h.listTaskDefinitions),
		"ListTaskDefinitionFamilies": op(h.listTaskDefinitionFamilies),
		"DeregisterTaskDefinition":   op(h.deregisterTaskDefinition),
		"CreateService":              op(h.createService),
		"UpdateService":              op(h.updateService),
		"DescribeServices":           op(h.describeServices),
		"ListServices":               op(h.listServices),
		"DeleteService":              op(h.deleteService),
		"ListServiceDeployments":     op(h.listServiceDeployments),
		"DescribeServiceDeployments": op(h.describeServiceDeployments),
		"DescribeServiceRevisions":   op(h.describeServiceRevisions),
		"RunTask":                    op(h.runTask),
		"StopTask":                   op(h.stopTask),
		"ListTasks":                  op(h.listTasks),
		"DescribeTasks":              op(h.describeTasks),
		"ListContainerInstances":     op(h.listContainerInstances),
		"DescribeContainerInstances": op(h.describeContainerInstances),
		"TagResource":                op(h.tagResource),
		"UntagResource":              op(h.untagResource),
		"ListTagsForResource":        op(h.listTagsForResource),
	}
	return h
}

// op adapts a typed operation to opFunc: it strictly decodes the body into
// In (SerializationException on failure) and returns the typed answer.
func op[In any, Out any](f func(context.Context, *In) (*Out, error)) opFunc {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := awsproto.DecodeJSON(body, in); err != nil {
			return nil, err
		}
		return f(ctx, in)
	}
}

// ServeHTTP implements http.Handler for requests the Router sent here.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := awsproto.JSONOperation(r.Header.Get("X-Amz-Target"), TargetPrefix)
	f, ok := h.ops[name]
	if !ok {
		awsproto.WriteJSONError(w, awsproto.ClientError("UnknownOperationException",
			"Unknown operation %s", r.Header.Get("X-Amz-Target")), "ServerException")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		h.fail(w, r, name, err)
		return
	}
	out, err := f(r.Context(), body)
	if err != nil {
		h.fail(w, r, name, err)
		return
	}
	if err := awsproto.WriteJSON(w, out); err != nil {
		h.logFault(r, name, err)
	}
}

// fail answers err in ECS's words. A server fault is logged with the
// request id, the only part of it the client sees.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, op string, err error) {
	e := toAPIError(err)
	if e.Status >= http.StatusInternalServerError {
		h.logFault(r, op, err)
	}
	awsproto.WriteJSONError(w, e, "ServerException")
}

func (h *Handler) logFault(r *http.Request, op string, err error) {
	if h.logger != nil {
		h.logger.Error("operation failed", "op", op, "request_id", awsproto.RequestID(r.Context()), "err", err)
	}
}
