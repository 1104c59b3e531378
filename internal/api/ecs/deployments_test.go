package ecs

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
)

func TestServiceDeploymentsAndRevisions(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	registerTalk(t, api)
	if _, err := c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("talk"), TaskDefinition: aws.String("talk:1"), DesiredCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("talk"), TaskDefinition: aws.String("talk:2")}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListServiceDeployments(ctx, &awsecs.ListServiceDeploymentsInput{Service: aws.String("talk")})
	if err != nil || len(list.ServiceDeployments) != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	newest := list.ServiceDeployments[0]
	if !strings.Contains(aws.ToString(newest.ServiceDeploymentArn), ":service-deployment/default/talk/") || newest.Status != "IN_PROGRESS" {
		t.Fatalf("newest: %+v", newest)
	}
	desc, err := c.DescribeServiceDeployments(ctx, &awsecs.DescribeServiceDeploymentsInput{
		ServiceDeploymentArns: []string{aws.ToString(newest.ServiceDeploymentArn), "arn:aws:ecs:us-east-1:000000000000:service-deployment/default/talk/999"}})
	if err != nil || len(desc.ServiceDeployments) != 1 || len(desc.Failures) != 1 {
		t.Fatalf("describe: %+v %v", desc, err)
	}
	sd := desc.ServiceDeployments[0]
	if len(sd.SourceServiceRevisions) != 1 || !strings.Contains(aws.ToString(sd.SourceServiceRevisions[0].Arn), ":service-revision/default/talk/") ||
		sd.TargetServiceRevision == nil || sd.TargetServiceRevision.RequestedTaskCount != 1 {
		t.Fatalf("deployment: %+v", sd)
	}
	revs, err := c.DescribeServiceRevisions(ctx, &awsecs.DescribeServiceRevisionsInput{ServiceRevisionArns: []string{
		aws.ToString(sd.TargetServiceRevision.Arn), aws.ToString(sd.SourceServiceRevisions[0].Arn)}})
	if err != nil || len(revs.ServiceRevisions) != 2 {
		t.Fatalf("revisions: %+v %v", revs, err)
	}
	if !strings.HasSuffix(aws.ToString(revs.ServiceRevisions[0].TaskDefinition), "talk:2") ||
		!strings.HasSuffix(aws.ToString(revs.ServiceRevisions[1].TaskDefinition), "talk:1") ||
		aws.ToString(revs.ServiceRevisions[0].ContainerImages[0].Image) != "talk-service" {
		t.Fatalf("revisions: %+v", revs.ServiceRevisions)
	}
}
