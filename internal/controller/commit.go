package controller

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/slipway-dev/slipway/internal/state"
)

// errConflict means the store changed under a planned pass: something it
// read and would change was written meanwhile. Nothing is written; that
// write woke the controller, whose next pass plans afresh.
var errConflict = errors.New("controller: planned pass conflicts with a newer write")

// errNeedsWrite stops a pass planned in a read transaction that must
// allocate from the store (a rollback's deployment number); it is planned
// again in a write transaction.
var errNeedsWrite = errors.New("controller: pass needs a write transaction")

// reconcileService runs one pass over a service and then starts the drain
// waiters for targets it deregistered. The pass reads the service and every
// task of its cluster (5,000 and more) in a read transaction, which never
// holds up writers, and writes what it changed, at most
// maxTaskWritesPerPass tasks and the service, in a short write transaction
// that first checks that none of it changed meanwhile (optimistic
// concurrency: agents' reports and API calls change records all the time,
// but rarely the few a pass changes in the milliseconds between).
func (c *Controller) reconcileService(ctx context.Context, ref serviceRef) error {
	var p *pass
	err := c.st.View(ctx, func(tx state.Tx) error {
		var err error
		if p, err = c.newPass(tx, ref, false); err != nil {
			return err
		}
		return p.run()
	})
	switch {
	case err == nil:
		err = c.st.Update(ctx, func(tx state.Tx) error { return p.commit(tx) })
	case errors.Is(err, errNeedsWrite):
		err = c.st.Update(ctx, func(tx state.Tx) error {
			var err error
			if p, err = c.newPass(tx, ref, true); err != nil {
				return err
			}
			if err := p.run(); err != nil {
				return err
			}
			return p.commit(tx)
		})
	}
	if errors.Is(err, errConflict) || errors.Is(err, state.ErrServiceNotFound) || errors.Is(err, state.ErrClusterNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("service %s/%s: %w", ref.cluster, ref.name, err)
	}
	for _, d := range p.drains {
		c.startDrain(d)
	}
	for _, a := range p.acks {
		c.startAck(a)
	}
	for _, h := range p.hooks {
		c.startHook(h)
	}
	return nil
}

// commit writes the pass's changes in tx: the tasks it changed or created,
// its deferred target (de)registrations and the service, unless they are
// unchanged. A pass planned in a read transaction first checks that the
// service and the tasks it changed are as it read them, and that no task
// was placed in the cluster meanwhile when it placed some; otherwise it
// fails with errConflict and writes nothing. commit does not change p, so
// it can run again if the store retries the transaction.
func (p *pass) commit(tx state.Tx) error {
	after, err := json.Marshal(p.svc)
	if err != nil {
		return err
	}
	svcChanged := !bytes.Equal(after, p.before)
	if len(p.changed) == 0 && len(p.writes) == 0 && !svcChanged {
		return nil // an unchanged pass writes nothing, so it wakes nobody
	}
	if !p.writeMode {
		if err := p.check(tx); err != nil {
			return err
		}
	}
	for _, w := range p.writes {
		if err := w(tx); err != nil {
			return err
		}
	}
	for i := range p.tasks {
		if p.changed[i] {
			if err := tx.PutTask(p.tasks[i]); err != nil {
				return err
			}
		}
	}
	if p.placed {
		if err := tx.BumpPlacementVersion(p.cluster.Name); err != nil {
			return err
		}
	}
	if !svcChanged {
		return nil
	}
	return tx.PutService(p.cluster.Name, *p.svc)
}

// check verifies that what the pass read and changes is still current.
func (p *pass) check(tx state.Tx) error {
	svc, err := tx.Service(p.cluster.Name, p.svc.Name)
	if err != nil {
		return err
	}
	if svc.Internal.Revision != p.svc.Internal.Revision {
		return errConflict
	}
	for i := range p.tasks[:p.read] {
		if !p.changed[i] {
			continue
		}
		t, err := tx.Task(p.cluster.Name, p.tasks[i].Internal.ID)
		if errors.Is(err, state.ErrTaskNotFound) {
			return errConflict
		}
		if err != nil {
			return err
		}
		if t.Version != p.tasks[i].Version {
			return errConflict
		}
	}
	if p.placed {
		v, err := tx.PlacementVersion(p.cluster.Name)
		if err != nil {
			return err
		}
		if v != p.placements {
			return errConflict
		}
	}
	return nil
}

// write runs w now in writeMode, else defers it to commit.
func (p *pass) write(w func(state.Tx) error) error {
	if p.writeMode {
		return w(p.tx)
	}
	p.writes = append(p.writes, w)
	return nil
}
