package controller

import (
	"strings"

	"github.com/slipway-dev/slipway/internal/analysis"
	"github.com/slipway-dev/slipway/internal/model"
)

// analysisCheck runs the built-in analysis of the PRIMARY deployment of a
// traffic-shifting strategy while green has production traffic, from its
// first acknowledged share until CLEAN_UP (PRODUCTION_TRAFFIC_SHIFT and
// BAKE_TIME): the analyzer compares green's target groups with blue's over
// the same window (CANARY, LINEAR) or, once green has all production
// traffic (BLUE_GREEN at once, the others for their last bake), with what
// blue's revision answered before;
// when green is clearly worse the deployment fails and rolls back, traffic
// first, as alarms do.
func (p *pass) analysisCheck() error {
	primary := p.svc.Primary()
	if p.c.analyzer == nil || primary == nil || primary.RolloutState != model.RolloutInProgress {
		return nil
	}
	tr := primary.Internal.Traffic
	if tr == nil || tr.RollingBack || tr.Blue == "" || tr.GreenPercent == 0 ||
		(tr.Stage != model.StageProductionTrafficShift && tr.Stage != model.StageBakeTime) {
		return nil
	}
	key := p.cluster.Name + "/" + p.svc.Name + "/" + primary.ID
	if !tr.Acked && !p.c.analyzer.watching(key) {
		return nil // the analysis starts once green's first share is acknowledged
	}
	spec, err := p.watchSpec(primary)
	if err != nil || spec.thresholds.Off || len(spec.new) == 0 {
		return err
	}
	v := p.c.analyzer.watch(key, spec)
	if v == nil {
		return nil
	}
	p.failByAnalysis(primary, *v)
	return p.rollBack(primary, "built-in analysis: "+v.Summary())
}

// watchSpec is what the analyzer watches for d: its thresholds, blue's and
// green's target groups and, for BLUE_GREEN, blue's revision.
func (p *pass) watchSpec(d *model.Deployment) (watchSpec, error) {
	th, bad, err := p.analysisThresholds()
	if err != nil {
		return watchSpec{}, err
	}
	tr := d.Internal.Traffic
	// With all production traffic on green (BLUE_GREEN from the start, a
	// canary or linear deployment's last bake), blue answers nothing beside
	// it to compare with: its revision's earlier counts stand in.
	spec := watchSpec{thresholds: th, badTag: bad, across: d.Internal.Config.Strategy == model.StrategyBlueGreen || tr.GreenPercent == 100}
	for _, l := range p.svc.LoadBalancers {
		g, ok := tr.GreenTargetGroups[l.TargetGroupARN]
		if live := p.svc.LiveTargetGroup(l); ok && g != live {
			spec.old, spec.new = append(spec.old, live), append(spec.new, g)
		}
	}
	if blue := p.svc.Deployment(tr.Blue); spec.across && blue != nil {
		// The targets' revision label is the task definition's
		// family:revision, the end of its ARN.
		_, spec.oldRevision, _ = strings.Cut(blue.TaskDefinition, ":task-definition/")
	}
	return spec, nil
}

// failByAnalysis records the verdict on the deployment: its statusReason
// and a service event, with the figures.
func (p *pass) failByAnalysis(d *model.Deployment, v analysis.Verdict) {
	what := "a higher error rate"
	if v.Kind == analysis.KindLatency {
		what = "a higher p99 latency"
	}
	d.RolloutState = model.RolloutFailed
	d.RolloutStateReason = "ECS deployment " + d.ID + " failed: built-in analysis detected " + what +
		" in the new service revision: " + v.Summary() + "."
	d.UpdatedAt = model.At(p.now)
	d.Internal.FinishedAt = model.At(p.now)
	d.Internal.Outcome = model.OutcomeFailed
	addEvent(p.svc, p.now, "(deployment %s) deployment failed: built-in analysis detected %s in the new service revision: %s.",
		d.ID, what, v.Summary())
	p.c.logger.Info("deployment failed", "service", p.svc.Name, "deployment", d.ID, "analysis", v.Summary())
}

// analysisThresholds are the server's thresholds with the service's
// slipway:analysis tag over them (checked when it was set). A tag it cannot
// read (stored before the check existed, or by a path that skips it) is
// returned as bad, and the server's thresholds apply; the analyzer logs it
// once rather than every pass.
func (p *pass) analysisThresholds() (analysis.Thresholds, *badTag, error) {
	tags, err := p.tx.Tags(p.svc.ARN)
	if err != nil {
		return analysis.Thresholds{}, nil, err
	}
	for _, t := range tags {
		if t.Key != analysis.Tag {
			continue
		}
		th, err := analysis.Parse(t.Value, p.c.opts.Analysis)
		if err != nil {
			return th, &badTag{service: p.svc.Name, value: t.Value, err: err}, nil
		}
		return th, nil, nil
	}
	th, err := analysis.Parse("", p.c.opts.Analysis)
	return th, nil, err
}
