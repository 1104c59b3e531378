package ecs

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/state"
)

func registerTalk(t *testing.T, api *testAPI) {
	t.Helper()
	status, out := rawCall(t, api.url, "RegisterTaskDefinition",
		`{"family":"talk","containerDefinitions":[{"name":"web","image":"talk-service","memoryReservation":128,"portMappings":[{"containerPort":8080}]}]}`)
	if status != 200 {
		t.Fatalf("register: %v", out)
	}
}

// registerAwsvpcTalk registers family talk in the awsvpc network mode.
func registerAwsvpcTalk(t *testing.T, api *testAPI) {
	t.Helper()
	status, out := rawCall(t, api.url, "RegisterTaskDefinition",
		`{"family":"talk","networkMode":"awsvpc","containerDefinitions":[{"name":"web","image":"talk-service","memoryReservation":128,"portMappings":[{"containerPort":8080}]}]}`)
	if status != 200 {
		t.Fatalf("register: %v", out)
	}
}

func createDefault(t *testing.T, api *testAPI) {
	t.Helper()
	if _, err := api.client.CreateCluster(context.Background(), &awsecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
}

func TestServiceCreateUpdateDescribeDelete(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, fakeTGs{"arn:tg/attached": true, "arn:tg/loose": false}, nil)
	c := api.client
	createDefault(t, api)
	registerAwsvpcTalk(t, api)
	created, err := c.CreateService(ctx, &awsecs.CreateServiceInput{
		ServiceName: aws.String("talk"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(2),
		Role:                 aws.String("ecsServiceRole"),
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := created.Service
	if aws.ToString(s.ServiceArn) != "arn:aws:ecs:us-east-1:000000000000:service/default/talk" || len(s.Deployments) != 1 ||
		aws.ToString(s.Deployments[0].Status) != "PRIMARY" || s.Deployments[0].RolloutState != types.DeploymentRolloutStateInProgress ||
		!strings.HasPrefix(aws.ToString(s.Deployments[0].Id), "ecs-svc/") ||
		aws.ToInt32(s.DeploymentConfiguration.MaximumPercent) != 200 || aws.ToInt32(s.DeploymentConfiguration.MinimumHealthyPercent) != 100 ||
		aws.ToString(s.RoleArn) != "arn:aws:iam::000000000000:role/ecsServiceRole" ||
		s.NetworkConfiguration == nil || s.NetworkConfiguration.AwsvpcConfiguration.Subnets[0] != "subnet-1" {
		t.Fatalf("created: %+v", s)
	}
	_, err = c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("talk"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(1)})
	wantCode(t, err, "InvalidParameterException")

	registerAwsvpcTalk(t, api)
	upd, err := c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("talk"), TaskDefinition: aws.String("talk:2")})
	if err != nil || len(upd.Service.Deployments) != 2 || aws.ToString(upd.Service.Deployments[1].Status) != "ACTIVE" ||
		!strings.HasSuffix(aws.ToString(upd.Service.Deployments[0].TaskDefinition), "talk:2") {
		t.Fatalf("update task def: %+v %v", upd, err)
	}
	scaled, err := c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("talk"), DesiredCount: aws.Int32(5)})
	if err != nil || len(scaled.Service.Deployments) != 2 || scaled.Service.DesiredCount != 5 || scaled.Service.Deployments[0].DesiredCount != 5 {
		t.Fatalf("scale: %+v %v", scaled, err)
	}
	forced, err := c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("talk"), ForceNewDeployment: true})
	if err != nil || len(forced.Service.Deployments) != 3 {
		t.Fatalf("force: %v", err)
	}

	desc, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{"talk", "ghost"}})
	if err != nil || len(desc.Services) != 1 || len(desc.Failures) != 1 || aws.ToString(desc.Failures[0].Reason) != "MISSING" {
		t.Fatalf("describe: %+v %v", desc, err)
	}
	_, err = c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("ghost"), DesiredCount: aws.Int32(1)})
	wantCode(t, err, "ServiceNotFoundException")
	_, err = c.DeleteService(ctx, &awsecs.DeleteServiceInput{Service: aws.String("talk")})
	wantCode(t, err, "InvalidParameterException")
	del, err := c.DeleteService(ctx, &awsecs.DeleteServiceInput{Service: aws.String("talk"), Force: aws.Bool(true)})
	if err != nil || aws.ToString(del.Service.Status) != "DRAINING" {
		t.Fatalf("delete: %v %v", del, err)
	}
	_, err = c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("talk"), DesiredCount: aws.Int32(1)})
	wantCode(t, err, "ServiceNotActiveException")
}

func TestCreateServiceValidation(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, fakeTGs{"arn:tg/attached": true, "arn:tg/loose": false}, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	lb := func(tg, name string, port int32) []types.LoadBalancer {
		return []types.LoadBalancer{{TargetGroupArn: aws.String(tg), ContainerName: aws.String(name), ContainerPort: aws.Int32(port)}}
	}
	cases := []struct {
		name string
		in   awsecs.CreateServiceInput
		code string
	}{
		{"unknown cluster", awsecs.CreateServiceInput{Cluster: aws.String("nope"), ServiceName: aws.String("s"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(1)}, "ClusterNotFoundException"},
		{"unknown task definition", awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("ghost"), DesiredCount: aws.Int32(1)}, "InvalidParameterException"},
		{"no desired count", awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk")}, "InvalidParameterException"},
		{"min percent", awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(1),
			DeploymentConfiguration: &types.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(150)}}, "InvalidParameterException"},
		{"target group unknown", awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(1), LoadBalancers: lb("arn:tg/none", "web", 8080)}, "InvalidParameterException"},
		{"target group loose", awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(1), LoadBalancers: lb("arn:tg/loose", "web", 8080)}, "InvalidParameterException"},
		{"wrong container", awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(1), LoadBalancers: lb("arn:tg/attached", "api", 8080)}, "InvalidParameterException"},
		{"wrong port", awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(1), LoadBalancers: lb("arn:tg/attached", "web", 9090)}, "InvalidParameterException"},
		{"grace without lb", awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(1), HealthCheckGracePeriodSeconds: aws.Int32(10)}, "InvalidParameterException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateService(ctx, &tc.in)
			wantCode(t, err, tc.code)
		})
	}
	list, err := c.ListServices(ctx, &awsecs.ListServicesInput{})
	if err != nil || len(list.ServiceArns) != 0 {
		t.Fatalf("a refused service was created: %v %v", list, err)
	}
	ok, err := c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk"),
		DesiredCount: aws.Int32(1), LoadBalancers: lb("arn:tg/attached", "web", 8080), HealthCheckGracePeriodSeconds: aws.Int32(30)})
	if err != nil || len(ok.Service.LoadBalancers) != 1 || aws.ToInt32(ok.Service.HealthCheckGracePeriodSeconds) != 30 {
		t.Fatalf("service with load balancer: %v", err)
	}
}

func TestListServicesPaginates(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	createDefault(t, api)
	registerTalk(t, api)
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		if _, err := api.client.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String(name), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(0)}); err != nil {
			t.Fatal(err)
		}
	}
	var all []string
	p := awsecs.NewListServicesPaginator(api.client, &awsecs.ListServicesInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.ServiceArns...)
	}
	if len(all) != 5 {
		t.Fatalf("listed %v", all)
	}
}

// A service deleted and created again under the same name is a new service:
// DescribeServices must never answer with the cached view of the old one,
// even when the new record reaches the revision the old view was cached at.
func TestDescribeServicesNeverShowsAnEarlierServiceOfTheSameName(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	registerTalk(t, api)
	if _, err := c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk:1"), DesiredCount: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{"s"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteService(ctx, &awsecs.DeleteServiceInput{Service: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	// The controller makes a drained service INACTIVE.
	err := api.st.Update(ctx, func(tx state.Tx) error {
		s, err := tx.Service("default", "s")
		s.Status = model.ServiceInactive
		return errors.Join(err, tx.PutService("default", s))
	})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{"s"}})
	if err != nil || aws.ToString(gone.Services[0].Status) != "INACTIVE" {
		t.Fatalf("deleted: %+v %v", gone, err)
	}
	if _, err := c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk:2"), DesiredCount: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	// Two updates bring the new record to the revision the INACTIVE view has.
	for range 2 {
		if _, err := c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("s"), DesiredCount: aws.Int32(0)}); err != nil {
			t.Fatal(err)
		}
	}
	desc, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{"s"}})
	if err != nil || aws.ToString(desc.Services[0].Status) != "ACTIVE" || !strings.HasSuffix(aws.ToString(desc.Services[0].TaskDefinition), "talk:2") {
		t.Fatalf("the new service is described as the old one: %+v %v", desc.Services[0], err)
	}
}

// An INACTIVE service's cached view is evicted.
func TestViewCacheEvictsInactiveServices(t *testing.T) {
	c := newViewCache()
	s := model.Service{ARN: "arn:s", Status: model.ServiceActive, Internal: model.ServiceInternal{Revision: 3, Incarnation: 7}}
	if _, err := c.encode(ecsops.Service{Service: s}, false); err != nil || len(c.m) != 1 {
		t.Fatalf("active: %d entries, %v", len(c.m), err)
	}
	s.Status, s.Internal.Revision = model.ServiceInactive, 4
	if _, err := c.encode(ecsops.Service{Service: s}, false); err != nil || len(c.m) != 0 {
		t.Fatalf("inactive: %d entries, %v", len(c.m), err)
	}
}
