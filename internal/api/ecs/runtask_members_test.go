package ecs

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// RunTask's tag, platform and idempotency members are honoured or refused,
// not decoded and dropped.
func TestRunTaskTagsPlatformAndClientToken(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	if status, out := rawCall(t, api.url, "RegisterTaskDefinition",
		`{"family":"talk","containerDefinitions":[{"name":"web","image":"talk","memoryReservation":64}],"tags":[{"key":"team","value":"td"},{"key":"app","value":"talk"}]}`); status != 200 {
		t.Fatalf("register: %v", out)
	}
	api.addInstance(t, "default", 4096)
	in := &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"), Count: aws.Int32(2), ClientToken: aws.String("run-1"),
		PropagateTags: types.PropagateTagsTaskDefinition, EnableECSManagedTags: true, PlatformVersion: aws.String("1.4.0"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("request")}}}
	out, err := c.RunTask(ctx, in)
	if err != nil || len(out.Tasks) != 2 {
		t.Fatalf("run: %+v %v", out, err)
	}
	tags := map[string]string{}
	for _, tg := range out.Tasks[0].Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if tags["team"] != "request" || tags["app"] != "talk" || tags["aws:ecs:clusterName"] != "default" || len(tags) != 3 {
		t.Fatalf("tags %v", tags)
	}
	if aws.ToString(out.Tasks[0].PlatformVersion) != "1.4.0" {
		t.Fatalf("platformVersion %q", aws.ToString(out.Tasks[0].PlatformVersion))
	}
	again, err := c.RunTask(ctx, in)
	if err != nil || len(again.Tasks) != 2 {
		t.Fatalf("repeat: %+v %v", again, err)
	}
	first := map[string]bool{aws.ToString(out.Tasks[0].TaskArn): true, aws.ToString(out.Tasks[1].TaskArn): true}
	if !first[aws.ToString(again.Tasks[0].TaskArn)] || !first[aws.ToString(again.Tasks[1].TaskArn)] {
		t.Fatalf("a repeated clientToken started other tasks: %+v", again.Tasks)
	}
	list, err := c.ListTasks(ctx, &awsecs.ListTasksInput{})
	if err != nil || len(list.TaskArns) != 2 {
		t.Fatalf("tasks %+v %v", list, err)
	}
	_, err = c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"), PropagateTags: types.PropagateTagsService})
	wantCode(t, err, "InvalidParameterException")
	_, err = c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"), VolumeConfigurations: []types.TaskVolumeConfiguration{{Name: aws.String("v")}}})
	wantCode(t, err, "UnsupportedFeatureException")
}
