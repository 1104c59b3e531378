package ecs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/slipway-dev/slipway/internal/state"
)

// runServiceTasks runs n tasks of talk and makes them service s's, as the
// service controller would have placed them.
func runServiceTasks(t *testing.T, api *testAPI, n int) []string {
	t.Helper()
	run, err := api.client.RunTask(context.Background(), &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"), Count: aws.Int32(int32(n))})
	if err != nil || len(run.Tasks) != n {
		t.Fatalf("run: %+v %v", run, err)
	}
	var arns []string
	err = api.st.Update(context.Background(), func(tx state.Tx) error {
		for _, rt := range run.Tasks {
			arn := aws.ToString(rt.TaskArn)
			task, err := tx.Task("default", arn[strings.LastIndex(arn, "/")+1:])
			if err != nil {
				return err
			}
			task.Internal.Service, task.Group = "s", "service:s"
			if err := tx.PutTask(task); err != nil {
				return err
			}
			arns = append(arns, arn)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return arns
}

func TestTaskProtection(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	api.addInstance(t, "default", 1024)
	tasks := runServiceTasks(t, api, 2)
	standalone, err := c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk")})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	up, err := c.UpdateTaskProtection(ctx, &awsecs.UpdateTaskProtectionInput{Cluster: aws.String("default"),
		Tasks: []string{tasks[0], aws.ToString(standalone.Tasks[0].TaskArn), "no-such-task"}, ProtectionEnabled: true, ExpiresInMinutes: aws.Int32(30)})
	if err != nil {
		t.Fatal(err)
	}
	if len(up.ProtectedTasks) != 1 || !up.ProtectedTasks[0].ProtectionEnabled || len(up.Failures) != 2 ||
		aws.ToString(up.Failures[0].Reason) != "TASK_NOT_VALID" || aws.ToString(up.Failures[1].Reason) != "MISSING" {
		t.Fatalf("update: %+v", up)
	}
	if exp := up.ProtectedTasks[0].ExpirationDate; exp == nil || exp.Sub(before) < 29*time.Minute || exp.Sub(before) > 31*time.Minute {
		t.Fatalf("expiration: %v", exp)
	}
	got, err := c.GetTaskProtection(ctx, &awsecs.GetTaskProtectionInput{Cluster: aws.String("default"), Tasks: tasks})
	if err != nil || len(got.ProtectedTasks) != 2 || !got.ProtectedTasks[0].ProtectionEnabled || got.ProtectedTasks[1].ProtectionEnabled ||
		got.ProtectedTasks[1].ExpirationDate != nil {
		t.Fatalf("get: %+v %v", got, err)
	}
	off, err := c.UpdateTaskProtection(ctx, &awsecs.UpdateTaskProtectionInput{Cluster: aws.String("default"), Tasks: tasks[:1], ProtectionEnabled: false})
	if err != nil || off.ProtectedTasks[0].ProtectionEnabled {
		t.Fatalf("off: %+v %v", off, err)
	}
	for name, in := range map[string]*awsecs.UpdateTaskProtectionInput{
		"too long":            {Cluster: aws.String("default"), Tasks: tasks, ProtectionEnabled: true, ExpiresInMinutes: aws.Int32(2881)},
		"expiry when off":     {Cluster: aws.String("default"), Tasks: tasks, ExpiresInMinutes: aws.Int32(5)},
		"more than ten tasks": {Cluster: aws.String("default"), Tasks: make([]string, 11), ProtectionEnabled: true},
	} {
		_, err := c.UpdateTaskProtection(ctx, in)
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		wantCode(t, err, "InvalidParameterException")
	}
	if status, body := rawCall(t, api.url, "UpdateTaskProtection", `{"cluster":"default","tasks":[],"protectionEnabled":true}`); status != 400 ||
		!strings.HasSuffix(body["__type"].(string), "InvalidParameterException") {
		t.Fatalf("no tasks: %d %v", status, body)
	}
	_, err = c.GetTaskProtection(ctx, &awsecs.GetTaskProtectionInput{Cluster: aws.String("nope"), Tasks: tasks})
	wantCode(t, err, "ClusterNotFoundException")
}

func TestDeleteTaskDefinitions(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	registerTalk(t, api)
	if _, err := c.DeregisterTaskDefinition(ctx, &awsecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("talk:1")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.DeleteTaskDefinitions(ctx, &awsecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{
		"arn:aws:ecs:us-east-1:000000000000:task-definition/talk:1", "talk:2", "talk:9"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.TaskDefinitions) != 1 || out.TaskDefinitions[0].Status != "DELETE_IN_PROGRESS" || out.TaskDefinitions[0].DeleteRequestedAt == nil {
		t.Fatalf("deleted: %+v", out.TaskDefinitions)
	}
	if len(out.Failures) != 2 || !strings.Contains(aws.ToString(out.Failures[0].Reason), "ACTIVE") || aws.ToString(out.Failures[1].Reason) != "MISSING" {
		t.Fatalf("failures: %+v", out.Failures)
	}
	desc, err := c.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("talk:1")})
	if err != nil || desc.TaskDefinition.Status != "DELETE_IN_PROGRESS" {
		t.Fatalf("describe: %+v %v", desc, err)
	}
	list, err := c.ListTaskDefinitions(ctx, &awsecs.ListTaskDefinitionsInput{Status: "DELETE_IN_PROGRESS"})
	if err != nil || len(list.TaskDefinitionArns) != 1 {
		t.Fatalf("list: %+v %v", list, err)
	}
	api.addInstance(t, "default", 1024)
	_, err = c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk:1")})
	wantCode(t, err, "InvalidParameterException")
	_, err = c.DeleteTaskDefinitions(ctx, &awsecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{"talk"}})
	wantCode(t, err, "ClientException")
	if status, body := rawCall(t, api.url, "DeleteTaskDefinitions", `{"taskDefinitions":[]}`); status != 400 ||
		!strings.HasSuffix(body["__type"].(string), "InvalidParameterException") {
		t.Fatalf("none named: %d %v", status, body)
	}
	// The revision is not reused.
	registerTalk(t, api)
	again, err := c.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("talk")})
	if err != nil || again.TaskDefinition.Revision != 3 {
		t.Fatalf("next revision: %+v %v", again, err)
	}
}
