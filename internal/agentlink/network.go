package agentlink

import (
	"github.com/slipway-dev/slipway/internal/agent"
	"github.com/slipway-dev/slipway/internal/model"
)

// applyAddress records the address the agent gave an awsvpc task: its
// attachment becomes ATTACHED with the details ECS reports, and every
// container names the interface. Once the task has stopped, the attachment
// is DELETED (the address is free again), as ECS reports it.
func applyAddress(t *model.Task, r agent.TaskReport) {
	eni := t.ENI()
	if eni == nil {
		return
	}
	if r.Address != "" && eni.Status == model.AttachmentPrecreated {
		eni.Attach(r.Address, model.RegionOf(t.ARN))
		for i := range t.Containers {
			t.Containers[i].NetworkInterfaces = []model.NetworkInterface{{AttachmentID: eni.ID, PrivateIPv4Address: r.Address}}
		}
	}
	if t.LastStatus == model.TaskStopped {
		eni.Status = model.AttachmentDeleted
	}
}
