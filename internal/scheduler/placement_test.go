package scheduler

import (
	"slices"
	"testing"
)

func TestPlaceSpreadsAndReportsShortResources(t *testing.T) {
	nodes := []Node{{ARN: "b", Tasks: 1}, {ARN: "a", Tasks: 1}, {ARN: "c", Tasks: 0}}
	got, fail := Place(nodes, Demand{}, 4)
	if fail != nil || !slices.Equal(got, []string{"c", "a", "b", "c"}) {
		t.Fatalf("spread = %v, %v", got, fail)
	}
	if nodes[2].Tasks != 0 {
		t.Fatal("Place changed its input")
	}
	cases := []struct {
		name   string
		node   Node
		demand Demand
		placed int
		reason string
	}{
		{"memory", Node{ARN: "n", Memory: 1024}, Demand{Memory: 512}, 2, ReasonMemory},
		{"cpu", Node{ARN: "n", CPU: 1024, UsedCPU: 512}, Demand{CPU: 256}, 2, ReasonCPU},
		{"fixed port", Node{ARN: "n", HostPorts: []int{80}}, Demand{HostPorts: []int{8080}}, 1, ReasonPorts},
	}
	for _, c := range cases {
		got, fail := Place([]Node{c.node}, c.demand, 5)
		if len(got) != c.placed || fail == nil || fail.Reason != c.reason || fail.NodeARN != "n" {
			t.Errorf("%s: placed %v, failure %+v", c.name, got, fail)
		}
	}
	if _, fail := Place(nil, Demand{}, 1); fail == nil || fail.Reason != ReasonNoInstances {
		t.Errorf("no nodes: %+v", fail)
	}
}
