package ecs

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

func TestAwsvpcNetworkConfigurationAsECSChecksIt(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, fakeTGs{}, nil)
	createDefault(t, api)
	api.addInstance(t, "default", 4096)
	registerAwsvpcTalk(t, api)
	c := api.client
	nc := &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1", "subnet-2"}, SecurityGroups: []string{"sg-1"}}}

	_, err := c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk")})
	wantCode(t, err, "InvalidParameterException")
	_, err = c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"),
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{}}}})
	wantCode(t, err, "InvalidParameterException")

	out, err := c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"), Count: aws.Int32(2), NetworkConfiguration: nc})
	if err != nil || len(out.Tasks) != 2 {
		t.Fatalf("run: %+v %v", out, err)
	}
	for _, task := range out.Tasks {
		a := task.Attachments
		if len(a) != 1 || aws.ToString(a[0].Type) != "ElasticNetworkInterface" || aws.ToString(a[0].Status) != "PRECREATED" ||
			len(a[0].Details) != 1 || aws.ToString(a[0].Details[0].Value) != "subnet-1" {
			t.Errorf("attachments of a new awsvpc task: %+v", a)
		}
		if task.Containers[0].NetworkInterfaces == nil || task.Containers[0].NetworkBindings == nil {
			t.Errorf("lists are present, if empty: %+v", task.Containers[0])
		}
	}

	registerTalk(t, api) // talk:2, bridge
	_, err = c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk:2"), NetworkConfiguration: nc})
	wantCode(t, err, "InvalidParameterException")
	bridge, err := c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk:2")})
	if err != nil || bridge.Tasks[0].Attachments == nil || len(bridge.Tasks[0].Attachments) != 0 {
		t.Errorf("a bridge task has an empty list of attachments: %+v %v", bridge, err)
	}
}

func TestAwsvpcServicesNeedIPTargetGroups(t *testing.T) {
	ctx := context.Background()
	p := model.Partition{Region: "us-east-1", Account: "000000000000"}
	ipTG, instanceTG := p.TargetGroupARN("ip", "0123456789abcdef"), p.TargetGroupARN("instance", "0123456789abcdef")
	api := newTestAPI(t, fakeTGs{ipTG: true, instanceTG: true}, nil)
	createDefault(t, api)
	registerAwsvpcTalk(t, api)
	err := api.st.Update(ctx, func(tx state.Tx) error {
		for arn, tt := range map[string]string{ipTG: model.TargetTypeIP, instanceTG: model.TargetTypeInstance} {
			if err := tx.PutTargetGroup(model.TargetGroup{ARN: arn, Name: tt, TargetType: tt}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	nc := &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}}
	create := func(name, tg string) error {
		_, err := api.client.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String(name), TaskDefinition: aws.String("talk"),
			DesiredCount: aws.Int32(1), NetworkConfiguration: nc,
			LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String(tg), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}}})
		return err
	}
	err = create("a", instanceTG)
	wantCode(t, err, "InvalidParameterException")
	if !strings.Contains(err.Error(), "has target type instance, which is incompatible with the awsvpc network mode") {
		t.Errorf("message: %v", err)
	}
	if err := create("b", ipTG); err != nil {
		t.Fatal(err)
	}
	_, err = api.client.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("c"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(1)})
	wantCode(t, err, "InvalidParameterException")
}
