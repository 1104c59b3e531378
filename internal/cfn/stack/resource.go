package stack

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/cfn/resourcetype"
	"github.com/slipway-dev/slipway/internal/cfn/template"
)

// provider returns the provider of a type: the recorder for recorded types.
func (o *op) provider(typ string) (Provider, error) {
	t := o.e.cat.Lookup(typ)
	switch {
	case t == nil:
		return nil, fmt.Errorf("%w: resource type %s is not supported", ErrUnsupported, typ)
	case t.Kind == resourcetype.Recorded:
		return o.e.recorded, nil
	case t.Kind == resourcetype.Nested:
		return o.e.nested, nil
	}
	if p, ok := o.e.providers[typ]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("%w: Slipway cannot create %s resources in this build (no provider is configured)", ErrUnsupported, typ)
}

// request is the provider call for a resource's state: the generated name,
// if any, goes into the properties.
func (o *op) request(r *Resource, st State) *Request {
	props := st.Properties
	if st.Name != "" {
		if t := o.e.cat.Lookup(r.Type); t != nil && t.NameRule != nil {
			props = maps.Clone(props)
			if props == nil {
				props = map[string]any{}
			}
			props[t.NameRule.Property] = st.Name
		}
	}
	return &Request{StackID: o.stack.ID, StackName: o.stack.Name, LogicalID: r.LogicalID, Type: r.Type,
		PhysicalID: st.PhysicalID, Properties: props, Attributes: st.Attributes}
}

// generatedName is the physical name CloudFormation gives a real resource
// whose template leaves its name property out ("" when it names itself or
// its type has no name). keep is the name it had, kept across updates that
// do not replace it.
func (o *op) generatedName(typ string, id string, props map[string]any, keep string) string {
	t := o.e.cat.Lookup(typ)
	if t == nil || t.Kind != resourcetype.Real || t.NameRule == nil {
		return ""
	}
	if _, ok := props[t.NameRule.Property]; ok {
		return ""
	}
	if keep != "" {
		return keep
	}
	return resourcetype.GeneratedName(*t.NameRule, o.stack.Name, id, resourcetype.RandomSuffix(t.NameRule.Lowercase))
}

// makeResource creates a resource of the target template, or its
// replacement (replace: the statuses are UPDATE_*, the old state is kept in
// Old for cleanup or rollback).
func (o *op) makeResource(ctx context.Context, ev *template.Evaluator, id string, replace bool) error {
	decl := ev.Template().Resources[id]
	r := &Resource{StackID: o.stack.ID, LogicalID: id, Type: decl.Type}
	inProgress, complete, failed, reason := StatusCreateInProgress, StatusCreateComplete, StatusCreateFailed, ""
	if replace {
		r = o.resource(id)
		r.Old, r.Replaced = &State{}, true
		*r.Old = r.State
		inProgress, complete, failed, reason = StatusUpdateInProgress, StatusUpdateComplete, StatusUpdateFailed, reasonReplacement
	}
	props, perr := ev.Properties(id, o)
	if perr == nil {
		props = o.e.withStackTags(decl.Type, props, o.stack.Current.Tags)
	}
	del, repl, _ := ev.Policies(id)
	r.State = State{Properties: props, DeletionPolicy: del, UpdateReplacePolicy: repl,
		Name: o.generatedName(decl.Type, id, props, "")}
	if err := o.record(r, inProgress, reason, props); err != nil {
		return err
	}
	res, err := o.call(ctx, r, perr, func(p Provider, req *Request) (*Result, error) {
		req.Initiated = func(pid string) {
			o.mu.Lock()
			c := *o.res[id]
			o.mu.Unlock()
			c.PhysicalID = pid
			_ = o.record(&c, inProgress, "Resource creation Initiated", nil)
		}
		return p.Create(ctx, req)
	})
	if err != nil {
		return o.fail(ctx, r, failed, err, reasonCreationCancelled)
	}
	r = o.resource(id)
	r.PhysicalID, r.Attributes = res.PhysicalID, res.Attributes
	return o.record(r, complete, "", nil)
}

// changeResource updates a resource in place to the target template's
// properties, keeping the old state in Old for rollback.
func (o *op) changeResource(ctx context.Context, ev *template.Evaluator, id string, props map[string]any) error {
	r := o.resource(id)
	r.Old, r.Replaced = &State{}, false
	*r.Old = r.State
	del, repl, _ := ev.Policies(id)
	r.Properties, r.DeletionPolicy, r.UpdateReplacePolicy = props, del, repl
	if err := o.record(r, StatusUpdateInProgress, "", props); err != nil {
		return err
	}
	res, err := o.call(ctx, r, nil, func(p Provider, req *Request) (*Result, error) {
		req.Previous = o.request(r, *r.Old).Properties
		return p.Update(ctx, req)
	})
	if err != nil {
		return o.fail(ctx, r, StatusUpdateFailed, err, reasonUpdateCancelled)
	}
	r = o.resource(id)
	if res.PhysicalID != "" {
		r.PhysicalID = res.PhysicalID
	}
	if res.Attributes != nil {
		r.Attributes = res.Attributes
	}
	return o.record(r, StatusUpdateComplete, "", nil)
}

// call checks the resolved properties and runs fn with the type's provider.
// perr is an error resolving the properties, which fails the call.
func (o *op) call(ctx context.Context, r *Resource, perr error, fn func(Provider, *Request) (*Result, error)) (*Result, error) {
	if perr != nil {
		return nil, perr
	}
	if t := o.e.cat.Lookup(r.Type); t != nil {
		if err := t.CheckProperties(r.LogicalID, r.Properties); err != nil {
			return nil, err
		}
	}
	p, err := o.provider(r.Type)
	if err != nil {
		return nil, err
	}
	res, err := fn(p, o.request(r, r.State))
	if err == nil && res == nil {
		res = &Result{}
	}
	return res, err
}

// fail records a resource's failure; it returns an error for walk. A
// failure because walk cancelled the step (another resource failed) is
// worded as CloudFormation's cancellation; one because Run ended is not
// recorded at all (the next Run resumes the operation).
func (o *op) fail(ctx context.Context, r *Resource, status string, err error, cancelled string) error {
	if o.ctx.Err() != nil {
		return o.ctx.Err()
	}
	reason := handlerMessage(err)
	if ctx.Err() != nil {
		reason = cancelled
	}
	cur := o.resource(r.LogicalID)
	if cur == nil {
		cur = r
	}
	if rerr := o.record(cur, status, reason, nil); rerr != nil {
		return rerr
	}
	o.e.log.Warn("resource failed", "stack", o.stack.Name, "resource", r.LogicalID, "status", status, "reason", reason)
	return err
}

// handlerMessage words a provider's error as CloudFormation's resource
// status reason.
func handlerMessage(err error) string {
	var pe *resourcetype.PropertiesError
	if errors.As(err, &pe) {
		return pe.Error()
	}
	if errors.Is(err, template.ErrTemplate) || errors.Is(err, template.ErrImport) || errors.Is(err, template.ErrFormat) || errors.Is(err, ErrEmbedded) {
		if ae, ok := awserr.As(err); ok {
			return ae.Message
		}
	}
	msg, code := err.Error(), "GeneralServiceException"
	if ae, ok := awserr.As(err); ok {
		msg = ae.Message
		code = handlerCode(ae)
	}
	switch {
	case errors.Is(err, ErrNotFound):
		code = "NotFound"
	case errors.Is(err, ErrUnsupported):
		code = "InvalidRequest"
	}
	return fmt.Sprintf("Resource handler returned message: %q (RequestToken: %s, HandlerErrorCode: %s)", msg, newUUID(), code)
}

// handlerCodes maps the operations layers' error codes to the handler error
// codes CloudFormation reports.
var handlerCodes = map[string]string{
	"ResourceAlreadyExistsException": "AlreadyExists", "DuplicateTargetGroupName": "AlreadyExists",
	"DuplicateLoadBalancerName": "AlreadyExists", "DuplicateListener": "AlreadyExists",
	"PriorityInUse": "AlreadyExists", "ResourceNotFoundException": "NotFound",
	"ClusterNotFoundException": "NotFound", "ServiceNotFoundException": "NotFound",
	"TargetGroupNotFound": "NotFound", "LoadBalancerNotFound": "NotFound", "ListenerNotFound": "NotFound",
	"LimitExceededException": "ServiceLimitExceeded", "TooManyTargetGroups": "ServiceLimitExceeded",
}

func handlerCode(ae *awserr.Error) string {
	if c, ok := handlerCodes[ae.Code]; ok {
		return c
	}
	if ae.Sender {
		return "InvalidRequest"
	}
	return "GeneralServiceException"
}

// removeState deletes one physical resource of r, honouring its policy:
// Retain keeps it (DELETE_SKIPPED), RetainExceptOnCreate keeps it except
// when a creation is rolled back. It reports whether it was deleted.
func (o *op) removeState(ctx context.Context, r *Resource, st State, policy string, creating bool) (bool, error) {
	if policy == template.PolicyRetain || policy == template.PolicyRetainExceptOnCreate && !creating {
		return false, nil
	}
	if st.PhysicalID == "" && st.Name == "" {
		return true, nil
	}
	p, err := o.provider(r.Type)
	if err != nil {
		return true, nil // nothing of this type was ever made
	}
	req := o.request(r, st)
	if req.PhysicalID == "" {
		req.PhysicalID = st.Name
	}
	if err := p.Delete(ctx, req); err != nil && !errors.Is(err, ErrNotFound) {
		return false, err
	}
	return true, nil
}

// deleteResource deletes a resource with its events and drops its record.
func (o *op) deleteResource(ctx context.Context, id string, creating bool) error {
	r := o.resource(id)
	if r == nil || r.Status == StatusDeleteComplete || r.Status == StatusDeleteSkipped {
		return nil
	}
	if r.PhysicalID == "" && r.Name == "" && r.Old == nil {
		return o.forget(r, "", StatusDeleteComplete)
	}
	if err := o.record(r, StatusDeleteInProgress, "", nil); err != nil {
		return err
	}
	deleted, err := o.removeState(ctx, r, r.State, r.DeletionPolicy, creating)
	if err == nil && r.Old != nil && r.Replaced {
		_, err = o.removeState(ctx, r, *r.Old, r.Old.UpdateReplacePolicy, creating)
	}
	if err != nil {
		return o.fail(ctx, r, StatusDeleteFailed, err, "Resource deletion cancelled")
	}
	if !deleted {
		return o.forget(r, r.PhysicalID, StatusDeleteSkipped)
	}
	return o.forget(r, r.PhysicalID, StatusDeleteComplete)
}
