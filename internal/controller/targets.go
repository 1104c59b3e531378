package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// drainTimeout bounds how long the controller waits for one task's drain
// beyond the target group's deregistration delay (the data plane ends a
// drain at the delay; this only guards against a data plane that is gone).
const drainTimeout = 15 * time.Minute

// drainJob is a task whose targets were deregistered and must drain before
// the agent may stop it.
type drainJob struct {
	cluster, service, taskID string
	targets                  []model.TaskTarget
}

// registerTargets registers the host ports of RUNNING tasks that want to run
// in the service's target groups, as ECS does once a task is RUNNING: one
// RegisterTargets per target group for the tasks the pass's budget covers.
func (p *pass) registerTargets() error {
	if p.svc.Status != model.ServiceActive {
		return nil
	}
	added := map[string][]model.TargetDescription{}
	var order []string // target groups in the order first added, for stable events
	for i := range p.tasks {
		t := &p.tasks[i]
		lbs := p.loadBalancersOf(t)
		if len(lbs) == 0 || !alive(t) || t.LastStatus != model.TaskRunning || len(t.Internal.Targets) > 0 {
			continue
		}
		td, err := p.taskDefinition(t.TaskDefinitionARN)
		if err != nil {
			return err
		}
		if !p.reserve(i) {
			break
		}
		for _, l := range lbs {
			tg := p.groupFor(t.Internal.DeploymentID, l)
			tt, err := p.targetFor(t, l, tg)
			if err != nil {
				return err
			}
			if len(added[tg]) == 0 {
				order = append(order, tg)
			}
			added[tg] = append(added[tg], model.TargetDescription{ID: tt.TargetID, Port: tt.Port, Revision: td.Name()})
			t.Internal.Targets = append(t.Internal.Targets, tt)
		}
	}
	for _, tg := range order {
		descs := added[tg]
		err := p.write(func(tx state.Tx) error {
			if err := tx.RegisterTargets(tg, descs); err != nil {
				return fmt.Errorf("register %d targets in %s: %w", len(descs), tg, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		addEvent(p.svc, p.now, "registered %d targets in (target-group %s)", len(descs), tg)
	}
	return nil
}

// groupFor is the target group of l's pair that a task of the deployment
// registers in: a traffic-shifting deployment's green group, otherwise the
// live one (a rolling update replaces tasks where the traffic is).
func (p *pass) groupFor(deployment string, l model.LoadBalancer) string {
	if d := p.svc.Deployment(deployment); d != nil && d.Internal.Traffic != nil {
		if tg, ok := d.Internal.Traffic.GreenTargetGroups[l.TargetGroupARN]; ok {
			return tg
		}
	}
	return p.svc.LiveTargetGroup(l)
}

// targetFor is the target a task's container port is registered as: an
// awsvpc task by its own address and the container port, as ECS registers
// it in ip target groups; other tasks by their host port, under the node's
// instance id for instance target groups and 127.0.0.1 for ip ones.
func (p *pass) targetFor(t *model.Task, l model.LoadBalancer, tgARN string) (model.TaskTarget, error) {
	tg, ok := p.groups[tgARN]
	if !ok {
		var err error
		if tg, err = p.tx.TargetGroup(tgARN); err != nil {
			return model.TaskTarget{}, err
		}
		p.groups[tgARN] = tg
	}
	id, port := p.ec2IDs[t.ContainerInstanceARN], t.HostPort(l.ContainerName, l.ContainerPort)
	if tg.TargetType == model.TargetTypeIP || id == "" {
		id = model.LocalHost
	}
	if addr := t.Address(); addr != "" {
		id, port = addr, l.ContainerPort
	}
	return model.TaskTarget{
		TargetGroupARN: tgARN, ContainerName: l.ContainerName, ContainerPort: l.ContainerPort,
		TargetID: id, Port: port, State: model.TargetRegistered,
	}, nil
}

// deregisterStopping deregisters the targets of tasks that are to stop and
// moves them to DEACTIVATING, as many tasks as the pass's budget allows; the
// agent stops a task only once its targets are all deregistered, which the
// drain waiter records.
func (p *pass) deregisterStopping() error {
	removed := map[string]int{}
	draining := 0
	for i := range p.tasks {
		t := &p.tasks[i]
		if t.DesiredStatus != model.TaskStopped {
			continue
		}
		job := drainJob{cluster: p.cluster.Name, service: p.svc.Name, taskID: t.Internal.ID}
		deregister := findTargetAny(t) != nil && p.reserve(i)
		for j := range t.Internal.Targets {
			tt := &t.Internal.Targets[j]
			switch tt.State {
			case model.TargetRegistered:
				if !deregister {
					continue // the budget is spent: the next pass does it
				}
				tg, desc := tt.TargetGroupARN, model.TargetDescription{ID: tt.TargetID, Port: tt.Port}
				err := p.write(func(tx state.Tx) error {
					if err := tx.DeregisterTargets(tg, []model.TargetDescription{desc}); err != nil && !errors.Is(err, state.ErrTargetGroupNotFound) {
						return err
					}
					return nil
				})
				if err != nil {
					return err
				}
				tt.State = model.TargetDraining
				removed[tt.TargetGroupARN]++
				job.targets = append(job.targets, *tt)
			case model.TargetDraining:
				job.targets = append(job.targets, *tt) // resumed after a restart
			}
		}
		if len(job.targets) == 0 {
			continue
		}
		if p.changed[i] && model.TaskStatusRank(t.LastStatus) < model.TaskStatusRank(model.TaskDeactivating) {
			t.LastStatus = model.TaskDeactivating
			draining++
		}
		p.drains = append(p.drains, job)
	}
	for tg, n := range removed {
		addEvent(p.svc, p.now, "deregistered %d targets in (target-group %s)", n, tg)
	}
	if draining > 0 {
		addEvent(p.svc, p.now, "has begun draining connections on %d tasks.", draining)
	}
	return nil
}

// startDrain runs a drain waiter for a task unless one already runs: first
// every data plane acknowledges the routing without the targets, then each
// target drains; then the targets are recorded as deregistered so the agent
// may stop the task.
func (c *Controller) startDrain(job drainJob) {
	key := job.cluster + "/" + job.taskID
	c.mu.Lock()
	if c.draining[key] {
		c.mu.Unlock()
		return
	}
	c.draining[key] = true
	c.mu.Unlock()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer func() {
			c.mu.Lock()
			delete(c.draining, key)
			c.mu.Unlock()
		}()
		if err := c.drain(job); err != nil && c.ctx.Err() == nil {
			c.logger.Error("drain failed", "task", job.taskID, "err", err)
		}
	}()
}

func (c *Controller) drain(job drainJob) error {
	ctx, cancel := context.WithTimeout(c.ctx, drainTimeout)
	defer cancel()
	if c.lb != nil {
		if _, err := c.lb.Sync(ctx); err != nil {
			return fmt.Errorf("routing not acknowledged: %w", err)
		}
		for _, tt := range job.targets {
			if err := c.lb.WaitDrained(ctx, tt.TargetGroupARN, tt.TargetID, tt.Port); err != nil && c.ctx.Err() != nil {
				return err
			}
		}
	}
	return c.st.Update(c.ctx, func(tx state.Tx) error {
		t, err := tx.Task(job.cluster, job.taskID)
		if err != nil {
			return err
		}
		finished := false
		for i := range t.Internal.Targets {
			if t.Internal.Targets[i].State == model.TargetDraining {
				t.Internal.Targets[i].State = model.TargetDeregistered
				finished = true
			}
		}
		if !finished {
			return nil // another waiter (resumed by a concurrent pass) recorded it
		}
		if err := tx.PutTask(t); err != nil {
			return err
		}
		svc, err := tx.Service(job.cluster, job.service)
		if err != nil {
			return nil // the service is gone; the task still stops
		}
		eventStopped(&svc, c.now(), []string{job.taskID})
		return tx.PutService(job.cluster, svc)
	})
}
