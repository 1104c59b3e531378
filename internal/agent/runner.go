package agent

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// runner owns one task on this node: it starts or adopts its containers,
// supervises them (exits, health checks) and stops them when the task's
// desired status says so. One goroutine runs it; other goroutines only send
// it messages, so its fields need no lock except what metadata reads.
type runner struct {
	a       *Agent
	cluster string
	id      string
	td      model.TaskDefinition
	ctrs    []*ctr
	updates chan model.Task
	health  chan healthResult
	exits   chan *ctr
	done    chan struct{}

	mu   sync.Mutex // protects task, read by the metadata endpoint
	task model.Task

	healthDetail string
	// stopBegan is when the runner began stopping the task (zero before).
	stopBegan time.Time
	// address is an awsvpc task's own address (see prepare).
	address string
	// live holds the handles of started containers by name, for the
	// metadata endpoint's stats (read from other goroutines).
	live sync.Map
	// statsPrev holds each container's last /stats sample (statsMark) by
	// name, its next answer's precpu_stats.
	statsPrev sync.Map
	// logs ships the output of awslogs containers (logship.go).
	logs logShipping
}

// ctr is one container of the task.
type ctr struct {
	def    model.ContainerDefinition
	handle runtime.Handle
	token  string
	// status fields mirror model.Container; only the runner goroutine writes them.
	lastStatus string
	health     string
	exitCode   *int
	reason     string
	bindings   []model.NetworkBinding
	state      []byte
	exited     bool
}

func newRunner(a *Agent, t model.Task) *runner {
	return &runner{
		a: a, cluster: t.Internal.Cluster, id: t.Internal.ID, task: t,
		updates: make(chan model.Task, 1), health: make(chan healthResult, 8),
		exits: make(chan *ctr, 8), done: make(chan struct{}),
	}
}

// update hands the runner the latest task record, replacing one not yet read.
func (r *runner) update(t model.Task) {
	for {
		select {
		case r.updates <- t:
			return
		default:
		}
		select {
		case <-r.updates:
		default:
		}
	}
}

func (r *runner) current() model.Task {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.task
}

// taskRegion is the region the task runs in, as its ARN names it (the
// server serves several); Options.Region when the ARN names none.
func (r *runner) taskRegion() string {
	if a, ok := model.ParseARN(r.current().ARN); ok && a.Region != "" {
		return a.Region
	}
	return r.a.opts.Region
}

func (r *runner) setTask(t model.Task) {
	r.mu.Lock()
	r.task = t
	r.mu.Unlock()
}

// run is the runner's goroutine.
func (r *runner) run(ctx context.Context) {
	defer close(r.done)
	defer r.stopLogs()
	// The runner's own context ends its health checkers and exit watchers
	// when the task is done, not only when the agent closes.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := r.current()
	td, err := r.a.link.TaskDefinition(ctx, t.TaskDefinitionARN)
	if err != nil {
		if ctx.Err() == nil {
			r.finish(ctx, model.StopTaskFailedToStart, "TaskDefinition not found: "+err.Error())
		}
		return
	}
	r.td = td
	r.ctrs = make([]*ctr, 0, len(td.Spec.ContainerDefinitions))
	for _, cd := range td.Spec.ContainerDefinitions {
		c := &ctr{def: cd, lastStatus: model.TaskPending, token: metadataToken(t, cd.Name)}
		if cd.HealthCheck != nil {
			c.health = model.HealthUnknown
		}
		r.ctrs = append(r.ctrs, c)
		r.a.meta.add(c.token, r, cd.Name)
	}
	defer func() {
		for _, c := range r.ctrs {
			r.a.meta.remove(c.token)
		}
	}()
	if !r.adopt(ctx, t) {
		return
	}
	if r.wantsStop(r.current()) {
		r.stop(ctx, "", "")
		return
	}
	if !r.startAll(ctx) {
		return
	}
	r.supervise(ctx)
}

// wantsStop reports whether the task should stop now: desired STOPPED and
// no target registration left that the controller has yet to drain.
func (r *runner) wantsStop(t model.Task) bool {
	if t.DesiredStatus != model.TaskStopped {
		return false
	}
	for _, tt := range t.Internal.Targets {
		if tt.State != model.TargetDeregistered {
			return false
		}
	}
	return true
}

// adopt re-attaches to containers an earlier server started. It returns
// false when the runner is done (the task was finished here).
func (r *runner) adopt(ctx context.Context, t model.Task) bool {
	adoptedAny, goneEssential := false, (*ctr)(nil)
	for _, c := range r.ctrs {
		rec := t.Container(c.def.Name)
		if rec == nil || len(rec.RuntimeState) == 0 {
			continue
		}
		c.state, c.bindings, c.lastStatus = rec.RuntimeState, rec.NetworkBindings, rec.LastStatus
		h, err := r.a.rt.Adopt(ctx, runtime.State(rec.RuntimeState))
		var gone *runtime.GoneError
		switch {
		case errors.As(err, &gone):
			r.recordExit(c, gone.Exit)
			if c.def.IsEssential() && goneEssential == nil {
				goneEssential = c
			}
		case err != nil:
			r.recordExit(c, &runtime.ExitStatus{Reason: "could not re-attach after restart: " + err.Error()})
			if c.def.IsEssential() && goneEssential == nil {
				goneEssential = c
			}
		default:
			c.handle, c.lastStatus, c.bindings = h, model.TaskRunning, bindingsOf(h)
			adoptedAny = true
			r.watch(ctx, c)
		}
		r.shipLogs(c) // what it wrote while no server watched, and on
	}
	if adoptedAny {
		r.a.logger.Info("task adopted", "task", r.id, "cluster", r.cluster)
	}
	if goneEssential != nil {
		r.a.logger.Info("task found dead after restart", "task", r.id, "container", goneEssential.def.Name)
		r.stop(ctx, model.StopEssentialContainerExited, "Essential container in task exited")
		return false
	}
	return true
}

// watch starts the goroutines that report a container's exit and health.
func (r *runner) watch(ctx context.Context, c *ctr) {
	h := c.handle
	r.live.Store(c.def.Name, h)
	go func() {
		select {
		case <-h.Done():
			select {
			case r.exits <- c:
			case <-ctx.Done():
			}
		case <-ctx.Done():
		}
	}()
	if c.def.HealthCheck != nil {
		r.watchHealth(ctx, c)
	}
}

func (r *runner) recordExit(c *ctr, st *runtime.ExitStatus) {
	c.exited, c.lastStatus = true, model.TaskStopped
	if st != nil {
		c.exitCode, c.reason = st.ExitCode, st.Reason
	}
}

// supervise waits for container exits, health changes and desired-status
// changes until the task stops or the agent closes.
func (r *runner) supervise(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case t := <-r.updates:
			r.setTask(t)
			if r.wantsStop(t) {
				r.stop(ctx, "", "")
				return
			}
		case hr := <-r.health:
			r.applyHealth(hr)
			r.report(ctx, "", "", "")
		case c := <-r.exits:
			r.recordExit(c, exitOf(c.handle))
			if c.def.IsEssential() {
				r.a.logger.Info("essential container exited", "task", r.id, "container", c.def.Name, "reason", c.reason)
				r.stop(ctx, model.StopEssentialContainerExited, "Essential container in task exited")
				return
			}
			r.report(ctx, "", "", "")
		}
	}
}

func exitOf(h runtime.Handle) *runtime.ExitStatus {
	st := h.Exit()
	return &st
}

func (r *runner) applyHealth(hr healthResult) {
	for _, c := range r.ctrs {
		if c.def.Name == hr.container {
			c.health = hr.status
		}
	}
	if hr.status == model.HealthUnhealthy {
		r.healthDetail = hr.container + ": " + hr.output
		r.a.logger.Info("container unhealthy", "task", r.id, "container", hr.container, "output", hr.output)
	}
}

// taskHealth follows ECS: UNHEALTHY if an essential container is unhealthy,
// HEALTHY if every essential container with a health check is healthy
// (and there is at least one), else UNKNOWN.
func (r *runner) taskHealth() string {
	checked, healthy := 0, 0
	for _, c := range r.ctrs {
		if !c.def.IsEssential() || c.def.HealthCheck == nil {
			continue
		}
		checked++
		switch c.health {
		case model.HealthUnhealthy:
			return model.HealthUnhealthy
		case model.HealthHealthy:
			healthy++
		}
	}
	if checked > 0 && healthy == checked {
		return model.HealthHealthy
	}
	return model.HealthUnknown
}

// report sends the runner's view of the task. status "" keeps the current
// status; code and reason are set when the agent itself ends the task.
func (r *runner) report(ctx context.Context, status, code, reason string) {
	r.send(ctx, r.newReport(status, code, reason))
}

// newReport is the runner's view of the task now (see report).
func (r *runner) newReport(status, code, reason string) TaskReport {
	rep := TaskReport{
		Cluster: r.cluster, TaskID: r.id, LastStatus: status, HealthStatus: r.taskHealth(),
		At: time.Now(), StopCode: code, StoppedReason: reason, HealthDetail: r.healthDetail,
		StoppingAt: r.stopBegan,
	}
	for _, c := range r.ctrs {
		cr := ContainerReport{
			Name: c.def.Name, LastStatus: c.lastStatus, ExitCode: c.exitCode, Reason: c.reason,
			HealthStatus: c.health, NetworkBindings: c.bindings, RuntimeState: c.state,
		}
		if c.handle != nil {
			cr.RuntimeID = runtimeID(c)
		}
		rep.Containers = append(rep.Containers, cr)
	}
	if code != "" {
		rep.LogTail = r.failureTail()
	}
	return rep
}

// send sends rep, trying again a few times while the store fails.
func (r *runner) send(ctx context.Context, rep TaskReport) {
	for attempt := 0; ; attempt++ {
		err := r.a.link.Report(ctx, rep)
		if err == nil || ctx.Err() != nil || attempt == 4 {
			if err != nil && ctx.Err() == nil {
				r.a.logger.Error("task report failed", "task", r.id, "err", err)
			}
			return
		}
		select {
		case <-time.After(time.Duration(50<<attempt) * time.Millisecond):
		case <-ctx.Done():
			return
		}
	}
}

// failureTail is the log tail of the first exited essential container, or
// of any exited container.
func (r *runner) failureTail() string {
	var pick *ctr
	for _, c := range r.ctrs {
		if c.exited && c.handle != nil && (pick == nil || c.def.IsEssential() && !pick.def.IsEssential()) {
			pick = c
		}
	}
	if pick == nil {
		return ""
	}
	if lt, ok := pick.handle.(runtime.LogTailer); ok {
		ctx, cancel := context.WithTimeout(r.a.ctx, 5*time.Second)
		defer cancel()
		return lt.LogTail(ctx, 20)
	}
	out, errOut := pick.handle.LogPaths()
	return logTail(out, errOut, 20)
}

// metadataToken names a container in its metadata URI. It is the container
// ARN's random id, so it survives an agent restart and the URI a running
// container was given keeps working after adoption.
func metadataToken(t model.Task, container string) string {
	if c := t.Container(container); c != nil {
		if i := strings.LastIndex(c.ContainerARN, "/"); i >= 0 {
			return c.ContainerARN[i+1:]
		}
	}
	return model.NewID()
}
