package controller

import (
	"context"
	"errors"
	"strings"

	"github.com/slipway-dev/slipway/internal/alarms"
	"github.com/slipway-dev/slipway/internal/model"
)

// Alarms is what the controller needs of CloudWatch alarms: an alarm as it
// stands (*alarms.Engine satisfies it).
type Alarms interface {
	Get(ctx context.Context, name string) (alarms.Alarm, error)
}

// alarmCheck follows deploymentConfiguration.alarms: while the PRIMARY
// deployment is in progress (bakes included), an alarm of the list that
// entered ALARM after the deployment started fails it, and with rollback
// rolls it back. An alarm already in ALARM when the deployment started is
// judged against that baseline: it counts only once it has left ALARM and
// entered it again, so a fix for what set it off can still be deployed.
// An alarm that does not exist (yet) counts as not in ALARM.
func (p *pass) alarmCheck() error {
	primary := p.svc.Primary()
	cfg := p.svc.DeploymentConfiguration.Alarms
	if primary == nil || cfg == nil || !cfg.Enable || p.c.opts.Alarms == nil || primary.RolloutState != model.RolloutInProgress {
		return nil
	}
	if tr := primary.Internal.Traffic; tr != nil && tr.RollingBack {
		return nil
	}
	var fired []string
	for _, name := range cfg.AlarmNames {
		a, err := p.c.opts.Alarms.Get(p.c.ctx, name)
		if errors.Is(err, alarms.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if a.State == alarms.StateAlarm && a.StateTransitioned.After(primary.Internal.StartedAt.Time) {
			fired = append(fired, name)
		}
	}
	if len(fired) == 0 {
		return nil
	}
	names := strings.Join(fired, ", ")
	primary.RolloutState = model.RolloutFailed
	primary.RolloutStateReason = "ECS deployment " + primary.ID + " failed: alarm(s) detected: " + names + "."
	primary.UpdatedAt = model.At(p.now)
	primary.Internal.FinishedAt = model.At(p.now)
	primary.Internal.Outcome = model.OutcomeFailed
	primary.Internal.TriggeredAlarms = fired
	addEvent(p.svc, p.now, "(deployment %s) deployment failed: alarm detected.", primary.ID)
	p.c.logger.Info("deployment failed", "service", p.svc.Name, "deployment", primary.ID, "alarms", names)
	if !cfg.Rollback {
		return nil
	}
	return p.rollBack(primary, "CloudWatch alarm(s) in ALARM: "+names)
}

// Wake makes the controller pass again soon (an alarm changed state).
func (c *Controller) Wake() { c.poke() }
