package ecs

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestCapacityProviders(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	all, err := c.DescribeCapacityProviders(ctx, &awsecs.DescribeCapacityProvidersInput{})
	if err != nil || len(all.CapacityProviders) != 2 || aws.ToString(all.CapacityProviders[0].Name) != "FARGATE" ||
		aws.ToString(all.CapacityProviders[1].Name) != "FARGATE_SPOT" || all.CapacityProviders[0].Status != types.CapacityProviderStatusActive {
		t.Fatalf("built in: %+v %v", all, err)
	}
	asg := &types.AutoScalingGroupProvider{AutoScalingGroupArn: aws.String("arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:1:autoScalingGroupName/web"),
		ManagedScaling: &types.ManagedScaling{Status: types.ManagedScalingStatusEnabled, TargetCapacity: aws.Int32(90)}}
	created, err := c.CreateCapacityProvider(ctx, &awsecs.CreateCapacityProviderInput{Name: aws.String("web-asg"), AutoScalingGroupProvider: asg,
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}})
	if err != nil {
		t.Fatal(err)
	}
	cp := created.CapacityProvider
	if aws.ToString(cp.CapacityProviderArn) != "arn:aws:ecs:us-east-1:000000000000:capacity-provider/web-asg" || cp.Type != types.CapacityProviderTypeEc2Autoscaling ||
		aws.ToInt32(cp.AutoScalingGroupProvider.ManagedScaling.TargetCapacity) != 90 || cp.UpdateStatus != types.CapacityProviderUpdateStatusCreateComplete {
		t.Fatalf("created: %+v", cp)
	}
	_, err = c.CreateCapacityProvider(ctx, &awsecs.CreateCapacityProviderInput{Name: aws.String("web-asg"), AutoScalingGroupProvider: asg})
	wantCode(t, err, "ClientException")
	_, err = c.CreateCapacityProvider(ctx, &awsecs.CreateCapacityProviderInput{Name: aws.String("fargate-2"), AutoScalingGroupProvider: asg})
	wantCode(t, err, "InvalidParameterException")
	_, err = c.CreateCapacityProvider(ctx, &awsecs.CreateCapacityProviderInput{Name: aws.String("none")})
	wantCode(t, err, "InvalidParameterException")
	up, err := c.UpdateCapacityProvider(ctx, &awsecs.UpdateCapacityProviderInput{Name: aws.String("web-asg"),
		AutoScalingGroupProvider: &types.AutoScalingGroupProviderUpdate{ManagedTerminationProtection: types.ManagedTerminationProtectionDisabled}})
	if err != nil || up.CapacityProvider.AutoScalingGroupProvider.ManagedTerminationProtection != types.ManagedTerminationProtectionDisabled ||
		aws.ToString(up.CapacityProvider.AutoScalingGroupProvider.AutoScalingGroupArn) == "" {
		t.Fatalf("update: %+v %v", up, err)
	}
	put, err := c.PutClusterCapacityProviders(ctx, &awsecs.PutClusterCapacityProvidersInput{Cluster: aws.String("default"),
		CapacityProviders: []string{"FARGATE", "web-asg"},
		DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("web-asg"), Base: 1, Weight: 2},
			{CapacityProvider: aws.String("FARGATE"), Weight: 1}}})
	if err != nil || len(put.Cluster.CapacityProviders) != 2 || len(put.Cluster.DefaultCapacityProviderStrategy) != 2 ||
		put.Cluster.DefaultCapacityProviderStrategy[0].Base != 1 {
		t.Fatalf("put: %+v %v", put, err)
	}
	inCluster, err := c.DescribeCapacityProviders(ctx, &awsecs.DescribeCapacityProvidersInput{Cluster: aws.String("default"),
		Include: []types.CapacityProviderField{types.CapacityProviderFieldTags}})
	if err != nil || len(inCluster.CapacityProviders) != 2 || len(inCluster.CapacityProviders[1].Tags) != 1 {
		t.Fatalf("cluster's: %+v %v", inCluster, err)
	}
	for name, in := range map[string]*awsecs.PutClusterCapacityProvidersInput{
		"unknown provider": {Cluster: aws.String("default"), CapacityProviders: []string{"nope"}, DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{}},
		"not listed":       {Cluster: aws.String("default"), CapacityProviders: []string{"FARGATE"}, DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT")}}},
		"two bases": {Cluster: aws.String("default"), CapacityProviders: []string{"FARGATE", "FARGATE_SPOT"}, DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{
			{CapacityProvider: aws.String("FARGATE"), Base: 1}, {CapacityProvider: aws.String("FARGATE_SPOT"), Base: 2}}},
		"weight too big": {Cluster: aws.String("default"), CapacityProviders: []string{"FARGATE"}, DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{
			{CapacityProvider: aws.String("FARGATE"), Weight: 1001}}},
	} {
		if _, err := c.PutClusterCapacityProviders(ctx, in); err == nil {
			t.Fatalf("%s: accepted", name)
		} else {
			wantCode(t, err, "InvalidParameterException")
		}
	}
	_, err = c.DeleteCapacityProvider(ctx, &awsecs.DeleteCapacityProviderInput{CapacityProvider: aws.String("web-asg")})
	wantCode(t, err, "ClientException") // the cluster lists it
	_, err = c.DeleteCapacityProvider(ctx, &awsecs.DeleteCapacityProviderInput{CapacityProvider: aws.String("FARGATE")})
	wantCode(t, err, "InvalidParameterException")
	if _, err := c.PutClusterCapacityProviders(ctx, &awsecs.PutClusterCapacityProvidersInput{Cluster: aws.String("default"),
		CapacityProviders: []string{}, DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{}}); err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteCapacityProvider(ctx, &awsecs.DeleteCapacityProviderInput{CapacityProvider: aws.String("web-asg")})
	if err != nil || del.CapacityProvider.Status != types.CapacityProviderStatusInactive {
		t.Fatalf("delete: %+v %v", del, err)
	}
	after, err := c.DescribeCapacityProviders(ctx, &awsecs.DescribeCapacityProvidersInput{CapacityProviders: []string{"web-asg", "ghost"}})
	if err != nil || len(after.CapacityProviders) != 1 || after.CapacityProviders[0].Status != types.CapacityProviderStatusInactive || len(after.Failures) != 1 {
		t.Fatalf("after delete: %+v %v", after, err)
	}
}

func TestServiceCapacityProviderStrategyChecked(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	create := func(name string, lt types.LaunchType, items ...types.CapacityProviderStrategyItem) error {
		_, err := c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String(name), TaskDefinition: aws.String("talk"),
			DesiredCount: aws.Int32(0), LaunchType: lt, CapacityProviderStrategy: items})
		return err
	}
	if err := create("ok", "", types.CapacityProviderStrategyItem{CapacityProvider: aws.String("FARGATE"), Base: 1, Weight: 1},
		types.CapacityProviderStrategyItem{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 3}); err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{"ok"}})
	if err != nil || len(desc.Services[0].CapacityProviderStrategy) != 2 || desc.Services[0].CapacityProviderStrategy[1].Weight != 3 {
		t.Fatalf("echo: %+v %v", desc, err)
	}
	wantCode(t, create("unassociated", "", types.CapacityProviderStrategyItem{CapacityProvider: aws.String("web-asg")}), "InvalidParameterException")
	wantCode(t, create("both", types.LaunchTypeFargate, types.CapacityProviderStrategyItem{CapacityProvider: aws.String("FARGATE")}), "InvalidParameterException")
	wantCode(t, create("bases", "", types.CapacityProviderStrategyItem{CapacityProvider: aws.String("FARGATE"), Base: 1},
		types.CapacityProviderStrategyItem{CapacityProvider: aws.String("FARGATE_SPOT"), Base: 1}), "InvalidParameterException")
	_, err = c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("ok"),
		CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("nope")}}})
	wantCode(t, err, "InvalidParameterException")
}
