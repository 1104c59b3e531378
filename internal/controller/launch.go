package controller

import (
	"encoding/json"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/scheduler"
)

// launchSpec is what the tasks a pass starts run and belong to: a
// deployment's, or a task set's.
type launchSpec struct {
	taskDef    string
	deployment string // deployment or task set id: the tasks' startedBy
	launchType string
	network    *model.AwsvpcConfiguration
	// capacity is the capacityProviderStrategy that splits the tasks
	// across providers (none: the launch type alone).
	capacity json.RawMessage
}

// launch places and creates n tasks of spec; n is within the pass's write
// budget. New tasks join p.all, so a later launch in the same pass places
// against what this one took.
func (p *pass) launch(spec launchSpec, n int) error {
	td, err := p.taskDefinition(spec.taskDef)
	if err != nil {
		return err
	}
	placed, fail := p.place(scheduler.DemandOf(td), n)
	p.placed = p.placed || len(placed) > 0
	if fail != nil {
		eventUnplaced(p.svc, p.now, fail.NodeARN, fail.Reason)
	}
	providers := scheduler.SplitByStrategy(scheduler.StrategyOf(spec.capacity), p.providerCounts(spec.deployment), len(placed))
	var ids []string
	for i, inst := range placed {
		in := model.NewTaskInput{
			Cluster: p.cluster.Name, ClusterARN: p.cluster.ARN, Definition: td, InstanceARN: inst,
			Group: "service:" + p.svc.Name, StartedBy: spec.deployment, LaunchType: spec.launchType,
			Service: p.svc.Name, Deployment: spec.deployment, Network: spec.network, Now: p.now,
		}
		if i < len(providers) {
			in.CapacityProvider = providers[i]
		}
		t := model.NewTask(p.tx.Partition, in)
		t.EnableExecuteCommand = p.svc.EnableExecuteCommand
		p.tasks = append(p.tasks, t)
		p.all = append(p.all, t)
		p.reserve(len(p.tasks) - 1)
		ids = append(ids, t.Internal.ID)
	}
	eventStarted(p.svc, p.now, ids)
	return nil
}

// place chooses nodes for n tasks of demand d: spread over the cluster, or
// for a DAEMON service one on each instance that has none of its tasks.
func (p *pass) place(d scheduler.Demand, n int) ([]string, *scheduler.Failure) {
	nodes := scheduler.Nodes(p.nodes, p.all)
	if p.svc.SchedulingStrategy != model.SchedulingDaemon {
		return scheduler.Place(nodes, d, n)
	}
	free := p.daemonNodes()
	placed, fails := scheduler.PlaceOn(nodes, free[:min(n, len(free))], d)
	if len(fails) > 0 {
		return placed, &fails[0]
	}
	return placed, nil
}

// providerCounts is how many live tasks of the deployment (or task set)
// each capacity provider runs, so new tasks keep the strategy's split.
func (p *pass) providerCounts(deployment string) map[string]int {
	have := map[string]int{}
	for i := range p.tasks {
		t := &p.tasks[i]
		if alive(t) && t.Internal.DeploymentID == deployment && t.CapacityProviderName != "" {
			have[t.CapacityProviderName]++
		}
	}
	return have
}
