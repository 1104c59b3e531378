package scheduler

import (
	"reflect"
	"testing"
)

func TestPlaceOn(t *testing.T) {
	nodes := []Node{{ARN: "a", Memory: 512}, {ARN: "b", Memory: 512, UsedMemory: 400}}
	d := Demand{Memory: 256, HostPorts: []int{80}}
	placed, fails := PlaceOn(nodes, []string{"a", "b", "a", "draining"}, d)
	if !reflect.DeepEqual(placed, []string{"a"}) {
		t.Fatalf("placed %v", placed)
	}
	want := []Failure{{"b", ReasonMemory}, {"a", ReasonPorts}, {"draining", ReasonInactive}}
	if !reflect.DeepEqual(fails, want) {
		t.Fatalf("failures %v, want %v", fails, want)
	}
	if nodes[0].UsedMemory != 0 || len(nodes[0].HostPorts) != 0 {
		t.Fatalf("PlaceOn changed its input: %+v", nodes[0])
	}
}
