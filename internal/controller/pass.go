package controller

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// pass is one reconcile of one service. It is planned in a read
// transaction (see reconcileService) and its changes are committed in a
// short write transaction. Its fields are the records it read and the
// changes it makes; nothing outlives it but the drain jobs it hands back.
type pass struct {
	c       *Controller
	tx      state.Tx // the transaction the pass reads (and, in writeMode, writes) through
	now     time.Time
	cluster model.Cluster
	svc     *model.Service
	tasks   []model.Task
	read    int // tasks[:read] were read from the store, the rest are new
	changed map[int]bool
	budget  int          // task writes left (see maxTaskWritesPerPass)
	all     []model.Task // every task of the cluster, for placement
	nodes   []model.ContainerInstance
	// placements is the cluster's placement version as read; placed is
	// set when the pass placed tasks.
	placements uint64
	placed     bool
	// writeMode is set when the pass runs in its write transaction (a
	// rollback needs a deployment number); otherwise writes are deferred
	// to commit.
	writeMode bool
	writes    []func(state.Tx) error // deferred target (de)registrations
	before    []byte                 // the service record as read, to skip writing it unchanged
	defs      map[string]model.TaskDefinition
	groups    map[string]model.TargetGroup
	health    map[string]map[string]lb.TargetHealth // target group -> "id:port"
	ec2IDs    map[string]string                     // container instance ARN -> EC2 instance id
	drains    []drainJob
	acks      []ackJob  // weight changes to wait for after the commit
	hooks     []hookJob // hook URLs to call after the commit
}

func (c *Controller) newPass(tx state.Tx, ref serviceRef, writeMode bool) (*pass, error) {
	cluster, err := tx.Cluster(ref.cluster)
	if err != nil {
		return nil, err
	}
	svc, err := tx.Service(ref.cluster, ref.name)
	if err != nil {
		return nil, err
	}
	all, err := tx.Tasks(ref.cluster)
	if err != nil {
		return nil, err
	}
	p := &pass{
		c: c, tx: tx, now: c.now(), cluster: cluster, svc: &svc, changed: map[int]bool{},
		budget: maxTaskWritesPerPass, all: all, writeMode: writeMode,
		defs: map[string]model.TaskDefinition{}, groups: map[string]model.TargetGroup{},
		health: map[string]map[string]lb.TargetHealth{}, ec2IDs: map[string]string{},
	}
	if p.before, err = json.Marshal(svc); err != nil {
		return nil, err
	}
	for _, t := range all {
		// Tasks of an earlier service of the same name (deleted, then
		// created again) are not this service's.
		if t.Internal.Service == svc.Name && (t.CreatedAt == nil || !t.CreatedAt.Before(svc.CreatedAt.Time)) {
			p.tasks = append(p.tasks, t)
		}
	}
	p.read = len(p.tasks)
	if p.placements, err = tx.PlacementVersion(ref.cluster); err != nil {
		return nil, err
	}
	instances, err := tx.Instances(ref.cluster)
	if err != nil {
		return nil, err
	}
	p.nodes = instances
	for _, ci := range instances {
		p.ec2IDs[ci.ARN] = ci.EC2InstanceID
	}
	for _, l := range svc.LoadBalancers {
		p.loadHealth(l.TargetGroupARN)
		if l.AdvancedConfiguration != nil && l.AdvancedConfiguration.AlternateTargetGroupARN != "" {
			p.loadHealth(l.AdvancedConfiguration.AlternateTargetGroupARN)
		}
	}
	return p, nil
}

func (p *pass) loadHealth(tg string) {
	m := map[string]lb.TargetHealth{}
	if p.c.lb != nil {
		for _, h := range p.c.lb.TargetHealth(tg) {
			m[targetKey(h.Target.ID, h.Target.Port)] = h
		}
	}
	p.health[tg] = m
}

func targetKey(id string, port int) string { return fmt.Sprintf("%s:%d", id, port) }

// run is the order of one pass: register new targets, account for what
// happened (the circuit breaker reads it), plan and apply, then deregister
// the targets of every task that is to stop and book the deployments.
func (p *pass) run() error {
	if p.svc.UsesTaskSets() {
		return p.runTaskSets()
	}
	p.daemonDesired()
	if err := p.registerTargets(); err != nil {
		return err
	}
	if err := p.account(); err != nil {
		return err
	}
	if err := p.circuitBreaker(); err != nil {
		return err
	}
	if err := p.stopRequested(); err != nil {
		return err
	}
	if err := p.alarmCheck(); err != nil {
		return err
	}
	if err := p.analysisCheck(); err != nil {
		return err
	}
	if err := p.planAndApply(); err != nil {
		return err
	}
	if err := p.deregisterStopping(); err != nil {
		return err
	}
	p.bookDeployments()
	p.finishDeletion()
	return nil
}

func (p *pass) taskDefinition(arn string) (model.TaskDefinition, error) {
	if td, ok := p.defs[arn]; ok {
		return td, nil
	}
	td, err := p.tx.ResolveTaskDefinition(arn)
	if err != nil {
		return td, err
	}
	p.defs[arn] = td
	return td, nil
}

// alive reports whether a task still counts for the service: it wants to
// run and has not stopped.
func alive(t *model.Task) bool {
	return t.DesiredStatus == model.TaskRunning && t.LastStatus != model.TaskStopped
}

func (p *pass) gracePeriod() time.Duration {
	if p.svc.HealthCheckGracePeriodSeconds == nil {
		return 0
	}
	return time.Duration(*p.svc.HealthCheckGracePeriodSeconds) * time.Second
}

// inGrace reports whether a task is within the service's health-check grace
// period, counted from when it started, during which failing checks are
// ignored as ECS does.
func (p *pass) inGrace(t *model.Task) bool {
	if t.StartedAt == nil {
		return true
	}
	return p.now.Sub(t.StartedAt.Time) < p.gracePeriod()
}
