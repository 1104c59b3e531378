// Package scheduler decides, as pure functions of a snapshot, where tasks
// run and which tasks a service should start and stop next. It does no I/O
// and starts no goroutines; controllers feed it snapshots and carry out its
// plans.
package scheduler

import (
	"slices"
	"sort"
)

// Placement failure reasons, as ECS reports them.
const (
	ReasonCPU         = "RESOURCE:CPU"
	ReasonMemory      = "RESOURCE:MEMORY"
	ReasonPorts       = "RESOURCE:PORTS"
	ReasonNoInstances = "NO_CONTAINER_INSTANCES"
)

// Node is a container instance as placement sees it.
type Node struct {
	ARN string
	// CPU and Memory are registered capacity in CPU units and MiB; 0 means
	// unbounded (the process runtime does not reserve resources).
	CPU, Memory int
	// UsedCPU, UsedMemory are reserved by tasks not yet STOPPED.
	UsedCPU, UsedMemory int
	// Tasks is how many tasks not yet STOPPED run there.
	Tasks int
	// HostPorts are fixed host ports in use there.
	HostPorts []int
}

// Demand is what one task needs of a node.
type Demand struct {
	CPU, Memory int
	HostPorts   []int // fixed host ports (dynamic ports need nothing)
}

// Failure is a reason one task could not be placed, naming the closest node.
type Failure struct {
	NodeARN string
	Reason  string
}

// Place chooses a node for each of count tasks, spreading them over the
// nodes with the fewest tasks (ECS's spread by instance, ties by ARN for
// determinism). It returns one node ARN per placed task and, when fewer than
// count fit, the reason the next one did not.
func Place(nodes []Node, d Demand, count int) ([]string, *Failure) {
	work := slices.Clone(nodes)
	for i := range work {
		work[i].HostPorts = slices.Clone(work[i].HostPorts)
	}
	var out []string
	for range count {
		i, fail := pick(work, d)
		if fail != nil {
			return out, fail
		}
		n := &work[i]
		n.UsedCPU += d.CPU
		n.UsedMemory += d.Memory
		n.Tasks++
		n.HostPorts = append(n.HostPorts, d.HostPorts...)
		out = append(out, n.ARN)
	}
	return out, nil
}

func pick(nodes []Node, d Demand) (int, *Failure) {
	if len(nodes) == 0 {
		return -1, &Failure{Reason: ReasonNoInstances}
	}
	order := make([]int, len(nodes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		na, nb := nodes[order[a]], nodes[order[b]]
		if na.Tasks != nb.Tasks {
			return na.Tasks < nb.Tasks
		}
		return na.ARN < nb.ARN
	})
	var closest *Failure
	for _, i := range order {
		reason := fits(nodes[i], d)
		if reason == "" {
			return i, nil
		}
		if closest == nil {
			closest = &Failure{NodeARN: nodes[i].ARN, Reason: reason}
		}
	}
	return -1, closest
}

// fits returns "" when d fits on n, else the first resource that is short.
func fits(n Node, d Demand) string {
	if n.CPU > 0 && n.UsedCPU+d.CPU > n.CPU {
		return ReasonCPU
	}
	if n.Memory > 0 && n.UsedMemory+d.Memory > n.Memory {
		return ReasonMemory
	}
	for _, p := range d.HostPorts {
		if slices.Contains(n.HostPorts, p) {
			return ReasonPorts
		}
	}
	return ""
}
