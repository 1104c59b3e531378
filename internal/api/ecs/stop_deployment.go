package ecs

import "github.com/slipway-dev/slipway/internal/ops/ecsops"

// stopServiceDeploymentOut is StopServiceDeployment's answer, shaped as
// ContinueServiceDeployment's: the deployment's ARN.
func stopServiceDeploymentOut(o *ecsops.StopServiceDeploymentOutput) any {
	return continueServiceDeploymentResp{ServiceDeploymentARN: o.ServiceDeploymentARN}
}
