package awsmodel

import (
	"strings"
	"testing"
)

func TestCheckJSONFindsWhatTheModelLacks(t *testing.T) {
	m := MustLoad(t, "ecs")
	if p := m.CheckJSON("ListClusters", []byte(`{"clusterArns":["a"]}`)); len(p) != 0 {
		t.Fatalf("good answer: %v", p)
	}
	p := m.CheckJSON("DescribeClusters", []byte(`{"clusters":[{"clusterName":"c","createdAt":1,"runningTasksCount":"1","tags":null,"status":"ACTIVE"}],"failures":[]}`))
	want := []string{`clusters[0]: member "createdAt" is not in the model`, `clusters[0].runningTasksCount: string, want a number`,
		`clusters[0].tags: null`}
	if len(p) != len(want) {
		t.Fatalf("problems %v, want %v", p, want)
	}
	for i := range want {
		if !strings.Contains(p[i], want[i]) {
			t.Errorf("problem %q, want %q", p[i], want[i])
		}
	}
	if p := m.CheckJSON("DescribeServices", []byte(`{"services":[{"launchType":"SPACE"}]}`)); len(p) != 1 || !strings.Contains(p[0], "not one of") {
		t.Errorf("enum: %v", p)
	}
}

func TestCheckXMLFindsWhatTheModelLacks(t *testing.T) {
	m := MustLoad(t, "elbv2")
	good := `<DescribeLoadBalancersResponse xmlns="x"><DescribeLoadBalancersResult><LoadBalancers><member>
<LoadBalancerName>a</LoadBalancerName><State><Code>active</Code></State><CreatedTime>2020-01-01T00:00:00Z</CreatedTime>
<AvailabilityZones><member><ZoneName>z</ZoneName></member></AvailabilityZones></member></LoadBalancers></DescribeLoadBalancersResult>
<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>`
	if p := m.CheckXML("DescribeLoadBalancers", []byte(good)); len(p) != 0 {
		t.Fatalf("good answer: %v", p)
	}
	bad := strings.NewReplacer("<ZoneName>z</ZoneName>", "<Zone>z</Zone>", "<Code>active</Code>", "<Code>up</Code>",
		"<member>\n<LoadBalancerName>", "<item>\n<LoadBalancerName>", "</member></LoadBalancers>", "</item></LoadBalancers>").Replace(good)
	p := m.CheckXML("DescribeLoadBalancers", []byte(bad))
	if len(p) != 1 || !strings.Contains(p[0], "list element item") {
		t.Fatalf("problems %v", p)
	}
	bad = strings.NewReplacer("<ZoneName>z</ZoneName>", "<Zone>z</Zone>", "<Code>active</Code>", "<Code>up</Code>").Replace(good)
	p = m.CheckXML("DescribeLoadBalancers", []byte(bad))
	if len(p) != 2 || !strings.Contains(strings.Join(p, "\n"), "element Zone is not in the model") || !strings.Contains(strings.Join(p, "\n"), `"up" is not one of`) {
		t.Fatalf("problems %v", p)
	}
}

func TestLookup(t *testing.T) {
	v := map[string]any{"services": []any{map[string]any{"deployments": []any{map[string]any{"id": "a"}}}}}
	got, ok := Lookup(v, "services[].deployments[].id")
	if !ok || len(got) != 1 || got[0] != "a" {
		t.Fatalf("got %v %v", got, ok)
	}
	if _, ok := Lookup(v, "services[].events"); ok {
		t.Fatal("found a missing member")
	}
}
