package ecsops

import (
	"encoding/json"
	"testing"

	"github.com/slipway-dev/slipway/internal/model"
)

// TestClusterStatisticsByStrategy: a service without a launch type counts
// as Fargate or EC2 by its strategy's main provider (the one with a base,
// else the first weighted), not by any provider's name beginning FARGATE.
func TestClusterStatisticsByStrategy(t *testing.T) {
	svc := func(launchType, strategy string) model.Service {
		s := model.Service{Status: model.ServiceActive, LaunchType: launchType}
		s.CapacityProviderStrategy = json.RawMessage(strategy)
		return s
	}
	services := []model.Service{
		svc("", `[{"capacityProvider":"FARGATE_MINE","weight":1}]`),                                           // EC2: an ASG provider
		svc("", `[{"capacityProvider":"asg","base":2,"weight":1},{"capacityProvider":"FARGATE","weight":3}]`), // EC2: the base
		svc("", `[{"capacityProvider":"asg","weight":0},{"capacityProvider":"FARGATE_SPOT","weight":1}]`),     // Fargate: first weighted
		svc("", `[{"capacityProvider":"FARGATE","weight":1},{"capacityProvider":"asg","weight":1}]`),          // Fargate
		svc("", ``),                       // EC2: no strategy
		svc(model.LaunchTypeFargate, ``),  // Fargate
		svc(model.LaunchTypeExternal, ``), // neither
		svc(model.LaunchTypeEC2, `[{"capacityProvider":"FARGATE","weight":1}]`), // the launch type decides
	}
	got := map[string]string{}
	for _, kv := range clusterStatistics(nil, services) {
		got[kv.Name] = kv.Value
	}
	if got["activeEC2ServiceCount"] != "4" || got["activeFargateServiceCount"] != "3" {
		t.Fatalf("statistics %v, want 4 EC2 and 3 Fargate services", got)
	}
}
