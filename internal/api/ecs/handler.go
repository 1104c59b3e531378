// Package ecs serves the Amazon ECS API (JSON 1.1, target prefix
// AmazonEC2ContainerServiceV20141113) over the typed operations of package
// ecsops: it decodes each request into the operation's input, calls it, and
// encodes the output or the *awserr.Error in ECS's JSON shapes.
package ecs

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
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

// Handler serves ECS operations.
type Handler struct {
	logger *slog.Logger
	ops    map[string]opFunc
	views  *viewCache
}

// New returns the ECS API handler over the operations o.
func New(o *ecsops.Ops, logger *slog.Logger) *Handler {
	h := &Handler{logger: logger, views: newViewCache()}
	h.ops = map[string]opFunc{
		"CreateCluster":               op(o.CreateCluster, clusterResultOut),
		"DescribeClusters":            op(o.DescribeClusters, describeClustersOut),
		"ListClusters":                op(o.ListClusters, listClustersOut),
		"DeleteCluster":               op(o.DeleteCluster, clusterResultOut),
		"UpdateCluster":               op(o.UpdateCluster, clusterResultOut),
		"UpdateClusterSettings":       op(o.UpdateClusterSettings, clusterResultOut),
		"PutClusterCapacityProviders": op(o.PutClusterCapacityProviders, clusterResultOut),
		"CreateCapacityProvider":      op(o.CreateCapacityProvider, capacityProviderResultOut),
		"UpdateCapacityProvider":      op(o.UpdateCapacityProvider, capacityProviderResultOut),
		"DeleteCapacityProvider":      op(o.DeleteCapacityProvider, capacityProviderResultOut),
		"DescribeCapacityProviders":   op(o.DescribeCapacityProviders, describeCapacityProvidersOut),
		"PutAccountSetting":           op(o.PutAccountSetting, settingResultOut),
		"PutAccountSettingDefault":    op(o.PutAccountSettingDefault, settingResultOut),
		"DeleteAccountSetting":        op(o.DeleteAccountSetting, settingResultOut),
		"ListAccountSettings":         op(o.ListAccountSettings, listSettingsOut),
		"RegisterTaskDefinition":      registerTaskDefinition(o),
		"DescribeTaskDefinition":      opErr(o.DescribeTaskDefinition, taskDefinitionOut),
		"ListTaskDefinitions":         op(o.ListTaskDefinitions, listTaskDefinitionsOut),
		"ListTaskDefinitionFamilies":  op(o.ListTaskDefinitionFamilies, listFamiliesOut),
		"DeregisterTaskDefinition":    opErr(o.DeregisterTaskDefinition, taskDefinitionOut),
		"DeleteTaskDefinitions":       opErr(o.DeleteTaskDefinitions, deleteTaskDefinitionsOut),
		"CreateService":               op(o.CreateService, serviceResultOut),
		"UpdateService":               op(o.UpdateService, serviceResultOut),
		"DescribeServices":            h.describeServices(o),
		"ListServices":                op(o.ListServices, listServicesOut),
		"ListServicesByNamespace":     op(o.ListServicesByNamespace, listServicesOut),
		"DeleteService":               op(o.DeleteService, serviceResultOut),
		"ListServiceDeployments":      op(o.ListServiceDeployments, listServiceDeploymentsOut),
		"DescribeServiceDeployments":  op(o.DescribeServiceDeployments, describeServiceDeploymentsOut),
		"DescribeServiceRevisions":    op(o.DescribeServiceRevisions, describeServiceRevisionsOut),
		"ContinueServiceDeployment":   op(o.ContinueServiceDeployment, continueServiceDeploymentOut),
		"StopServiceDeployment":       op(o.StopServiceDeployment, stopServiceDeploymentOut),
		"CreateTaskSet":               op(o.CreateTaskSet, taskSetResultOut),
		"UpdateTaskSet":               op(o.UpdateTaskSet, taskSetResultOut),
		"DeleteTaskSet":               op(o.DeleteTaskSet, taskSetResultOut),
		"DescribeTaskSets":            op(o.DescribeTaskSets, describeTaskSetsOut),
		"UpdateServicePrimaryTaskSet": op(o.UpdateServicePrimaryTaskSet, taskSetResultOut),
		"RunTask":                     op(o.RunTask, runTaskOut),
		"StartTask":                   op(o.StartTask, runTaskOut),
		"StopTask":                    op(o.StopTask, stopTaskOut),
		"ListTasks":                   op(o.ListTasks, listTasksOut),
		"DescribeTasks":               op(o.DescribeTasks, describeTasksOut),
		"UpdateTaskProtection":        op(o.UpdateTaskProtection, taskProtectionOut),
		"GetTaskProtection":           op(o.GetTaskProtection, taskProtectionOut),
		"ListContainerInstances":      op(o.ListContainerInstances, listInstancesOut),
		"DescribeContainerInstances":  op(o.DescribeContainerInstances, describeInstancesOut),
		"TagResource":                 noOutput(o.TagResource),
		"UntagResource":               noOutput(o.UntagResource),
		"ListTagsForResource":         op(o.ListTagsForResource, listTagsOut),
	}
	return h
}

// op adapts a typed operation: the body strictly decodes into In
// (SerializationException when it does not fit; the inputs' json tags are
// the API's member names) and the output is encoded through wire.
func op[In, Out any](f func(context.Context, *In) (*Out, error), wire func(*Out) any) opFunc {
	return opErr(f, func(o *Out) (any, error) { return wire(o), nil })
}

// opErr is op with an encoding that can fail.
func opErr[In, Out any](f func(context.Context, *In) (*Out, error), wire func(*Out) (any, error)) opFunc {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := awsproto.DecodeJSON(body, in); err != nil {
			return nil, err
		}
		out, err := f(ctx, in)
		if err != nil {
			return nil, err
		}
		return wire(out)
	}
}

// describeServices encodes through the view cache, which needs to know
// whether tags were asked for.
func (h *Handler) describeServices(o *ecsops.Ops) opFunc {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(ecsops.DescribeServicesInput)
		if err := awsproto.DecodeJSON(body, in); err != nil {
			return nil, err
		}
		out, err := o.DescribeServices(ctx, in)
		if err != nil {
			return nil, err
		}
		return h.describeServicesOut(out, slices.Contains(in.Include, ecsops.IncludeTags))
	}
}

// noOutput adapts an operation that answers with an empty object.
func noOutput[In any](f func(context.Context, *In) error) opFunc {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := awsproto.DecodeJSON(body, in); err != nil {
			return nil, err
		}
		if err := f(ctx, in); err != nil {
			return nil, err
		}
		return struct{}{}, nil
	}
}

// ServeHTTP implements http.Handler for requests the Router sent here.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := awsproto.JSONOperation(r.Header.Get("X-Amz-Target"), TargetPrefix)
	f, ok := h.ops[name]
	if !ok {
		if err := ecsops.Refusal(name); err != nil {
			h.fail(w, r, name, err)
			return
		}
		awsproto.WriteJSONError(w, awsproto.ClientError("UnknownOperationException",
			"Unknown operation %s", r.Header.Get("X-Amz-Target")), ecsops.CodeServer)
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
	e := awsproto.AsError(err, ecsops.CodeServer)
	if e.Status >= http.StatusInternalServerError {
		h.logFault(r, op, err)
	}
	awsproto.WriteJSONError(w, e, ecsops.CodeServer)
}

func (h *Handler) logFault(r *http.Request, op string, err error) {
	if h.logger != nil {
		h.logger.Error("operation failed", "op", op, "request_id", awsproto.RequestID(r.Context()), "err", err)
	}
}
