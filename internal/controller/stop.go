package controller

import "github.com/slipway-dev/slipway/internal/model"

// stopRequested acts on StopServiceDeployment: the PRIMARY deployment it
// asked to stop fails and rolls back, as a failure with rollback on does.
func (p *pass) stopRequested() error {
	primary := p.svc.Primary()
	if primary == nil || primary.Internal.Outcome != model.OutcomeRollbackRequested || primary.RolloutState != model.RolloutInProgress {
		return nil
	}
	primary.RolloutState = model.RolloutFailed
	primary.RolloutStateReason = "ECS deployment " + primary.ID + " stopped: StopServiceDeployment requested a rollback."
	primary.UpdatedAt = model.At(p.now)
	primary.Internal.FinishedAt = model.At(p.now)
	primary.Internal.Outcome = model.OutcomeFailed
	addEvent(p.svc, p.now, "(deployment %s) deployment stopped: a rollback was requested.", primary.ID)
	p.c.logger.Info("deployment stopped", "service", p.svc.Name, "deployment", primary.ID)
	return p.rollBack(primary, "StopServiceDeployment requested a rollback.")
}
