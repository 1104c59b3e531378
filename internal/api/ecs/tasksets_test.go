package ecs

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func createExternal(t *testing.T, api *testAPI, name string, desired int32) {
	t.Helper()
	_, err := api.client.CreateService(context.Background(), &awsecs.CreateServiceInput{
		ServiceName: aws.String(name), DesiredCount: aws.Int32(desired),
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeExternal},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCreateTaskSet(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, fakeTGs{"arn:tg/blue": true}, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	createExternal(t, api, "ext", 3)
	out, err := c.CreateTaskSet(ctx, &awsecs.CreateTaskSetInput{
		Cluster: aws.String("default"), Service: aws.String("ext"), TaskDefinition: aws.String("talk"),
		ExternalId: aws.String("blue"), Scale: &types.Scale{Value: 50, Unit: types.ScaleUnitPercent},
		LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String("arn:tg/blue"), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}},
		Tags:          []types.Tag{{Key: aws.String("color"), Value: aws.String("blue")}}, ClientToken: aws.String("tok-1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := out.TaskSet
	id := aws.ToString(ts.Id)
	if !strings.HasPrefix(id, "ecs-svc/") || len(id) != len("ecs-svc/")+19 {
		t.Fatalf("id %q", id)
	}
	if aws.ToString(ts.TaskSetArn) != "arn:aws:ecs:us-east-1:000000000000:task-set/default/ext/"+id ||
		aws.ToString(ts.ServiceArn) != "arn:aws:ecs:us-east-1:000000000000:service/default/ext" ||
		aws.ToString(ts.Status) != "ACTIVE" || ts.ComputedDesiredCount != 2 || ts.StabilityStatus != types.StabilityStatusStabilizing ||
		ts.LaunchType != types.LaunchTypeEc2 || aws.ToString(ts.ExternalId) != "blue" || len(ts.LoadBalancers) != 1 ||
		ts.Scale.Value != 50 || ts.Scale.Unit != types.ScaleUnitPercent || len(ts.Tags) != 1 ||
		aws.ToString(ts.TaskDefinition) != "arn:aws:ecs:us-east-1:000000000000:task-definition/talk:1" {
		t.Fatalf("task set %+v", ts)
	}
	tags, err := c.ListTagsForResource(ctx, &awsecs.ListTagsForResourceInput{ResourceArn: ts.TaskSetArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "color" {
		t.Fatalf("task set tags: %+v %v", tags, err)
	}
	if _, err := c.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String(aws.ToString(ts.TaskSetArn) + "9"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err == nil {
		t.Fatal("tagged a task set that does not exist")
	} else {
		wantCode(t, err, "ResourceNotFoundException")
	}
	again, err := c.CreateTaskSet(ctx, &awsecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"),
		TaskDefinition: aws.String("talk"), ClientToken: aws.String("tok-1")})
	if err != nil || aws.ToString(again.TaskSet.Id) != id {
		t.Fatalf("idempotent create: %+v %v", again, err)
	}
	// The raw answer has every member ECS sends and none of Slipway's.
	status, raw := rawCall(t, api.url, "DescribeTaskSets", `{"cluster":"default","service":"ext"}`)
	if status != 200 {
		t.Fatalf("describe: %v", raw)
	}
	b, _ := json.Marshal(raw)
	for _, want := range []string{`"serviceRegistries":[]`, `"loadBalancers":[`, `"stabilityStatusAt":`, `"clusterArn":`, `"failures":[]`} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("describe lacks %s: %s", want, b)
		}
	}
	if strings.Contains(string(b), "internal") || strings.Contains(string(b), "tok-1") {
		t.Fatalf("describe leaks bookkeeping: %s", b)
	}

	for _, tc := range []struct {
		name string
		in   awsecs.CreateTaskSetInput
		code string
	}{
		{"scale above 100", awsecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskDefinition: aws.String("talk"),
			Scale: &types.Scale{Value: 101, Unit: types.ScaleUnitPercent}}, "InvalidParameterException"},
		{"no service", awsecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("nope"), TaskDefinition: aws.String("talk")}, "ServiceNotFoundException"},
		{"no cluster", awsecs.CreateTaskSetInput{Cluster: aws.String("nope"), Service: aws.String("ext"), TaskDefinition: aws.String("talk")}, "ClusterNotFoundException"},
		{"launch type and strategy", awsecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskDefinition: aws.String("talk"),
			LaunchType: types.LaunchTypeEc2, CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE")}}}, "InvalidParameterException"},
	} {
		_, err := c.CreateTaskSet(ctx, &tc.in)
		if err == nil {
			t.Fatalf("%s: accepted", tc.name)
		}
		wantCode(t, err, tc.code)
	}
	for range 4 {
		if _, err := c.CreateTaskSet(ctx, &awsecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskDefinition: aws.String("talk")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreateTaskSet(ctx, &awsecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskDefinition: aws.String("talk")})
	wantCode(t, err, "InvalidParameterException")
}

func TestTaskSetsRefusedOnECSController(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	if _, err := c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateTaskSet(ctx, &awsecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("s"), TaskDefinition: aws.String("talk")})
	wantCode(t, err, "InvalidParameterException")
	if !strings.Contains(err.Error(), "Amazon ECS only supports task set management on services configured to use external deployment controllers.") {
		t.Fatalf("message: %v", err)
	}
	_, err = c.DescribeTaskSets(ctx, &awsecs.DescribeTaskSetsInput{Cluster: aws.String("default"), Service: aws.String("s")})
	wantCode(t, err, "InvalidParameterException")
	desc, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{"s"}})
	if err != nil || desc.Services[0].TaskSets != nil {
		t.Fatalf("an ECS service shows no taskSets: %+v %v", desc, err)
	}
}

func TestUpdateDeletePrimaryTaskSet(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	createExternal(t, api, "ext", 4)
	mk := func(scale float64) string {
		out, err := c.CreateTaskSet(ctx, &awsecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"),
			TaskDefinition: aws.String("talk"), Scale: &types.Scale{Value: scale, Unit: types.ScaleUnitPercent}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.TaskSet.TaskSetArn)
	}
	blue, green := mk(100), mk(0)
	up, err := c.UpdateTaskSet(ctx, &awsecs.UpdateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSet: aws.String(green),
		Scale: &types.Scale{Value: 30, Unit: types.ScaleUnitPercent}})
	if err != nil || up.TaskSet.ComputedDesiredCount != 2 || up.TaskSet.Scale.Value != 30 {
		t.Fatalf("update: %+v %v", up, err)
	}
	_, err = c.UpdateTaskSet(ctx, &awsecs.UpdateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSet: aws.String("ecs-svc/0000000000000000099"),
		Scale: &types.Scale{Value: 30, Unit: types.ScaleUnitPercent}})
	wantCode(t, err, "TaskSetNotFoundException")
	_, err = c.UpdateTaskSet(ctx, &awsecs.UpdateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSet: aws.String(green),
		Scale: &types.Scale{Value: -1, Unit: types.ScaleUnitPercent}})
	wantCode(t, err, "InvalidParameterException")

	prim, err := c.UpdateServicePrimaryTaskSet(ctx, &awsecs.UpdateServicePrimaryTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), PrimaryTaskSet: aws.String(blue)})
	if err != nil || aws.ToString(prim.TaskSet.Status) != "PRIMARY" {
		t.Fatalf("primary: %+v %v", prim, err)
	}
	if _, err := c.UpdateServicePrimaryTaskSet(ctx, &awsecs.UpdateServicePrimaryTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), PrimaryTaskSet: aws.String(green)}); err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{"ext"}})
	if err != nil {
		t.Fatal(err)
	}
	svc := desc.Services[0]
	if len(svc.TaskSets) != 2 || len(svc.Deployments) != 0 || svc.DeploymentController.Type != types.DeploymentControllerTypeExternal ||
		aws.ToString(svc.TaskDefinition) != "arn:aws:ecs:us-east-1:000000000000:task-definition/talk:1" {
		t.Fatalf("service %+v", svc)
	}
	statuses := map[string]string{}
	for _, ts := range svc.TaskSets {
		statuses[aws.ToString(ts.TaskSetArn)] = aws.ToString(ts.Status)
	}
	if statuses[blue] != "ACTIVE" || statuses[green] != "PRIMARY" {
		t.Fatalf("statuses %v", statuses)
	}

	_, err = c.DeleteTaskSet(ctx, &awsecs.DeleteTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSet: aws.String(blue)})
	wantCode(t, err, "InvalidParameterException") // scaled above 0
	del, err := c.DeleteTaskSet(ctx, &awsecs.DeleteTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSet: aws.String(blue), Force: aws.Bool(true)})
	if err != nil || aws.ToString(del.TaskSet.Status) != "DRAINING" || del.TaskSet.ComputedDesiredCount != 0 {
		t.Fatalf("delete: %+v %v", del, err)
	}
	_, err = c.UpdateTaskSet(ctx, &awsecs.UpdateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSet: aws.String(blue),
		Scale: &types.Scale{Value: 10, Unit: types.ScaleUnitPercent}})
	wantCode(t, err, "InvalidParameterException")

	// UpdateService changes the desired count, and so every computed count;
	// what the tasks run changes only through task sets.
	if _, err := c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("ext"), DesiredCount: aws.Int32(10)}); err != nil {
		t.Fatal(err)
	}
	sets, err := c.DescribeTaskSets(ctx, &awsecs.DescribeTaskSetsInput{Cluster: aws.String("default"), Service: aws.String("ext"),
		TaskSets: []string{green, "ecs-svc/0000000000000000077"}, Include: []types.TaskSetField{types.TaskSetFieldTags}})
	if err != nil || len(sets.TaskSets) != 1 || sets.TaskSets[0].ComputedDesiredCount != 3 || len(sets.Failures) != 1 ||
		aws.ToString(sets.Failures[0].Reason) != "MISSING" {
		t.Fatalf("describe: %+v %v", sets, err)
	}
	_, err = c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("ext"), TaskDefinition: aws.String("talk"), ForceNewDeployment: true})
	wantCode(t, err, "InvalidParameterException")
}

func TestCreateServiceDeploymentControllers(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, fakeTGs{"arn:tg/blue": true}, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	_, err := c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("d"), SchedulingStrategy: types.SchedulingStrategyDaemon,
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeExternal}})
	wantCode(t, err, "InvalidParameterException")
	_, err = c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("cd"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(1),
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy}})
	wantCode(t, err, "InvalidParameterException") // CODE_DEPLOY needs a load balancer
	out, err := c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("cd"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(2),
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy},
		LoadBalancers:        []types.LoadBalancer{{TargetGroupArn: aws.String("arn:tg/blue"), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}}})
	if err != nil {
		t.Fatal(err)
	}
	s := out.Service
	if len(s.Deployments) != 0 || len(s.TaskSets) != 1 || aws.ToString(s.TaskSets[0].Status) != "PRIMARY" ||
		s.TaskSets[0].ComputedDesiredCount != 2 || s.TaskSets[0].Scale.Value != 100 {
		t.Fatalf("CODE_DEPLOY service %+v", s)
	}
	_, err = c.CreateTaskSet(ctx, &awsecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("cd"), TaskDefinition: aws.String("talk")})
	wantCode(t, err, "InvalidParameterException")
	if _, err := c.DescribeTaskSets(ctx, &awsecs.DescribeTaskSetsInput{Cluster: aws.String("default"), Service: aws.String("cd")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("cd"), TaskDefinition: aws.String("talk:1"), ForceNewDeployment: true})
	wantCode(t, err, "InvalidParameterException")
	if _, err := c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("cd"), DesiredCount: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
}
