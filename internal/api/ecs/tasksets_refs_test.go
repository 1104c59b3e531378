package ecs

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// An advancedConfiguration names what the ECS controller's traffic-shifting
// deployments move; nothing reads it on a task set or a service deployed
// through task sets, so it is refused there instead of stored and ignored.
func TestTaskSetsRefuseAdvancedConfiguration(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, fakeTGs{"arn:tg/blue": true, "arn:tg/green": true}, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	createExternal(t, api, "ext", 2)
	lb := types.LoadBalancer{TargetGroupArn: aws.String("arn:tg/blue"), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080),
		AdvancedConfiguration: &types.AdvancedConfiguration{AlternateTargetGroupArn: aws.String("arn:tg/green")}}
	_, err := c.CreateTaskSet(ctx, &awsecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"),
		TaskDefinition: aws.String("talk"), LoadBalancers: []types.LoadBalancer{lb}})
	wantCode(t, err, "InvalidParameterException")
	if !strings.Contains(err.Error(), "advancedConfiguration") {
		t.Fatalf("message: %v", err)
	}
	sets, err := c.DescribeTaskSets(ctx, &awsecs.DescribeTaskSetsInput{Cluster: aws.String("default"), Service: aws.String("ext")})
	if err != nil || len(sets.TaskSets) != 0 {
		t.Fatalf("a refused task set was stored: %+v %v", sets, err)
	}
	_, err = c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("ext2"), DesiredCount: aws.Int32(1),
		TaskDefinition: aws.String("talk"), LoadBalancers: []types.LoadBalancer{lb},
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeExternal}})
	wantCode(t, err, "InvalidParameterException")
}

// A task set is named by its id or by its own ARN; an ARN of another
// service that ends in the same id names no task set of this one.
func TestTaskSetARNMustBeItsOwn(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, fakeTGs{}, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	createExternal(t, api, "ext", 2)
	out, err := c.CreateTaskSet(ctx, &awsecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskDefinition: aws.String("talk")})
	if err != nil {
		t.Fatal(err)
	}
	id, arn := aws.ToString(out.TaskSet.Id), aws.ToString(out.TaskSet.TaskSetArn)
	other := strings.Replace(arn, "/default/ext/", "/default/other/", 1)
	got, err := c.DescribeTaskSets(ctx, &awsecs.DescribeTaskSetsInput{Cluster: aws.String("default"), Service: aws.String("ext"),
		TaskSets: []string{id, arn, other}})
	if err != nil || len(got.TaskSets) != 2 || len(got.Failures) != 1 || aws.ToString(got.Failures[0].Arn) != other ||
		aws.ToString(got.Failures[0].Reason) != "MISSING" {
		t.Fatalf("describe by id, ARN and another service's ARN: %+v %v", got, err)
	}
	_, err = c.UpdateTaskSet(ctx, &awsecs.UpdateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"),
		TaskSet: aws.String(other), Scale: &types.Scale{Value: 100, Unit: types.ScaleUnitPercent}})
	wantCode(t, err, "TaskSetNotFoundException")
}
