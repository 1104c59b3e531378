package ecs

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// RunTask splits its tasks across the strategy's providers by base and
// weight, each task showing its provider and the launch type it implies;
// without a strategy or launch type the cluster's default one applies.
func TestRunTaskCapacityProviderStrategy(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	api.addInstance(t, "default", 4096)
	out, err := c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"), Count: aws.Int32(5),
		CapacityProviderStrategy: []types.CapacityProviderStrategyItem{
			{CapacityProvider: aws.String("FARGATE"), Base: 1, Weight: 1},
			{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 3},
		}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range out.Tasks {
		got = append(got, aws.ToString(tk.CapacityProviderName))
		if tk.LaunchType != types.LaunchTypeFargate {
			t.Fatalf("launch type %s", tk.LaunchType)
		}
	}
	if strings.Join(got, " ") != "FARGATE FARGATE_SPOT FARGATE_SPOT FARGATE FARGATE_SPOT" {
		t.Fatalf("providers %v", got)
	}

	_, err = c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"), LaunchType: types.LaunchTypeEc2,
		CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE"), Weight: 1}}})
	wantCode(t, err, "InvalidParameterException")
	_, err = c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"),
		CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("not-in-cluster"), Weight: 1}}})
	wantCode(t, err, "InvalidParameterException")

	if _, err := c.PutClusterCapacityProviders(ctx, &awsecs.PutClusterCapacityProvidersInput{Cluster: aws.String("default"),
		CapacityProviders:               []string{"FARGATE_SPOT"},
		DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 1}}}); err != nil {
		t.Fatal(err)
	}
	dflt, err := c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk")})
	if err != nil || len(dflt.Tasks) != 1 || aws.ToString(dflt.Tasks[0].CapacityProviderName) != "FARGATE_SPOT" {
		t.Fatalf("default strategy: %+v %v", dflt, err)
	}
	ec2, err := c.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"), LaunchType: types.LaunchTypeEc2})
	if err != nil || ec2.Tasks[0].CapacityProviderName != nil || ec2.Tasks[0].LaunchType != types.LaunchTypeEc2 {
		t.Fatalf("launch type: %+v %v", ec2, err)
	}
	svc, err := c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(0)})
	if err != nil || len(svc.Service.CapacityProviderStrategy) != 1 || svc.Service.LaunchType != "" {
		t.Fatalf("a service without either takes the cluster's default strategy: %+v %v", svc, err)
	}
}
