package ecs

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestStopServiceDeployment(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	if _, err := c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk"),
		DesiredCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListServiceDeployments(ctx, &awsecs.ListServiceDeploymentsInput{Service: aws.String("s")})
	if err != nil || len(list.ServiceDeployments) != 1 {
		t.Fatalf("list: %+v %v", list, err)
	}
	arn := list.ServiceDeployments[0].ServiceDeploymentArn
	_, err = c.StopServiceDeployment(ctx, &awsecs.StopServiceDeploymentInput{ServiceDeploymentArn: arn, StopType: types.StopServiceDeploymentStopTypeAbort})
	wantCode(t, err, "InvalidParameterException")
	out, err := c.StopServiceDeployment(ctx, &awsecs.StopServiceDeploymentInput{ServiceDeploymentArn: arn, StopType: types.StopServiceDeploymentStopTypeRollback})
	if err != nil || aws.ToString(out.ServiceDeploymentArn) != aws.ToString(arn) {
		t.Fatalf("stop: %+v %v", out, err)
	}
	desc, err := c.DescribeServiceDeployments(ctx, &awsecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{aws.ToString(arn)}})
	if err != nil || desc.ServiceDeployments[0].Status != types.ServiceDeploymentStatusRollbackRequested {
		t.Fatalf("describe: %+v %v", desc, err)
	}
	_, err = c.StopServiceDeployment(ctx, &awsecs.StopServiceDeploymentInput{ServiceDeploymentArn: arn})
	wantCode(t, err, "ConflictException")
	_, err = c.StopServiceDeployment(ctx, &awsecs.StopServiceDeploymentInput{
		ServiceDeploymentArn: aws.String("arn:aws:ecs:us-east-1:000000000000:service-deployment/default/s/99")})
	wantCode(t, err, "ServiceDeploymentNotFoundException")
	_, err = c.StopServiceDeployment(ctx, &awsecs.StopServiceDeploymentInput{
		ServiceDeploymentArn: aws.String("arn:aws:ecs:us-east-1:000000000000:service-deployment/default/nope/1")})
	wantCode(t, err, "ServiceDeploymentNotFoundException")
}
