package controller

import (
	"github.com/slipway-dev/slipway/internal/analysis"
	"github.com/slipway-dev/slipway/internal/model"
)

// analysed reports whether a strategy runs the built-in analysis: CANARY
// and LINEAR, where blue keeps production traffic beside green to compare
// with. BLUE_GREEN moves everything at once, leaving nothing to compare.
func analysed(strategy string) bool {
	return strategy == model.StrategyCanary || strategy == model.StrategyLinear
}

// analysisCheck runs the built-in analysis of the PRIMARY deployment while
// green has production traffic beside blue (PRODUCTION_TRAFFIC_SHIFT and
// BAKE_TIME, from the first acknowledged share on): the analyzer compares
// green's target groups with blue's over the same window, and when green is
// clearly worse the deployment fails and rolls back, traffic first, as
// alarms do.
func (p *pass) analysisCheck() error {
	primary := p.svc.Primary()
	if p.c.analyzer == nil || primary == nil || primary.RolloutState != model.RolloutInProgress {
		return nil
	}
	tr := primary.Internal.Traffic
	if tr == nil || tr.RollingBack || tr.Blue == "" || tr.GreenPercent == 0 || !analysed(primary.Internal.Config.Strategy) ||
		(tr.Stage != model.StageProductionTrafficShift && tr.Stage != model.StageBakeTime) {
		return nil
	}
	th, err := p.analysisThresholds()
	if err != nil {
		return err
	}
	if th.Off {
		return nil
	}
	var old, green []string
	for _, l := range p.svc.LoadBalancers {
		g, ok := tr.GreenTargetGroups[l.TargetGroupARN]
		if live := p.svc.LiveTargetGroup(l); ok && g != live {
			old, green = append(old, live), append(green, g)
		}
	}
	key := p.cluster.Name + "/" + p.svc.Name + "/" + primary.ID
	if len(green) == 0 || !(tr.Acked || p.c.analyzer.watching(key)) {
		return nil // the analysis starts once green's first share is acknowledged
	}
	v := p.c.analyzer.watch(key, old, green, th)
	if v == nil {
		return nil
	}
	p.failByAnalysis(primary, *v)
	return p.rollBack(primary, "built-in analysis: "+v.Summary())
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
// slipway:analysis tag over them (checked when it was set).
func (p *pass) analysisThresholds() (analysis.Thresholds, error) {
	tags, err := p.tx.Tags(p.svc.ARN)
	if err != nil {
		return analysis.Thresholds{}, err
	}
	for _, t := range tags {
		if t.Key != analysis.Tag {
			continue
		}
		th, err := analysis.Parse(t.Value, p.c.opts.Analysis)
		if err != nil {
			p.c.logger.Warn("service analysis tag not understood; the server's setting applies", "service", p.svc.Name, "err", err)
		}
		return th, nil
	}
	return analysis.Parse("", p.c.opts.Analysis)
}
