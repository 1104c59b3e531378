package lblink

import (
	"context"
	"fmt"
	"slices"

	"github.com/slipway-dev/slipway/internal/lb"
)

// applyHealth replaces the mirrored health of the groups in a health frame.
// A group with no target left is forgotten.
func (c *Client) applyHealth(groups []GroupHealth) {
	c.mu.Lock()
	for _, g := range groups {
		if len(g.Targets) == 0 {
			delete(c.health, g.ARN)
		} else {
			c.health[g.ARN] = g.Targets
		}
	}
	c.bumpLocked()
	c.mu.Unlock()
	c.notifyHealth()
}

// noteApplied records the version a node acknowledged on session s.
func (c *Client) noteApplied(s *clientSession, version uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != s {
		return
	}
	c.applied = version
	c.acked = max(c.acked, version)
}

// bumpLocked wakes everyone waiting for a change of the mirror (c.mu held).
func (c *Client) bumpLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Client) notifyHealth() {
	if c.opts.OnHealthChange != nil {
		c.opts.OnHealthChange()
	}
}

// AppliedVersion is the version the node last reported applied (0 before the
// first connection).
func (c *Client) AppliedVersion() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.applied
}

// TargetHealth reports the registered and draining targets of a group as the
// node last reported them, sorted by id and port. While the node is not
// reachable it is its last report.
func (c *Client) TargetHealth(targetGroupARN string) []lb.TargetHealth {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.health[targetGroupARN])
}

// WaitDrained blocks until the draining target has finished draining, as
// lb.DataPlane.WaitDrained: nil at once for a target the node does not know,
// an lb.ErrNotDraining error for a registered one, ctx.Err() on
// cancellation, ErrClosed after Close. A node that restarted has forgotten
// its drains (their connections ended with its process): the wait ends when
// its welcome arrives.
func (c *Client) WaitDrained(ctx context.Context, tgARN, id string, port int) error {
	for {
		c.mu.Lock()
		draining, registered := false, false
		for _, th := range c.health[tgARN] {
			if th.Target.ID == id && th.Target.Port == port {
				if th.State == lb.StateDraining {
					draining = true
				} else {
					registered = true
				}
			}
		}
		changed := c.changed
		c.mu.Unlock()
		if !draining {
			if registered {
				return fmt.Errorf("%w: %s %s:%d", lb.ErrNotDraining, tgARN, id, port)
			}
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-c.closed:
			return ErrClosed
		}
	}
}
