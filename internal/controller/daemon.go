package controller

import (
	"time"

	"github.com/slipway-dev/slipway/internal/model"
)

// daemonDesired sets a DAEMON service's desired count, and its primary
// deployment's, to the number of ACTIVE container instances, as ECS shows
// it; launch then puts at most one of its tasks on each instance.
func (p *pass) daemonDesired() {
	if p.svc.SchedulingStrategy != model.SchedulingDaemon || p.svc.Status != model.ServiceActive {
		return
	}
	n := 0
	for _, ci := range p.nodes {
		if ci.Status == model.InstanceActive {
			n++
		}
	}
	p.svc.DesiredCount = n
	if d := p.svc.Primary(); d != nil && d.DesiredCount != n {
		d.DesiredCount = n
		d.UpdatedAt = model.At(p.now)
		p.svc.Internal.SteadySince = time.Time{}
	}
}

// daemonNodes are the ACTIVE container instances without a live task of
// the service: where a DAEMON service may start its next tasks.
func (p *pass) daemonNodes() []string {
	busy := map[string]bool{}
	for i := range p.tasks {
		if alive(&p.tasks[i]) {
			busy[p.tasks[i].ContainerInstanceARN] = true
		}
	}
	var out []string
	for _, ci := range p.nodes {
		if ci.Status == model.InstanceActive && !busy[ci.ARN] {
			out = append(out, ci.ARN)
		}
	}
	return out
}
