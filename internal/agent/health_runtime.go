package agent

import (
	"context"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// watchHealth follows a container's health check: from the runtime when it
// runs the check itself (the Docker Engine does), else by probing through
// Exec.
func (r *runner) watchHealth(ctx context.Context, c *ctr) {
	hw, ok := c.handle.(runtime.HealthWatcher)
	if !ok {
		go checkHealth(ctx, c.def.Name, *c.def.HealthCheck, c.handle, r.health)
		return
	}
	go hw.WatchHealth(ctx, func(h runtime.Health) {
		select {
		case r.health <- healthResult{container: c.def.Name, status: h.Status, output: h.Output}:
		case <-ctx.Done():
		}
	})
}

// specInputs are what a container's Spec is built with.
func (r *runner) specInputs(c *ctr) specInputs {
	return specInputs{
		metadataURI: r.a.metadataURI(c.token, r.td.Spec.NetworkMode), logRoot: r.a.opts.LogDir,
		region: r.taskRegion(), address: r.taskAddress(), secrets: r.a.secrets,
	}
}

// taskAddress is an awsvpc task's address: the one prepare gave it, or the
// one recorded (an adopted task).
func (r *runner) taskAddress() string {
	if r.address != "" {
		return r.address
	}
	t := r.current()
	return t.Address()
}

// runtimeID is a started container's runtimeId: the runtime's own id (the
// Docker container id, as ECS reports it), else its metadata token.
func runtimeID(c *ctr) string {
	if id, ok := c.handle.(runtime.Identified); ok {
		return id.RuntimeID()
	}
	return c.token
}
