package controller

import (
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/state"
)

// ackRetry is how long an acknowledgement waiter waits before asking the
// data planes again after a failed sync (one was restarting).
const ackRetry = 250 * time.Millisecond

// startAck runs an acknowledgement waiter for a weight change unless one
// already runs: once every data plane has applied routing that contains
// the change, the deployment records it as acknowledged, and its bake time
// starts. A restarted controller starts it again from the stored state.
func (c *Controller) startAck(job ackJob) {
	key := fmt.Sprintf("%s/%s/%s/%d", job.cluster, job.service, job.deployment, job.generation)
	c.mu.Lock()
	if c.acking[key] {
		c.mu.Unlock()
		return
	}
	c.acking[key] = true
	c.mu.Unlock()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer func() {
			c.mu.Lock()
			delete(c.acking, key)
			c.mu.Unlock()
		}()
		if err := c.ack(job); err != nil && c.ctx.Err() == nil {
			c.logger.Error("recording a traffic acknowledgement failed", "deployment", job.deployment, "err", err)
		}
	}()
}

func (c *Controller) ack(job ackJob) error {
	start := time.Now()
	for {
		// Sync compiles the store as it is now, after the commit that
		// wrote the weights, and returns once every plane applied it.
		_, err := c.lb.Sync(c.ctx)
		if err == nil {
			break
		}
		if c.ctx.Err() != nil {
			return c.ctx.Err()
		}
		c.logger.Warn("traffic weights not acknowledged yet; retrying", "deployment", job.deployment, "err", err)
		select {
		case <-c.ctx.Done():
			return c.ctx.Err()
		case <-time.After(ackRetry):
		}
	}
	latency := time.Since(start)
	return c.st.Update(c.ctx, func(tx state.Tx) error {
		svc, err := tx.Service(job.cluster, job.service)
		if err != nil {
			return nil // the service is gone
		}
		d := svc.Deployment(job.deployment)
		if d == nil || d.Internal.Traffic == nil || d.Internal.Traffic.Generation != job.generation || d.Internal.Traffic.Acked {
			return nil // superseded by a later change, or recorded already
		}
		tr := d.Internal.Traffic
		tr.Acked, tr.AckedAt = true, c.st.NowTime()
		c.logger.Info("traffic weights acknowledged", "service", job.service, "deployment", job.deployment,
			"green_percent", tr.GreenPercent, "test_to_green", tr.TestToGreen, "latency", latency)
		return tx.PutService(job.cluster, svc)
	})
}
