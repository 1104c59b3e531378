package controller

import (
	"errors"
	"fmt"
	"maps"
	"reflect"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/strategy"
)

// errNoForward means a listener rule named in an advancedConfiguration no
// longer has a forward action to re-weight.
var errNoForward = errors.New("controller: listener rule has no forward action")

// shifting reports whether d is a traffic-shifting deployment under way:
// moving forward, or returning traffic after a failure.
func (p *pass) shifting(d *model.Deployment) bool {
	tr := d.Internal.Traffic
	return tr != nil && d.Status == model.DeploymentPrimary && (d.RolloutState == model.RolloutInProgress || tr.RollingBack)
}

// initTraffic starts a BLUE_GREEN, CANARY or LINEAR deployment: blue is the
// newest deployment that carries production traffic, green's target groups
// are the other ones of each pair (or the live ones when there is no blue:
// nothing to shift away from), and the first weights send all production
// and test traffic to blue. A deployment that supersedes one still shifting
// so returns traffic to blue before that one's tasks stop.
func (p *pass) initTraffic(d *model.Deployment) error {
	tr := &model.TrafficShift{Stage: model.StageScaleUp, Blue: p.blueFor(d), GreenTargetGroups: map[string]string{}}
	for _, l := range p.svc.LoadBalancers {
		if l.AdvancedConfiguration == nil {
			continue
		}
		live := p.svc.LiveTargetGroup(l)
		tr.GreenTargetGroups[l.TargetGroupARN] = live
		if tr.Blue != "" {
			tr.GreenTargetGroups[l.TargetGroupARN] = l.Alternate(live)
		}
	}
	d.Internal.Traffic = tr
	addEvent(p.svc, p.now, "(deployment %s) is using the %s deployment strategy.", d.ID, d.Internal.Config.Strategy)
	return p.changeWeights(d)
}

// blueFor is the deployment whose tasks serve production traffic while d
// rolls out: the newest other live deployment that completed, or that
// finished shifting (its clean-up stage: the live target groups are its).
func (p *pass) blueFor(d *model.Deployment) string {
	var best *model.Deployment
	for i := range p.svc.Deployments {
		o := &p.svc.Deployments[i]
		tr := o.Internal.Traffic
		serves := o.RolloutState == model.RolloutCompleted ||
			(tr != nil && !tr.RollingBack && tr.Stage == model.StageCleanUp && o.RolloutState == model.RolloutInProgress)
		if o.ID != d.ID && serves && (best == nil || o.Internal.Seq > best.Internal.Seq) {
			best = o
		}
	}
	if best == nil {
		return ""
	}
	return best.ID
}

// shiftSnapshot adds a traffic-shifting deployment's position to snap.
func (p *pass) shiftSnapshot(d *model.Deployment, snap *strategy.Snapshot) {
	tr := d.Internal.Traffic
	snap.Blue = tr.Blue
	hookSnapshot(d, snap)
	snap.Progress = strategy.Progress{Stage: tr.Stage, GreenPercent: tr.GreenPercent, TestToGreen: tr.TestToGreen,
		Acked: tr.Acked, RollingBack: tr.RollingBack}
	if tr.Acked {
		snap.Elapsed = p.c.opts.Clock.Service(p.now.Sub(tr.AckedAt.Time))
	}
	for _, l := range p.svc.LoadBalancers {
		if ac := l.AdvancedConfiguration; ac != nil && ac.TestListenerRule != "" {
			snap.HasTest = true
		}
	}
}

// applyShift records a traffic-shifting plan: new weights are written and
// awaited; a stage change is recorded with an event; the clean-up stage
// makes green's target groups the live ones; a finished rollback hands the
// service back to blue.
func (p *pass) applyShift(d *model.Deployment, plan strategy.Plan) error {
	tr := d.Internal.Traffic
	next := plan.Progress
	prevStage := tr.Stage
	tr.Stage = next.Stage
	if next.GreenPercent != tr.GreenPercent || next.TestToGreen != tr.TestToGreen {
		tr.GreenPercent, tr.TestToGreen = next.GreenPercent, next.TestToGreen
		if err := p.changeWeights(d); err != nil {
			return err
		}
	} else if tr.Acked && tr.Stage != model.StageCleanUp {
		if err := p.reassertWeights(d); err != nil {
			return err
		}
	}
	if tr.Stage != prevStage {
		d.UpdatedAt = model.At(p.now)
		p.c.logger.Info("deployment stage", "service", p.svc.Name, "deployment", d.ID, "stage", tr.Stage)
		if tr.Stage == model.StageCleanUp {
			p.makeGreenLive(d)
		}
	}
	if !tr.Acked {
		p.awaitAck(d)
	}
	if plan.Wake > 0 {
		p.c.wakeAfter(p.c.opts.Clock.Real(plan.Wake))
	}
	if plan.Done && tr.RollingBack {
		p.finishRollback(d)
	}
	return p.runHooks(d, plan)
}

// changeWeights writes the weights of d's position to every production
// and test listener rule and marks them awaiting acknowledgement.
func (p *pass) changeWeights(d *model.Deployment) error {
	tr := d.Internal.Traffic
	tr.Generation++
	tr.Acked = false
	if err := p.eachRule(d, p.setForward); err != nil {
		return err
	}
	p.eventWeights(d)
	return nil
}

// eventWeights says where traffic went; the first weights of a deployment
// (all on blue, as before) and a new service's (nothing to shift from) go
// unsaid.
func (p *pass) eventWeights(d *model.Deployment) {
	tr := d.Internal.Traffic
	switch {
	case tr.Blue == "" || tr.Generation == 1:
		return
	case tr.RollingBack:
		addEvent(p.svc, p.now, "(deployment %s) production and test traffic is shifted back to deployment %s.", d.ID, tr.Blue)
		return
	case tr.TestToGreen && tr.GreenPercent == 0:
		addEvent(p.svc, p.now, "(deployment %s) test traffic is shifted to the new service revision.", d.ID)
		return
	}
	addEvent(p.svc, p.now, "(deployment %s) %s%% of production traffic is shifted to the new service revision.",
		d.ID, formatPercent(tr.GreenPercent))
}

func formatPercent(p float64) string { return fmt.Sprintf("%.1f", p) }

// reassertWeights writes d's weights again where a rule no longer has them
// (edited by hand during the deployment): the deployment owns the rules
// until it finishes, so an edit cannot move traffic behind its back. The
// bake time is not restarted.
func (p *pass) reassertWeights(d *model.Deployment) error {
	return p.eachRule(d, func(arn string, groups []model.WeightedTargetGroup) error {
		same, err := p.forwardIs(arn, groups)
		if err != nil || same {
			return err
		}
		p.c.logger.Warn("listener rule changed during a deployment; its weights are restored", "service", p.svc.Name,
			"deployment", d.ID, "rule", arn)
		return p.setForward(arn, groups)
	})
}

// eachRule calls fn with each rule of d's load balancers and the target
// groups and weights d's position gives it.
func (p *pass) eachRule(d *model.Deployment, fn func(arn string, groups []model.WeightedTargetGroup) error) error {
	tr := d.Internal.Traffic
	for _, l := range p.svc.LoadBalancers {
		ac := l.AdvancedConfiguration
		green, ok := tr.GreenTargetGroups[l.TargetGroupARN]
		if ac == nil || !ok {
			continue
		}
		live := p.svc.LiveTargetGroup(l)
		if err := fn(ac.ProductionListenerRule, weighted(live, green, tr.GreenPercent)); err != nil {
			return err
		}
		if ac.TestListenerRule == "" {
			continue
		}
		test := 0.0
		if tr.TestToGreen {
			test = 100
		}
		if err := fn(ac.TestListenerRule, weighted(live, green, test)); err != nil {
			return err
		}
	}
	return nil
}

// weighted is a forward to blue and green giving green percent of the
// requests; one group when they are the same.
func weighted(blue, green string, percent float64) []model.WeightedTargetGroup {
	if blue == green {
		return []model.WeightedTargetGroup{{ARN: blue, Weight: new(1)}}
	}
	wb, wg := strategy.Weights(percent)
	return []model.WeightedTargetGroup{{ARN: blue, Weight: new(wb)}, {ARN: green, Weight: new(wg)}}
}

// setForward replaces the target groups of a rule's forward action (a
// listener's default rule included), keeping its stickiness; the write is
// made in the pass's commit, on the rule as it is then.
func (p *pass) setForward(arn string, groups []model.WeightedTargetGroup) error {
	return p.write(func(tx state.Tx) error {
		rule, listener, actions, err := forwardOf(tx, arn)
		if errors.Is(err, state.ErrRuleNotFound) || errors.Is(err, errNoForward) {
			p.c.logger.Warn("cannot shift traffic", "service", p.svc.Name, "rule", arn, "err", err)
			return nil // refused at UpdateService; deleted since: nothing to re-weight
		}
		if err != nil {
			return err
		}
		a := &actions[forwardIndex(actions)]
		a.Forward = &model.ForwardConfig{TargetGroups: groups, Stickiness: a.Forward.Stickiness}
		a.TargetGroupARN = ""
		if len(groups) == 1 {
			a.TargetGroupARN = groups[0].ARN
		}
		if rule.ARN != "" {
			rule.Actions = actions
			return tx.PutRule(rule)
		}
		listener.DefaultActions = actions
		return tx.PutListener(listener)
	})
}

// forwardIs reports whether a rule forwards exactly to groups.
func (p *pass) forwardIs(arn string, groups []model.WeightedTargetGroup) (bool, error) {
	_, _, actions, err := forwardOf(p.tx, arn)
	if errors.Is(err, state.ErrRuleNotFound) || errors.Is(err, errNoForward) {
		return true, nil // nothing to restore
	}
	if err != nil {
		return false, err
	}
	return reflect.DeepEqual(actions[forwardIndex(actions)].Forward.TargetGroups, groups), nil
}

// forwardOf reads a rule or a listener's default rule and its actions,
// which have a forward action.
func forwardOf(tx state.Tx, arn string) (model.Rule, model.Listener, []model.ELBAction, error) {
	rule, listener, err := tx.AnyRule(arn)
	if err != nil {
		return rule, listener, nil, err
	}
	actions := rule.Actions
	if rule.ARN == "" {
		actions = listener.DefaultActions
	}
	actions = append([]model.ELBAction(nil), actions...)
	if forwardIndex(actions) < 0 {
		return rule, listener, nil, fmt.Errorf("%w: %s", errNoForward, arn)
	}
	return rule, listener, actions, nil
}

func forwardIndex(actions []model.ELBAction) int {
	for i, a := range actions {
		if a.Type == model.ActionForward && a.Forward != nil {
			return i
		}
	}
	return -1
}

// makeGreenLive records green's target groups as the live ones: from the
// clean-up stage on, production traffic is green's for good.
func (p *pass) makeGreenLive(d *model.Deployment) {
	live := maps.Clone(p.svc.Internal.LiveTargetGroups)
	if live == nil {
		live = map[string]string{}
	}
	maps.Copy(live, d.Internal.Traffic.GreenTargetGroups)
	p.svc.Internal.LiveTargetGroups = live
}

// startRollback turns a failed traffic-shifting deployment around: traffic
// returns to blue (acknowledged), then green scales in.
func (p *pass) startRollback(d *model.Deployment, reason string) {
	tr := d.Internal.Traffic
	d.Internal.Outcome = model.OutcomeRollbackInProgress
	d.UpdatedAt = model.At(p.now)
	tr.RollingBack, tr.RollbackReason, tr.RollbackAt = true, reason, model.At(p.now)
	addEvent(p.svc, p.now, "rolling back to deployment %s.", tr.Blue)
	p.c.logger.Info("rolling back", "service", p.svc.Name, "from", d.ID, "to", tr.Blue, "reason", reason)
}

// finishRollback hands the service back to blue once traffic is back and
// green has no task left that wants to run: blue is PRIMARY again at the
// service's desired count, green ACTIVE until its tasks have stopped.
func (p *pass) finishRollback(d *model.Deployment) {
	tr := d.Internal.Traffic
	tr.RollingBack = false
	d.Internal.Outcome = model.OutcomeRollbackSuccessful
	d.Internal.FinishedAt = model.At(p.now)
	d.UpdatedAt = model.At(p.now)
	blue := p.svc.Deployment(tr.Blue)
	if blue == nil {
		return
	}
	d.Status = model.DeploymentActive
	blue.Status, blue.DesiredCount, blue.UpdatedAt = model.DeploymentPrimary, p.svc.DesiredCount, model.At(p.now)
	p.svc.TaskDefinition = blue.TaskDefinition
	addEvent(p.svc, p.now, "(deployment %s) rolled back: production traffic is served by deployment %s.", d.ID, blue.ID)
}

// ackJob is a weight change to wait for: every data plane applying the
// routing that contains it.
type ackJob struct {
	cluster, service, deployment string
	generation                   uint64
}

// awaitAck hands d's current weights to an acknowledgement waiter after the
// commit; without a load balancer wired there is nothing to wait for.
func (p *pass) awaitAck(d *model.Deployment) {
	tr := d.Internal.Traffic
	if p.c.lb == nil {
		tr.Acked, tr.AckedAt = true, model.At(p.now)
		return
	}
	p.acks = append(p.acks, ackJob{cluster: p.cluster.Name, service: p.svc.Name, deployment: d.ID, generation: tr.Generation})
}
