package stack

import (
	"context"
)

// resume finds the operations a previous process left in progress. A
// creation or update that was making resources cannot know what a call cut
// short did, so it fails as CloudFormation fails a timed-out operation: the
// resources in progress are marked failed and the stack rolls back. Rollbacks,
// cleanups and deletions are idempotent and simply go on.
func (e *Engine) resume(ctx context.Context) error {
	var ids []string
	err := e.update(ctx, func(t tx) error {
		ids = ids[:0]
		stacks, err := t.stacks()
		if err != nil {
			return err
		}
		for i := range stacks {
			s := &stacks[i]
			if e.isClaimed(s.ID) {
				continue
			}
			if err := e.interrupt(t, s, reasonRestarted); err != nil {
				return err
			}
			if _, ok := steps[s.Status]; ok {
				ids = append(ids, s.ID)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		e.log.Info("resuming stack operation", "stack", id)
		e.enqueue(id)
	}
	return nil
}

// interrupt turns a creation or update cut short into its rollback, with
// reason as the stack's status reason.
func (e *Engine) interrupt(t tx, s *Stack, reason string) error {
	var next string
	switch s.Status {
	case StatusCreateInProgress:
		next = StatusRollbackInProgress
		if s.DisableRollback || s.OnFailure == OnFailureDoNothing {
			next = StatusCreateFailed
		}
	case StatusUpdateInProgress:
		next = StatusUpdateRollbackInProgress
	default:
		return nil
	}
	rs, err := t.resources(s.ID)
	if err != nil {
		return err
	}
	for i := range rs {
		r := &rs[i]
		var status, reason string
		switch r.Status {
		case StatusCreateInProgress:
			status, reason = StatusCreateFailed, reasonCreationCancelled
		case StatusUpdateInProgress:
			status, reason = StatusUpdateFailed, reasonUpdateCancelled
		default:
			continue
		}
		r.Status, r.StatusReason, r.Updated = status, reason, e.now()
		if err := t.putResource(r); err != nil {
			return err
		}
		if err := t.addEvent(e.newEvent(s, r.LogicalID, r.PhysicalID, r.Type, status, reason)); err != nil {
			return err
		}
	}
	s.Status, s.StatusReason, s.CancelRequested = next, reason, false
	if err := t.putStack(s); err != nil {
		return err
	}
	return t.addEvent(e.stackEvent(s))
}
