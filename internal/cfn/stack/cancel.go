package stack

import (
	"context"
	"slices"
)

// CancelUpdateStack cancels an update in progress: the resources being
// changed are cancelled ("Resource update cancelled") and the stack rolls
// back, as UPDATE_ROLLBACK_IN_PROGRESS "Stack update cancelled".
func (e *Engine) CancelUpdateStack(ctx context.Context, name string) error {
	var id string
	err := e.update(ctx, func(t tx) error {
		s, err := t.stackByName(name)
		if err != nil {
			return stackNotFound(name)
		}
		if err := refuseNested(t, s, "cancelled"); err != nil {
			return err
		}
		if s.Status != StatusUpdateInProgress {
			return validation(ErrStackBusy, "CancelUpdateStack cannot be called from current stack status")
		}
		s.CancelRequested, id = true, s.ID
		return t.putStack(s)
	})
	if err != nil {
		return err
	}
	e.mu.Lock()
	cancel := e.cancels[id]
	e.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	e.enqueue(id)
	return nil
}

// ContinueUpdateRollback resumes a rollback that failed
// (UPDATE_ROLLBACK_FAILED). The resources in skip are not rolled back: they
// are taken as they are, marked UPDATE_COMPLETE, as CloudFormation's
// ResourcesToSkip.
// A nested stack's rollback is continued through its root's.
func (e *Engine) ContinueUpdateRollback(ctx context.Context, name string, skip []string) error {
	return e.continueUpdateRollback(ctx, name, skip, false)
}

// continueUpdateRollback is ContinueUpdateRollback; nested allows it on a
// nested stack (its parent's rollback does it).
func (e *Engine) continueUpdateRollback(ctx context.Context, name string, skip []string, nested bool) error {
	var id string
	err := e.update(ctx, func(t tx) error {
		s, err := t.stackByName(name)
		if err != nil {
			return stackNotFound(name)
		}
		if !nested {
			if err := refuseNested(t, s, "rolled back"); err != nil {
				return err
			}
		}
		if s.Status != StatusUpdateRollbackFailed {
			return validation(ErrStackBusy, "Stack %s is in %s state and can not continue update rollback.", s.ID, s.Status)
		}
		rs, err := t.resources(s.ID)
		if err != nil {
			return err
		}
		for i := range rs {
			r := &rs[i]
			if !slices.Contains(skip, r.LogicalID) || r.Old == nil {
				continue
			}
			if !r.Replaced {
				r.Old = nil
			}
			r.Status, r.StatusReason, r.Updated = StatusUpdateComplete, "", e.now()
			r.RolledBack = r.Replaced
			if err := t.putResource(r); err != nil {
				return err
			}
			if err := t.addEvent(e.newEvent(s, r.LogicalID, r.PhysicalID, r.Type, StatusUpdateComplete, "")); err != nil {
				return err
			}
		}
		e.claim(s.ID)
		s.Status, s.StatusReason = StatusUpdateRollbackInProgress, reasonUserInitiated
		id = s.ID
		if err := t.putStack(s); err != nil {
			return err
		}
		return t.addEvent(e.stackEvent(s))
	})
	if err == nil {
		e.enqueue(id)
	}
	return err
}
