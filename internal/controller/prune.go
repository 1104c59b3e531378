package controller

import (
	"context"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// pruneInterval spaces the scans for old tasks: retention is an hour, so
// a scan per pass (up to 100 a second under write load) would only decode
// every task again for nothing.
const pruneInterval = time.Minute

// prune deletes tasks that have been STOPPED for longer than the retention,
// as ECS stops showing them after about an hour. It scans at most once per
// pruneInterval.
func (c *Controller) prune(ctx context.Context) error {
	now := c.now()
	c.mu.Lock()
	due := now.Sub(c.lastPrune) >= pruneInterval
	if due {
		c.lastPrune = now
	}
	c.mu.Unlock()
	if !due {
		return nil
	}
	cutoff := now.Add(-c.opts.StoppedTaskRetention)
	var old []model.Task
	err := c.st.View(ctx, func(tx state.Tx) error {
		tasks, err := tx.AllTasks()
		for _, t := range tasks {
			if t.LastStatus == model.TaskStopped && t.StoppedAt != nil && t.StoppedAt.Before(cutoff) {
				old = append(old, t)
			}
		}
		return err
	})
	if err != nil || len(old) == 0 {
		return err
	}
	return c.st.Update(ctx, func(tx state.Tx) error {
		for _, t := range old {
			if err := tx.DeleteTask(t.Internal.Cluster, t.Internal.ID); err != nil {
				return err
			}
			if err := tx.PutTags(t.ARN, nil); err != nil {
				return err
			}
		}
		return nil
	})
}
