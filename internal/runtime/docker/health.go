package docker

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// healthOutputLimit bounds the probe output carried in a health report.
const healthOutputLimit = 1 << 10

// healthFallbackPoll is how often a watcher re-reads the health status even
// without an event, in case one was lost while the event stream reconnected.
const healthFallbackPoll = 10 * time.Second

// healthEvents follows the engine's health_status events for this store's
// containers on one stream and wakes the watchers of the container an event
// names. The stream starts with the first watcher and reconnects when it
// breaks, waking every watcher (an event may have been missed).
type healthEvents struct {
	rt *Runtime

	mu      sync.Mutex // protects subs and started
	subs    map[string]map[chan struct{}]struct{}
	started bool
}

func newHealthEvents(r *Runtime) *healthEvents {
	return &healthEvents{rt: r, subs: map[string]map[chan struct{}]struct{}{}}
}

func (e *healthEvents) subscribe(id string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.subs[id] == nil {
		e.subs[id] = map[chan struct{}]struct{}{}
	}
	e.subs[id][ch] = struct{}{}
	if !e.started {
		e.started = true
		e.rt.goWatch(e.run)
	}
	return ch, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		delete(e.subs[id], ch)
		if len(e.subs[id]) == 0 {
			delete(e.subs, id)
		}
	}
}

// wake notifies the watchers of id, or of every container when id is "".
func (e *healthEvents) wake(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for cid, chans := range e.subs {
		if id != "" && cid != id {
			continue
		}
		for ch := range chans {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

func (e *healthEvents) run() {
	ctx := e.rt.ctx
	filters := make(client.Filters).Add("type", "container").Add("label", labelStore+"="+e.rt.storeID)
	for ctx.Err() == nil {
		res := e.rt.cli.Events(ctx, client.EventsListOptions{Filters: filters})
		e.wake("") // (re)connected: whatever happened meanwhile is read afresh
	stream:
		for {
			select {
			case m := <-res.Messages:
				if strings.HasPrefix(string(m.Action), "health_status") {
					e.wake(m.Actor.ID)
				}
			case err := <-res.Err:
				if ctx.Err() == nil {
					e.rt.log.Warn("engine event stream broke off; reconnecting", "err", err)
				}
				break stream
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-time.After(waitRetry):
		case <-ctx.Done():
		}
	}
}

// WatchHealth reports the engine's verdict on the container's health check
// each time it changes, until ctx ends or the container exits. The engine
// runs the check (Spec.HealthCheck became the container's HEALTHCHECK).
func (h *handle) WatchHealth(ctx context.Context, report func(runtime.Health)) {
	if !h.hasHealth {
		return
	}
	wake, unsubscribe := h.rt.health.subscribe(h.id)
	defer unsubscribe()
	last := ""
	poll := time.NewTicker(healthFallbackPoll)
	defer poll.Stop()
	for {
		if hl, ok := h.health(ctx); ok && hl.Status != last {
			last = hl.Status
			report(hl)
		}
		select {
		case <-ctx.Done():
			return
		case <-h.done:
			return
		case <-wake:
		case <-poll.C:
		}
	}
}

// health reads the container's health from the engine.
func (h *handle) health(ctx context.Context) (runtime.Health, bool) {
	insp, err := h.rt.cli.ContainerInspect(ctx, h.id, client.ContainerInspectOptions{})
	if err != nil || insp.Container.State == nil || insp.Container.State.Health == nil {
		return runtime.Health{}, false
	}
	return healthOf(insp.Container.State.Health), true
}

func healthOf(hl *container.Health) runtime.Health {
	out := runtime.Health{Status: runtime.HealthUnknown}
	switch hl.Status {
	case container.Healthy:
		out.Status = runtime.HealthHealthy
	case container.Unhealthy:
		out.Status = runtime.HealthUnhealthy
	}
	if n := len(hl.Log); n > 0 && hl.Log[n-1] != nil {
		last := hl.Log[n-1]
		text := strings.TrimSpace(last.Output)
		if len(text) > healthOutputLimit {
			text = text[len(text)-healthOutputLimit:]
		}
		out.Output = text
		if last.ExitCode != 0 {
			out.Output = "health check exited " + strconv.Itoa(last.ExitCode) + ": " + text
		}
	}
	return out
}
