package ecs

import (
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

// The task protection JSON shapes, member for member as ECS sends them.

type protectedTaskOut struct {
	TaskARN           string      `json:"taskArn"`
	ProtectionEnabled bool        `json:"protectionEnabled"`
	ExpirationDate    *model.Time `json:"expirationDate,omitempty"`
}

type taskProtectionResp struct {
	ProtectedTasks []protectedTaskOut `json:"protectedTasks"`
	Failures       []failure          `json:"failures"`
}

func taskProtectionOut(o *ecsops.TaskProtectionOutput) any {
	resp := taskProtectionResp{ProtectedTasks: make([]protectedTaskOut, 0, len(o.ProtectedTasks)), Failures: failuresWire(o.Failures)}
	for _, p := range o.ProtectedTasks {
		resp.ProtectedTasks = append(resp.ProtectedTasks, protectedTaskOut{TaskARN: p.TaskARN,
			ProtectionEnabled: p.ProtectionEnabled, ExpirationDate: p.ExpirationDate})
	}
	return resp
}
