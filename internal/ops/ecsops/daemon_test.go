package ecsops

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/model"
)

// A DAEMON service never runs on Fargate: not by its launch type, not by
// a capacity provider strategy it names, and not by the cluster's default
// strategy it would take; an EC2 one is created and cannot be moved to
// Fargate by UpdateService. Nothing refused is stored.
func TestDaemonRefusesFargateCapacity(t *testing.T) {
	ctx := context.Background()
	o := newOps(t)
	weight := 1
	if _, err := o.PutClusterCapacityProviders(ctx, &PutClusterCapacityProvidersInput{
		CapacityProviders:               []string{model.CapacityFargate, model.CapacityFargateSpot},
		DefaultCapacityProviderStrategy: []model.CapacityProviderStrategyItem{{CapacityProvider: model.CapacityFargate, Weight: &weight}},
	}); err != nil {
		t.Fatal(err)
	}
	spot := json.RawMessage(`[{"capacityProvider":"FARGATE_SPOT","weight":1}]`)
	for name, in := range map[string]*CreateServiceInput{
		"launch type":     {ServiceName: "d1", TaskDefinition: "web", SchedulingStrategy: model.SchedulingDaemon, LaunchType: "FARGATE"},
		"strategy":        {ServiceName: "d2", TaskDefinition: "web", SchedulingStrategy: model.SchedulingDaemon, ServiceEchoedInput: ServiceEchoedInput{CapacityProviderStrategy: spot}},
		"cluster default": {ServiceName: "d3", TaskDefinition: "web", SchedulingStrategy: model.SchedulingDaemon},
	} {
		_, err := o.CreateService(ctx, in)
		if e := wantAWSErr(t, err, CodeInvalidParameter); !strings.Contains(e.Message, "DAEMON scheduling strategy is not supported") {
			t.Fatalf("%s: message %q", name, e.Message)
		}
	}
	listed, err := o.ListServices(ctx, &ListServicesInput{})
	if err != nil || len(listed.ServiceARNs) != 0 {
		t.Fatalf("refused services stored: %v %v", listed, err)
	}
	created, err := o.CreateService(ctx, &CreateServiceInput{ServiceName: "d", TaskDefinition: "web", SchedulingStrategy: model.SchedulingDaemon, LaunchType: "EC2"})
	if err != nil || created.LaunchType != "EC2" {
		t.Fatalf("EC2 daemon: %+v %v", created, err)
	}
	_, err = o.UpdateService(ctx, &UpdateServiceInput{Service: "d", ServiceEchoedInput: ServiceEchoedInput{CapacityProviderStrategy: spot}})
	wantAWSErr(t, err, CodeInvalidParameter)
	got, err := o.DescribeServices(ctx, &DescribeServicesInput{Services: []string{"d"}})
	if err != nil || len(got.Services) != 1 || got.Services[0].LaunchType != "EC2" || len(got.Services[0].CapacityProviderStrategy) != 0 {
		t.Fatalf("refused update changed the service: %+v %v", got, err)
	}
}
