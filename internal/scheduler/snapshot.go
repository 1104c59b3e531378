package scheduler

import "github.com/slipway-dev/slipway/internal/model"

// Nodes turns a cluster's ACTIVE container instances and its tasks into the
// placement view: capacity from each instance's registered CPU and MEMORY,
// usage from every task there that has not STOPPED.
func Nodes(instances []model.ContainerInstance, tasks []model.Task) []Node {
	byARN := map[string]*Node{}
	var nodes []Node
	for _, ci := range instances {
		if ci.Status != model.InstanceActive {
			continue
		}
		n := Node{ARN: ci.ARN}
		for _, r := range ci.RegisteredResources {
			switch r.Name {
			case "CPU":
				n.CPU = r.IntegerValue
			case "MEMORY":
				n.Memory = r.IntegerValue
			}
		}
		nodes = append(nodes, n)
	}
	for i := range nodes {
		byARN[nodes[i].ARN] = &nodes[i]
	}
	for _, t := range tasks {
		n := byARN[t.ContainerInstanceARN]
		if n == nil || t.LastStatus == model.TaskStopped {
			continue
		}
		n.Tasks++
		n.UsedCPU += t.Internal.Reserved.CPU
		n.UsedMemory += t.Internal.Reserved.Memory
		n.HostPorts = append(n.HostPorts, t.Internal.Reserved.HostPorts...)
	}
	return nodes
}

// DemandOf is what a task of td needs of a node.
func DemandOf(td model.TaskDefinition) Demand {
	r := model.ReservationOf(td.Spec)
	return Demand{CPU: r.CPU, Memory: r.Memory, HostPorts: r.HostPorts}
}
