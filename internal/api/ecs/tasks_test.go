package ecs

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestRunStopListDescribeTasks(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	_, err := c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk")})
	wantCode(t, err, "InvalidParameterException") // no container instances yet
	inst := api.addInstance(t, "default", 300)
	run, err := c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"), Count: aws.Int32(3), StartedBy: aws.String("ci"),
		Overrides: &types.TaskOverride{ContainerOverrides: []types.ContainerOverride{{Name: aws.String("web"), Command: []string{"x"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	// 300 MiB fits two tasks reserving 128 MiB each.
	if len(run.Tasks) != 2 || len(run.Failures) != 1 || aws.ToString(run.Failures[0].Reason) != "RESOURCE:MEMORY" {
		t.Fatalf("run: %d tasks, failures %+v", len(run.Tasks), run.Failures)
	}
	task := run.Tasks[0]
	if aws.ToString(task.LastStatus) != "PROVISIONING" || aws.ToString(task.DesiredStatus) != "RUNNING" ||
		aws.ToString(task.ContainerInstanceArn) != inst || aws.ToString(task.Group) != "family:talk" ||
		len(task.Containers) != 1 || aws.ToString(task.Containers[0].Name) != "web" ||
		!strings.HasPrefix(aws.ToString(task.TaskArn), "arn:aws:ecs:us-east-1:000000000000:task/default/") {
		t.Fatalf("task: %+v", task)
	}
	_, err = c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"),
		Overrides: &types.TaskOverride{ContainerOverrides: []types.ContainerOverride{{Name: aws.String("nope")}}}})
	wantCode(t, err, "InvalidParameterException")

	stopped, err := c.StopTask(ctx, &awsecs.StopTaskInput{Task: task.TaskArn, Reason: aws.String("testing")})
	if err != nil || aws.ToString(stopped.Task.DesiredStatus) != "STOPPED" || aws.ToString(stopped.Task.StoppedReason) != "testing" ||
		stopped.Task.StopCode != types.TaskStopCodeUserInitiated {
		t.Fatalf("stop: %+v %v", stopped, err)
	}
	running, _ := c.ListTasks(ctx, &awsecs.ListTasksInput{})
	stoppedList, _ := c.ListTasks(ctx, &awsecs.ListTasksInput{DesiredStatus: types.DesiredStatusStopped})
	byStarter, _ := c.ListTasks(ctx, &awsecs.ListTasksInput{StartedBy: aws.String("ci"), Family: aws.String("talk")})
	pending, _ := c.ListTasks(ctx, &awsecs.ListTasksInput{DesiredStatus: types.DesiredStatusPending})
	if len(running.TaskArns) != 1 || len(stoppedList.TaskArns) != 1 || len(byStarter.TaskArns) != 1 || len(pending.TaskArns) != 1 {
		t.Fatalf("list: running %v stopped %v startedBy %v pending %v", running.TaskArns, stoppedList.TaskArns, byStarter.TaskArns, pending.TaskArns)
	}
	desc, err := c.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: []string{aws.ToString(task.TaskArn), "0123"}})
	if err != nil || len(desc.Tasks) != 1 || len(desc.Failures) != 1 {
		t.Fatalf("describe: %+v %v", desc, err)
	}
	_, err = c.StopTask(ctx, &awsecs.StopTaskInput{Task: aws.String("0123")})
	wantCode(t, err, "InvalidParameterException")

	insts, err := c.ListContainerInstances(ctx, &awsecs.ListContainerInstancesInput{})
	if err != nil || len(insts.ContainerInstanceArns) != 1 {
		t.Fatalf("instances: %v %v", insts, err)
	}
	di, err := c.DescribeContainerInstances(ctx, &awsecs.DescribeContainerInstancesInput{ContainerInstances: insts.ContainerInstanceArns})
	if err != nil || len(di.ContainerInstances) != 1 || di.ContainerInstances[0].PendingTasksCount != 2 {
		t.Fatalf("describe instances: %+v %v", di, err)
	}
}

func TestTags(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	created, _ := c.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("tagged")})
	arn := created.Cluster.ClusterArn
	_, err := c.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UntagResource(ctx, &awsecs.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListTagsForResource(ctx, &awsecs.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil || len(list.Tags) != 1 || aws.ToString(list.Tags[0].Key) != "b" {
		t.Fatalf("tags: %+v %v", list, err)
	}
	_, err = c.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String("arn:aws:ecs:us-east-1:000000000000:cluster/ghost"),
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	wantCode(t, err, "ClusterNotFoundException")
	_, err = c.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("1")}}})
	wantCode(t, err, "InvalidParameterException")
}
