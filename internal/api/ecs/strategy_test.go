package ecs

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// TestStrategyRefusals: what a traffic-shifting strategy cannot honour is
// refused with ECS's InvalidParameterException and creates nothing.
func TestStrategyRefusals(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, fakeTGs{"arn:tg/attached": true}, nil)
	createDefault(t, api)
	registerTalk(t, api)
	lb := types.LoadBalancer{TargetGroupArn: aws.String("arn:tg/attached"), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}
	cases := map[string]*types.DeploymentConfiguration{
		"canary without advancedConfiguration": {Strategy: types.DeploymentStrategyCanary},
		"canaryPercent out of bounds": {Strategy: types.DeploymentStrategyCanary,
			CanaryConfiguration: &types.CanaryConfiguration{CanaryPercent: aws.Float64(0.05)}},
		"linear settings on canary": {Strategy: types.DeploymentStrategyCanary, LinearConfiguration: &types.LinearConfiguration{}},
		"hook without stages":       {Strategy: types.DeploymentStrategyBlueGreen, LifecycleHooks: []types.DeploymentLifecycleHook{{TargetType: types.DeploymentLifecycleHookTargetTypePause}}},
	}
	for name, dc := range cases {
		_, err := api.client.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("talk"), TaskDefinition: aws.String("talk"),
			DesiredCount: aws.Int32(1), LoadBalancers: []types.LoadBalancer{lb}, DeploymentConfiguration: dc})
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		wantCode(t, err, "InvalidParameterException")
	}
	lb.AdvancedConfiguration = &types.AdvancedConfiguration{AlternateTargetGroupArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/missing/0123456789abcdef"),
		ProductionListenerRule: aws.String("arn:aws:elasticloadbalancing:us-east-1:000000000000:listener-rule/app/talk/0123456789abcdef/0123456789abcdef/0123456789abcdef")}
	_, err := api.client.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("talk"), TaskDefinition: aws.String("talk"),
		DesiredCount: aws.Int32(1), LoadBalancers: []types.LoadBalancer{lb}, DeploymentConfiguration: &types.DeploymentConfiguration{Strategy: types.DeploymentStrategyBlueGreen}})
	wantCode(t, err, "InvalidParameterException")
	listener := "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/talk/0123456789abcdef/0123456789abcdef"
	lb.AdvancedConfiguration.ProductionListenerRule = aws.String(listener)
	_, err = api.client.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("talk"), TaskDefinition: aws.String("talk"),
		DesiredCount: aws.Int32(1), LoadBalancers: []types.LoadBalancer{lb}, DeploymentConfiguration: &types.DeploymentConfiguration{Strategy: types.DeploymentStrategyCanary}})
	if want := "productionListenerRule has an invalid ARN format. Must be RuleArn for ALB or ListenerArn for NLB. Got: " + listener; err == nil ||
		!strings.Contains(err.Error(), want) {
		t.Errorf("a listener ARN as productionListenerRule: %v, want %q", err, want)
	}
	list, err := api.client.ListServices(ctx, &awsecs.ListServicesInput{})
	if err != nil || len(list.ServiceArns) != 0 {
		t.Fatalf("refused services were created: %v %v", list, err)
	}
}
