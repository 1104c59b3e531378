package stack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/cfn/template"
)

// step carries out the part of an operation that a stack status stands
// for and returns the status that follows, with its reason.
type step func(o *op) (next, reason string, err error)

// steps maps each in-progress status to its step. The statuses form
// CloudFormation's state machine; the step for a status is idempotent over
// the stored records, which is what lets a restart resume it.
var steps = map[string]step{
	StatusCreateInProgress:              (*op).create,
	StatusRollbackInProgress:            (*op).rollbackCreate,
	StatusUpdateInProgress:              (*op).update,
	StatusUpdateCompleteCleanupProgress: (*op).cleanupUpdate,
	StatusUpdateRollbackInProgress:      (*op).rollbackUpdate,
	StatusUpdateRollbackCleanupProgress: (*op).cleanupRollback,
	StatusDeleteInProgress:              (*op).delete,
}

// failedStatus is where a step's unexpected error (the store failing) leads.
var failedStatus = map[string]string{
	StatusCreateInProgress:              StatusRollbackInProgress,
	StatusRollbackInProgress:            StatusRollbackFailed,
	StatusUpdateInProgress:              StatusUpdateRollbackInProgress,
	StatusUpdateCompleteCleanupProgress: StatusUpdateComplete,
	StatusUpdateRollbackInProgress:      StatusUpdateRollbackFailed,
	StatusUpdateRollbackCleanupProgress: StatusUpdateRollbackComplete,
	StatusDeleteInProgress:              StatusDeleteFailed,
}

// operate runs a stack's operation step by step until the stack reaches a
// status that is not in progress, or ctx ends.
func (e *Engine) operate(ctx context.Context, id string) {
	for ctx.Err() == nil {
		// Each step runs under a context of its own, which CancelUpdateStack
		// cancels.
		stepCtx, cancel := context.WithCancel(ctx)
		e.mu.Lock()
		e.cancels[id] = cancel
		e.mu.Unlock()
		done := e.step(ctx, stepCtx, id)
		cancel()
		if done {
			return
		}
	}
}

// step loads the stack and runs the step of its status, or turns a
// cancelled update into its rollback. It returns done when the stack is at
// rest or ctx ended.
func (e *Engine) step(ctx, stepCtx context.Context, id string) (done bool) {
	o, err := e.loadOp(stepCtx, id)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Error("load stack", "stack", id, "err", err)
		}
		return true
	}
	if o.stack.CancelRequested && o.stack.Status == StatusUpdateInProgress {
		err := e.update(ctx, func(t tx) error {
			s, err := t.stack(id)
			if err != nil {
				return err
			}
			return e.interrupt(t, s, reasonCancelled)
		})
		if err != nil {
			e.log.Error("cancel stack update", "stack", id, "err", err)
			return true
		}
		return false
	}
	st, ok := steps[o.stack.Status]
	if !ok {
		return true
	}
	next, reason, err := st(o)
	switch {
	case ctx.Err() != nil:
		return true
	case stepCtx.Err() != nil:
		return false // cancelled: the next load finds CancelRequested
	}
	if err != nil {
		e.log.Error("stack operation failed", "stack", o.stack.Name, "status", o.stack.Status, "err", err)
		next, reason = failedStatus[o.stack.Status], internalReason(err)
		if next == StatusRollbackInProgress && (o.stack.DisableRollback || o.stack.OnFailure == OnFailureDoNothing) {
			next = StatusCreateFailed
		}
	}
	if err := o.transition(next, reason, o.finish(next)); err != nil {
		if ctx.Err() == nil {
			e.log.Error("record stack status", "stack", o.stack.Name, "err", err)
		}
		return true
	}
	return false
}

func internalReason(err error) string {
	if ae, ok := awserr.As(err); ok {
		return ae.Message
	}
	return "Internal failure: " + err.Error()
}

// finish returns what reaching status changes in the stack record beyond it.
func (o *op) finish(status string) func(*Stack) {
	return func(s *Stack) {
		switch status {
		case StatusUpdateRollbackCleanupProgress:
			// Cleanup deletes what Previous (now the failed template) has
			// beyond Current (the template rolled back to).
			if s.Previous != nil {
				failed := s.Current
				s.Current, s.Previous = *s.Previous, &failed
			}
		case StatusUpdateComplete, StatusUpdateRollbackComplete:
			s.Previous = nil
		case StatusDeleteComplete:
			s.Deleted = o.e.now()
		}
	}
}

// create makes every resource in dependency order, then the outputs.
func (o *op) create() (string, string, error) {
	ev, err := o.evaluator(o.stack.Current)
	failStatus := StatusRollbackInProgress
	rollback := !o.stack.DisableRollback && o.stack.OnFailure != OnFailureDoNothing
	if !rollback {
		failStatus = StatusCreateFailed
	}
	if err != nil {
		return failStatus, internalReason(err), nil
	}
	g, err := ev.Graph()
	if err != nil {
		return failStatus, internalReason(err), nil
	}
	walkCtx, cancel := o.creationDeadline()
	defer cancel()
	failed := walk(walkCtx, g.CreationOrder(), g.Deps, func(ctx context.Context, id string) error {
		if r := o.resource(id); r != nil && live(r.Status) {
			return nil // made before a restart
		}
		return o.makeResource(ctx, ev, id, false)
	})
	if errors.Is(walkCtx.Err(), context.DeadlineExceeded) && o.ctx.Err() == nil {
		reason := reasonCreateTimeout
		if rollback && o.stack.ParentID == "" {
			reason += " Rollback requested by user."
		}
		return failStatus, reason, nil
	}
	if len(failed) > 0 {
		// A nested stack's rollback is not the user's request but its
		// parent's handling of the failure.
		return failStatus, failedReason("create", failed, rollback && o.stack.ParentID == ""), nil
	}
	if err := o.publish(ev); err != nil {
		return failStatus, internalReason(err), nil
	}
	return StatusCreateComplete, "", nil
}

// reasonCreateTimeout is CloudFormation's reason for a creation that
// outlived the stack's TimeoutInMinutes.
const reasonCreateTimeout = "Stack creation time exceeded the specified timeout."

// creationDeadline is the context of a creation's resources: it ends
// TimeoutInMinutes after the stack's creation started, when one is set.
// The resources then in progress are cancelled ("Resource creation
// cancelled") and the creation fails.
func (o *op) creationDeadline() (context.Context, context.CancelFunc) {
	m := o.stack.Current.TimeoutInMinutes
	if m <= 0 {
		return context.WithCancel(o.ctx)
	}
	left := o.stack.Created.Add(time.Duration(m) * time.Minute).Sub(o.e.now())
	return context.WithTimeout(o.ctx, left)
}

// rollbackCreate deletes what a failed creation made.
func (o *op) rollbackCreate() (string, string, error) {
	if failed := o.deleteAll(true); len(failed) > 0 {
		return StatusRollbackFailed, failedReason("delete", failed, false), nil
	}
	if o.stack.OnFailure == OnFailureDelete {
		return StatusDeleteInProgress, reasonUserInitiated, nil
	}
	return StatusRollbackComplete, "", nil
}

// delete deletes every resource, dependents first, unless another stack
// imports one of the stack's exports.
func (o *op) delete() (string, string, error) {
	if user, name, ok := o.exportInUse(nil); ok {
		return StatusDeleteFailed, fmt.Sprintf("Export %s cannot be deleted as it is in use by %s", name, user), nil
	}
	if failed := o.deleteAll(false); len(failed) > 0 {
		return StatusDeleteFailed, failedReason("delete", failed, false), nil
	}
	err := o.e.update(o.ctx, func(t tx) error {
		for _, out := range o.stack.Outputs {
			if x, err := t.export(out.ExportName); err == nil && x.StackID == o.stack.ID {
				if err := t.deleteExport(out.ExportName); err != nil {
					return err
				}
			}
		}
		css, err := t.changeSets(o.stack.ID)
		for _, cs := range css {
			if err := t.deleteChangeSet(cs.StackID, cs.Name); err != nil {
				return err
			}
		}
		return err
	})
	return StatusDeleteComplete, "", err
}

// deleteAll deletes the stack's resources in the reverse order of its
// template's graph and returns those that failed.
func (o *op) deleteAll(creating bool) []string {
	g := staticGraph(o.stack.Current)
	o.mu.Lock()
	ids := sortedKeys(o.res)
	o.mu.Unlock()
	return walk(o.ctx, ids, g.Dependents, func(ctx context.Context, id string) error {
		if slices.Contains(o.stack.RetainResources, id) {
			r := o.resource(id)
			return o.forget(r, r.PhysicalID, StatusDeleteSkipped)
		}
		return o.deleteResource(ctx, id, creating)
	})
}

// publish resolves the outputs and replaces the stack's exports, refusing
// an export another stack has or one that another stack imports and this
// operation drops.
func (o *op) publish(ev *template.Evaluator) error {
	outs, err := ev.Outputs(o)
	if err != nil {
		return err
	}
	var mine []Output
	names := map[string]bool{}
	for _, v := range outs {
		mine = append(mine, Output{Key: v.Key, Value: v.Value, Description: v.Description, ExportName: v.ExportName})
		if v.ExportName != "" {
			names[v.ExportName] = true
		}
	}
	if user, name, ok := o.exportInUse(names); ok {
		return validation(ErrInvalidInput, "Cannot delete export %s as it is in use by %s.", name, user)
	}
	imports := sortedKeys(o.imported)
	return o.e.update(o.ctx, func(t tx) error {
		for _, v := range mine {
			if v.ExportName == "" {
				continue
			}
			if x, err := t.export(v.ExportName); err == nil && x.StackID != o.stack.ID {
				return validation(ErrInvalidInput, "Export with name %s is already exported by stack %s", v.ExportName, stackNameOf(t, x.StackID))
			}
		}
		for _, old := range o.stack.Outputs {
			if old.ExportName != "" && !names[old.ExportName] {
				if err := t.deleteExport(old.ExportName); err != nil {
					return err
				}
			}
		}
		for _, v := range mine {
			if v.ExportName != "" {
				if err := t.putExport(Export{Name: v.ExportName, Value: v.Value, StackID: o.stack.ID}); err != nil {
					return err
				}
			}
		}
		s, err := t.stack(o.stack.ID)
		if err != nil {
			return err
		}
		s.Outputs, s.Imports = mine, imports
		o.mu.Lock()
		o.stack.Outputs, o.stack.Imports = mine, imports
		o.mu.Unlock()
		return t.putStack(s)
	})
}

// exportInUse finds an export of this stack, not in keep, that another live
// stack imports.
func (o *op) exportInUse(keep map[string]bool) (user, name string, ok bool) {
	var mine []string
	for _, out := range o.stack.Outputs {
		if out.ExportName != "" && !keep[out.ExportName] {
			mine = append(mine, out.ExportName)
		}
	}
	if len(mine) == 0 {
		return "", "", false
	}
	_ = o.e.view(o.ctx, func(t tx) error {
		stacks, err := t.stacks()
		for _, s := range stacks {
			if s.ID == o.stack.ID || s.Status == StatusDeleteComplete {
				continue
			}
			for _, imp := range s.Imports {
				if slices.Contains(mine, imp) {
					user, name, ok = s.Name, imp, true
					return nil
				}
			}
		}
		return err
	})
	return user, name, ok
}

func stackNameOf(t tx, id string) string {
	if s, err := t.stack(id); err == nil {
		return s.Name
	}
	return id
}
