package controller

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/strategy"
)

// hookSnapshot adds the lifecycle hooks to a traffic-shifting snapshot:
// the stages that have hooks and the gates passed. A deployment with no
// blue (a new service's first) shifts nothing and runs no hooks.
func hookSnapshot(d *model.Deployment, snap *strategy.Snapshot) {
	snap.Hooks, snap.Passed = map[string]bool{}, map[string]bool{}
	if d.Internal.Traffic.Blue == "" {
		return
	}
	for _, h := range d.Internal.Config.LifecycleHooks {
		for _, st := range h.LifecycleStages {
			snap.Hooks[st] = true
		}
	}
	for _, g := range d.Internal.Traffic.HooksPassed {
		snap.Passed[g] = true
	}
}

// runHooks carries a deployment through the gate its plan waits on: it
// starts the stage's hooks one at a time (a PAUSE hook waits for
// ContinueServiceDeployment, an AWS_LAMBDA one is called at its URL), and
// acts on each answer: CONTINUE passes the hook, ROLLBACK fails the
// deployment and rolls it back; a hook not answered before it expires takes
// its timeout action.
func (p *pass) runHooks(d *model.Deployment, plan strategy.Plan) error {
	tr := d.Internal.Traffic
	if plan.Hook == "" || tr.RollingBack || d.RolloutState != model.RolloutInProgress {
		return nil
	}
	run := tr.Hook
	if run != nil && run.Gate != plan.Hook {
		tr.Hook, run = nil, nil // the deployment moved on (a hook edited away)
	}
	if run == nil {
		idx := -1
		for _, i := range d.Internal.Config.HooksAt(plan.HookStage) {
			if !slices.Contains(tr.HooksPassed, hookKey(plan.Hook, i)) {
				idx = i
				break
			}
		}
		if idx < 0 {
			tr.HooksPassed = append(tr.HooksPassed, plan.Hook)
			return nil
		}
		run = p.newHookRun(d, plan.Hook, plan.HookStage, idx)
		tr.Hook = run
	}
	switch {
	case run.Result == model.HookActionContinue:
		p.finishHook(d, model.HookSucceeded)
	case run.Result == model.HookActionRollback:
		p.finishHook(d, model.HookFailed)
		return p.failForHook(d, run, "failed")
	case !p.now.Before(run.ExpiresAt.Time):
		p.finishHook(d, model.HookTimedOut)
		if run.TimeoutAction == model.HookActionRollback {
			return p.failForHook(d, run, "timed out")
		}
	default:
		if run.TargetType == model.HookTargetLambda {
			p.hooks = append(p.hooks, p.hookJob(d, run))
		}
		p.c.wakeAfter(run.ExpiresAt.Time.Sub(p.now))
	}
	return nil
}

func hookKey(gate string, i int) string { return gate + "#" + strconv.Itoa(i) }

// newHookRun starts hook i of d's configuration at a gate; its timeout is
// service time (--time-scale shortens it).
func (p *pass) newHookRun(d *model.Deployment, gate, stage string, i int) *model.HookRun {
	h := d.Internal.Config.LifecycleHooks[i]
	timeout, action := h.Timeout()
	run := &model.HookRun{Gate: gate, Stage: stage, Index: i, TargetType: h.TargetTypeName(), StartedAt: model.At(p.now),
		ExpiresAt: model.At(p.now.Add(p.c.opts.Clock.Real(timeout))), TimeoutAction: action}
	id := strings.ReplaceAll(model.NewUUID(), "-", "")
	if run.TargetType == model.HookTargetPause {
		run.ID, run.Status = "ecs-pause-"+id, model.HookAwaitingAction
		addEvent(p.svc, p.now, "(deployment %s) is paused at %s: call ContinueServiceDeployment with hookId %s to continue or roll back.",
			d.ID, stage, run.ID)
	} else {
		run.ID, run.Status, run.TargetARN = "ecs-hook-"+id, model.HookInProgress, h.HookTargetARN
		addEvent(p.svc, p.now, "(deployment %s) lifecycle hook %s is running at %s.", d.ID, run.ID, stage)
	}
	p.c.logger.Info("lifecycle hook started", "service", p.svc.Name, "deployment", d.ID, "hook", run.ID, "stage", stage)
	return run
}

// finishHook ends the current hook run with a status; a success (or a
// timeout that continues) passes it, and its gate once all its hooks did.
func (p *pass) finishHook(d *model.Deployment, status string) {
	tr := d.Internal.Traffic
	run := *tr.Hook
	run.Status = status
	tr.Hook = nil
	tr.Hooks = append(tr.Hooks, run)
	if len(tr.Hooks) > model.MaxHookRuns {
		tr.Hooks = tr.Hooks[len(tr.Hooks)-model.MaxHookRuns:]
	}
	if status == model.HookFailed || (status == model.HookTimedOut && run.TimeoutAction == model.HookActionRollback) {
		return
	}
	tr.HooksPassed = append(tr.HooksPassed, hookKey(run.Gate, run.Index))
	for _, i := range d.Internal.Config.HooksAt(run.Stage) {
		if !slices.Contains(tr.HooksPassed, hookKey(run.Gate, i)) {
			return
		}
	}
	tr.HooksPassed = append(tr.HooksPassed, run.Gate)
	p.c.logger.Info("lifecycle hooks passed", "service", p.svc.Name, "deployment", d.ID, "gate", run.Gate)
}

// failForHook fails d because a hook failed or timed out, and rolls it back.
func (p *pass) failForHook(d *model.Deployment, run *model.HookRun, what string) error {
	d.RolloutState = model.RolloutFailed
	d.RolloutStateReason = fmt.Sprintf("ECS deployment %s failed: lifecycle hook %s %s at %s.", d.ID, run.ID, what, run.Stage)
	if run.Reason != "" {
		d.RolloutStateReason += " " + run.Reason
	}
	d.UpdatedAt = model.At(p.now)
	d.Internal.FinishedAt = model.At(p.now)
	d.Internal.Outcome = model.OutcomeFailed
	addEvent(p.svc, p.now, "(deployment %s) deployment failed: lifecycle hook %s %s at %s.", d.ID, run.ID, what, run.Stage)
	return p.rollBack(d, fmt.Sprintf("Lifecycle hook %s %s at %s", run.ID, what, run.Stage))
}

// hookJob is the call of an AWS_LAMBDA hook's URL for the current run.
func (p *pass) hookJob(d *model.Deployment, run *model.HookRun) hookJob {
	arn := p.tx.Partition.ServiceDeploymentARN(p.cluster.Name, p.svc.Name, strconv.FormatUint(d.Internal.Seq, 10))
	req := hookRequest{ExecutionID: run.ID, LifecycleStage: run.Stage, ResourceARN: arn,
		HookDetails: d.Internal.Config.LifecycleHooks[run.Index].HookDetails}
	req.ExecutionDetails.ServiceARN = p.svc.ARN
	req.ExecutionDetails.TargetServiceRevisionARN = strings.Replace(arn, ":service-deployment/", ":service-revision/", 1)
	req.ExecutionDetails.ProductionTrafficWeights, req.ExecutionDetails.TestTrafficWeights = map[string]int{}, map[string]int{}
	_ = p.eachRule(d, func(rule string, groups []model.WeightedTargetGroup) error {
		into := req.ExecutionDetails.ProductionTrafficWeights
		for _, l := range p.svc.LoadBalancers {
			if ac := l.AdvancedConfiguration; ac != nil && ac.TestListenerRule == rule {
				into = req.ExecutionDetails.TestTrafficWeights
			}
		}
		for _, g := range groups {
			into[g.ARN] = *g.Weight
		}
		return nil
	})
	body, _ := json.Marshal(req)
	return hookJob{cluster: p.cluster.Name, service: p.svc.Name, deployment: d.ID, id: run.ID, url: run.TargetARN, body: body}
}

// hookRequest is what a hook's URL is sent: the payload ECS gives a hook's
// Lambda function, with the hook's hookDetails.
type hookRequest struct {
	ExecutionDetails struct {
		TestTrafficWeights       map[string]int `json:"testTrafficWeights"`
		ProductionTrafficWeights map[string]int `json:"productionTrafficWeights"`
		ServiceARN               string         `json:"serviceArn"`
		TargetServiceRevisionARN string         `json:"targetServiceRevisionArn"`
	} `json:"executionDetails"`
	ExecutionID    string          `json:"executionId"`
	LifecycleStage string          `json:"lifecycleStage"`
	ResourceARN    string          `json:"resourceArn"`
	HookDetails    json.RawMessage `json:"hookDetails,omitempty"`
}
