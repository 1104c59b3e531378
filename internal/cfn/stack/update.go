package stack

import (
	"context"
	"fmt"
	"slices"

	"github.com/slipway-dev/slipway/internal/cfn/resourcetype"
	"github.com/slipway-dev/slipway/internal/cfn/template"
)

// update brings every resource to the new template in dependency order:
// new ones are made, changed ones updated in place or replaced as their
// changed properties' update behaviour says. What is removed or replaced is
// deleted only at cleanup, once everything else succeeded.
func (o *op) update() (string, string, error) {
	ev, err := o.evaluator(o.stack.Current)
	if err != nil {
		return StatusUpdateRollbackInProgress, internalReason(err), nil
	}
	g, err := ev.Graph()
	if err != nil {
		return StatusUpdateRollbackInProgress, internalReason(err), nil
	}
	created := map[string]bool{}
	failed := walk(o.ctx, g.CreationOrder(), g.Deps, func(ctx context.Context, id string) error {
		r := o.resource(id)
		if r == nil || !live(r.Status) {
			o.mu.Lock()
			created[id] = true
			o.mu.Unlock()
			return o.makeResource(ctx, ev, id, false)
		}
		return o.updateResource(ctx, ev, id)
	})
	if len(failed) > 0 {
		verb := "update"
		if created[failed[0]] {
			verb = "create"
		}
		return StatusUpdateRollbackInProgress, failedReason(verb, failed, false), nil
	}
	if err := o.publish(ev); err != nil {
		return StatusUpdateRollbackInProgress, internalReason(err), nil
	}
	return StatusUpdateCompleteCleanupProgress, "", nil
}

// updateResource applies the new template to an existing resource.
func (o *op) updateResource(ctx context.Context, ev *template.Evaluator, id string) error {
	r := o.resource(id)
	if r.Old != nil {
		return nil // done before a restart
	}
	props, err := ev.Properties(id, o)
	if err != nil {
		return o.fail(ctx, r, StatusUpdateFailed, err, reasonUpdateCancelled)
	}
	props = o.e.withStackTags(r.Type, props, o.stack.Current.Tags)
	diffs := template.DiffProperties(r.Properties, props)
	if len(diffs) == 0 && o.e.cat.Lookup(r.Type).Kind == resourcetype.Nested {
		// CloudFormation updates every nested stack with its parent: the
		// template at an unchanged TemplateURL may have changed.
		return o.changeResource(ctx, ev, id, props)
	}
	if len(diffs) == 0 {
		del, repl, _ := ev.Policies(id)
		if del != r.DeletionPolicy || repl != r.UpdateReplacePolicy {
			r.DeletionPolicy, r.UpdateReplacePolicy = del, repl
			return o.note(r, "", "")
		}
		return nil
	}
	if !o.requiresReplacement(r.Type, diffs) {
		return o.changeResource(ctx, ev, id, props)
	}
	shared, _ := o.e.providers[r.Type].(SharedNames)
	if name := customName(o.e.cat.Lookup(r.Type), props); name != "" && name == customName(o.e.cat.Lookup(r.Type), r.Properties) &&
		(shared == nil || !shared.NamesShared()) {
		reason := fmt.Sprintf("CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename %s and update the stack again.", name)
		if err := o.record(r, StatusUpdateFailed, reason, nil); err != nil {
			return err
		}
		o.e.log.Warn("resource failed", "stack", o.stack.Name, "resource", r.LogicalID, "status", StatusUpdateFailed, "reason", reason)
		return fmt.Errorf("%w: %s", ErrUnsupported, reason)
	}
	return o.makeResource(ctx, ev, id, true)
}

// requiresReplacement applies the update behaviour of the changed
// properties: Conditional ones replace unless the provider says otherwise.
func (o *op) requiresReplacement(typ string, diffs []template.PropertyDiff) bool {
	t := o.e.cat.Lookup(typ)
	decider, _ := o.e.providers[typ].(ReplacementDecider)
	for _, d := range diffs {
		switch t.UpdateOf(d.Property) {
		case resourcetype.Replacement:
			return true
		case resourcetype.Conditional:
			if decider == nil || decider.RequiresReplacement(d.Property, d.Before, d.After) {
				return true
			}
		}
	}
	return false
}

// customName is the name a template gives a resource of a named type.
func customName(t *resourcetype.Type, props map[string]any) string {
	if t == nil || t.NameRule == nil {
		return ""
	}
	s, _ := props[t.NameRule.Property].(string)
	return s
}

// rollbackUpdate brings back what the failed update changed: a replaced
// resource gets its old physical resource back (the new one is deleted at
// cleanup), one updated in place is updated back to its old properties.
func (o *op) rollbackUpdate() (string, string, error) {
	if o.stack.Previous == nil {
		return StatusUpdateRollbackFailed, "Internal failure: no previous template to roll back to", nil
	}
	g := staticGraph(*o.stack.Previous)
	var ids []string
	o.mu.Lock()
	for id, r := range o.res {
		if r.Old != nil && !r.RolledBack {
			ids = append(ids, id)
		}
	}
	o.mu.Unlock()
	slices.Sort(ids)
	failed := walk(o.ctx, ids, g.Deps, func(ctx context.Context, id string) error { return o.revert(ctx, id) })
	if len(failed) > 0 {
		return StatusUpdateRollbackFailed, failedReason("update", failed, false), nil
	}
	return StatusUpdateRollbackCleanupProgress, "", nil
}

// revert rolls one resource back.
func (o *op) revert(ctx context.Context, id string) error {
	r := o.resource(id)
	if err := o.record(r, StatusUpdateInProgress, "", nil); err != nil {
		return err
	}
	if r.Replaced {
		newer := r.State
		r.State = *r.Old
		r.Old, r.Replaced = nil, false
		if newer.PhysicalID != "" || newer.Name != "" {
			r.Old, r.Replaced, r.RolledBack = &newer, true, true
		}
		return o.record(r, StatusUpdateComplete, "", nil)
	}
	target := *r.Old
	p, err := o.provider(r.Type)
	var res *Result
	if err == nil {
		req := o.request(r, target)
		req.PhysicalID, req.Rollback = r.PhysicalID, true
		req.Previous = o.request(r, r.State).Properties
		res, err = p.Update(ctx, req)
	}
	if err != nil {
		return o.fail(ctx, r, StatusUpdateFailed, err, reasonUpdateCancelled)
	}
	r.State, r.Old = target, nil
	if res != nil && res.Attributes != nil {
		r.Attributes = res.Attributes
	}
	return o.record(r, StatusUpdateComplete, "", nil)
}

// cleanupUpdate deletes what the update replaced or removed.
func (o *op) cleanupUpdate() (string, string, error) {
	o.cleanup(false)
	return StatusUpdateComplete, "", nil
}

// cleanupRollback deletes what the rolled-back update made, then restores
// the outputs of the template rolled back to.
func (o *op) cleanupRollback() (string, string, error) {
	o.cleanup(true)
	if ev, err := o.evaluator(o.stack.Current); err == nil {
		_ = o.publish(ev)
	}
	return StatusUpdateRollbackComplete, "", nil
}

// cleanup deletes the physical resources that the stack's Current template
// no longer has: resources it does not declare (or whose condition is now
// false) and the other side of each replacement. Failures here do not fail
// the stack, as in CloudFormation (the resources are left behind, with
// their events).
func (o *op) cleanup(rollback bool) {
	active := map[string]bool{}
	if ev, err := o.evaluator(o.stack.Current); err == nil {
		for _, id := range ev.ActiveResources() {
			active[id] = true
		}
	}
	deps := staticGraph(o.stack.Current).Dependents
	if o.stack.Previous != nil {
		for k, v := range staticGraph(*o.stack.Previous).Dependents {
			deps[k] = append(deps[k], v...)
		}
	}
	var ids []string
	o.mu.Lock()
	for id := range o.res {
		ids = append(ids, id)
	}
	o.mu.Unlock()
	slices.Sort(ids)
	walk(o.ctx, ids, deps, func(ctx context.Context, id string) error {
		r := o.resource(id)
		switch {
		case !active[id]:
			return o.deleteResource(ctx, id, rollback)
		case r.Old != nil && r.Replaced:
			return o.dropReplaced(ctx, r, rollback)
		case r.Old != nil:
			r.Old = nil
			return o.note(r, "", "")
		}
		return nil
	})
}

// dropReplaced deletes the physical resource a replacement left behind.
// After an update, UpdateReplacePolicy applies to the old one; after a
// rollback the new one is always deleted.
func (o *op) dropReplaced(ctx context.Context, r *Resource, rollback bool) error {
	old := *r.Old
	policy := r.UpdateReplacePolicy
	if rollback {
		policy = template.PolicyDelete
	}
	if err := o.note(r, old.PhysicalID, StatusDeleteInProgress); err != nil {
		return err
	}
	deleted, err := o.removeState(ctx, r, old, policy, false)
	if err != nil {
		r.StatusReason = handlerMessage(err)
		_ = o.note(r, old.PhysicalID, StatusDeleteFailed)
		return err
	}
	r.Old, r.Replaced, r.RolledBack = nil, false, false
	status := StatusDeleteComplete
	if !deleted {
		status = StatusDeleteSkipped
	}
	return o.note(r, old.PhysicalID, status)
}
