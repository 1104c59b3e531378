package scheduler

// ReasonInactive is the failure of a task placed on a named node that is
// not ACTIVE.
const ReasonInactive = "INACTIVE"

// PlaceOn places one task of demand d on each named node, in order, as
// StartTask does: no choice is made; a node that is not in nodes (Nodes
// holds only ACTIVE ones) fails INACTIVE, one without room with the
// resource it lacks. Each placed task takes its share before the next is
// checked, so naming a node twice needs room for two.
func PlaceOn(nodes []Node, arns []string, d Demand) (placed []string, failures []Failure) {
	byARN := map[string]*Node{}
	work := make([]Node, len(nodes))
	copy(work, nodes)
	for i := range work {
		work[i].HostPorts = append([]int(nil), work[i].HostPorts...)
		byARN[work[i].ARN] = &work[i]
	}
	for _, arn := range arns {
		n := byARN[arn]
		if n == nil {
			failures = append(failures, Failure{NodeARN: arn, Reason: ReasonInactive})
			continue
		}
		if reason := fits(*n, d); reason != "" {
			failures = append(failures, Failure{NodeARN: arn, Reason: reason})
			continue
		}
		n.UsedCPU += d.CPU
		n.UsedMemory += d.Memory
		n.Tasks++
		n.HostPorts = append(n.HostPorts, d.HostPorts...)
		placed = append(placed, arn)
	}
	return placed, failures
}
