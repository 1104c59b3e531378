package ecsops

import (
	"context"
	"errors"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// CodeServiceDeploymentNotFound is ECS's error for an unknown service deployment.
const CodeServiceDeploymentNotFound = "ServiceDeploymentNotFoundException"

// ContinueServiceDeploymentInput is ContinueServiceDeployment's input.
type ContinueServiceDeploymentInput struct {
	ServiceDeploymentARN string `json:"serviceDeploymentArn"`
	HookID               string `json:"hookId"`
	// Action is CONTINUE (the default) or ROLLBACK.
	Action string `json:"action"`
}

// ContinueServiceDeploymentOutput is ContinueServiceDeployment's output.
type ContinueServiceDeploymentOutput struct {
	ServiceDeploymentARN string
}

// ContinueServiceDeployment answers a PAUSE lifecycle hook the deployment
// waits on: CONTINUE lets it go on to its next stage, ROLLBACK fails it and
// rolls it back. The controller acts on the answer at its next pass.
func (s *Ops) ContinueServiceDeployment(ctx context.Context, in *ContinueServiceDeploymentInput) (*ContinueServiceDeploymentOutput, error) {
	if in.ServiceDeploymentARN == "" || in.HookID == "" {
		return nil, invalidParam("serviceDeploymentArn and hookId must be specified.")
	}
	action := in.Action
	if action == "" {
		action = model.HookActionContinue
	}
	if action != model.HookActionContinue && action != model.HookActionRollback {
		return nil, invalidParam("Invalid action %q. Valid values are CONTINUE and ROLLBACK.", in.Action)
	}
	err := s.st.Update(ctx, func(tx state.Tx) error {
		svc, cluster, seq, err := serviceOfARN(tx, in.ServiceDeploymentARN, "service-deployment")
		if errors.Is(err, errMissing) {
			return awserr.New(CodeServiceDeploymentNotFound, "The service deployment %s does not exist.", in.ServiceDeploymentARN)
		}
		if err != nil {
			return err
		}
		for i := range svc.Deployments {
			d := &svc.Deployments[i]
			if seqString(*d) != seq {
				continue
			}
			tr := d.Internal.Traffic
			if tr == nil || tr.Hook == nil || tr.Hook.ID != in.HookID || tr.Hook.TargetType != model.HookTargetPause || tr.Hook.Result != "" {
				return invalidParam("The service deployment is not paused at lifecycle hook %s.", in.HookID)
			}
			tr.Hook.Result = action
			tr.Hook.Reason = "ContinueServiceDeployment " + action + "."
			return tx.PutService(cluster, svc)
		}
		return invalidParam("The service deployment %s is not in progress.", in.ServiceDeploymentARN)
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return &ContinueServiceDeploymentOutput{ServiceDeploymentARN: in.ServiceDeploymentARN}, nil
}
