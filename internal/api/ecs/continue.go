package ecs

import "github.com/slipway-dev/slipway/internal/ops/ecsops"

type continueServiceDeploymentResp struct {
	ServiceDeploymentARN string `json:"serviceDeploymentArn"`
}

func continueServiceDeploymentOut(o *ecsops.ContinueServiceDeploymentOutput) any {
	return continueServiceDeploymentResp{ServiceDeploymentARN: o.ServiceDeploymentARN}
}
