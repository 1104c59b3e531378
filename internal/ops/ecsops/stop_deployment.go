package ecsops

import (
	"context"
	"errors"
	"slices"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// CodeConflict is ECS's error for a service deployment that cannot be stopped.
const CodeConflict = "ConflictException"

// StopServiceDeploymentInput is StopServiceDeployment's input.
type StopServiceDeploymentInput struct {
	ServiceDeploymentARN string `json:"serviceDeploymentArn"`
	// StopType is ROLLBACK (the default and, as ECS documents, the only
	// valid value).
	StopType string `json:"stopType"`
}

// StopServiceDeploymentOutput is StopServiceDeployment's output.
type StopServiceDeploymentOutput struct {
	ServiceDeploymentARN string
}

// StopServiceDeployment stops a service's in-progress deployment by rolling
// it back, whether or not its configuration asks for rollbacks: the
// deployment is ROLLBACK_REQUESTED until the controller's next pass fails it
// and rolls back (to blue for a traffic-shifting deployment, else to the
// last completed deployment).
func (s *Ops) StopServiceDeployment(ctx context.Context, in *StopServiceDeploymentInput) (*StopServiceDeploymentOutput, error) {
	if in.ServiceDeploymentARN == "" {
		return nil, invalidParam("serviceDeploymentArn must be specified.")
	}
	if in.StopType != "" && in.StopType != "ROLLBACK" {
		return nil, invalidParam("Invalid stopType %q. The valid value is ROLLBACK.", in.StopType)
	}
	err := s.st.Update(ctx, func(tx state.Tx) error {
		svc, cluster, seq, err := serviceOfARN(tx, in.ServiceDeploymentARN, "service-deployment")
		if err == nil && !slices.ContainsFunc(allDeployments(svc), func(d model.Deployment) bool { return seqString(d) == seq }) {
			err = errMissing
		}
		if errors.Is(err, errMissing) {
			return awserr.New(CodeServiceDeploymentNotFound, "The service deployment %s does not exist.", in.ServiceDeploymentARN)
		}
		if err != nil {
			return err
		}
		d := svc.Primary()
		if d == nil || seqString(*d) != seq || d.RolloutState != model.RolloutInProgress ||
			(d.Internal.Outcome != "" && d.Internal.Outcome != model.OutcomeInProgress) {
			return awserr.New(CodeConflict, "The service deployment %s is not in progress and cannot be stopped.", in.ServiceDeploymentARN)
		}
		d.Internal.Outcome = model.OutcomeRollbackRequested
		d.UpdatedAt = s.st.NowTime()
		return tx.PutService(cluster, svc)
	})
	if err != nil {
		return nil, apiErr(err)
	}
	s.log.Info("service deployment stop requested", "deployment", in.ServiceDeploymentARN)
	return &StopServiceDeploymentOutput{ServiceDeploymentARN: in.ServiceDeploymentARN}, nil
}
