package ecs

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestClusterLifecycle(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	created, err := c.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("prod"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(created.Cluster.ClusterArn); got != "arn:aws:ecs:us-east-1:000000000000:cluster/prod" {
		t.Fatalf("arn = %s", got)
	}
	again, err := c.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("prod")})
	if err != nil || aws.ToString(again.Cluster.ClusterArn) != aws.ToString(created.Cluster.ClusterArn) {
		t.Fatalf("idempotent create: %v %v", again, err)
	}
	desc, err := c.DescribeClusters(ctx, &awsecs.DescribeClustersInput{
		Clusters: []string{"prod", "nope"}, Include: []types.ClusterField{types.ClusterFieldTags}})
	if err != nil {
		t.Fatal(err)
	}
	if len(desc.Clusters) != 1 || len(desc.Failures) != 1 || aws.ToString(desc.Failures[0].Reason) != "MISSING" {
		t.Fatalf("describe: %+v", desc)
	}
	if len(desc.Clusters[0].Tags) != 1 || aws.ToString(desc.Clusters[0].Status) != "ACTIVE" {
		t.Fatalf("describe cluster: %+v", desc.Clusters[0])
	}
	if _, err := c.DeleteCluster(ctx, &awsecs.DeleteClusterInput{Cluster: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteCluster(ctx, &awsecs.DeleteClusterInput{Cluster: aws.String("prod")})
	wantCode(t, err, "ClusterNotFoundException")
	_, err = c.ListServices(ctx, &awsecs.ListServicesInput{Cluster: aws.String("prod")})
	wantCode(t, err, "ClusterNotFoundException")
}

func TestListClustersPaginates(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	for i := range 5 {
		if _, err := api.client.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String(fmt.Sprintf("c%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	var all []string
	p := awsecs.NewListClustersPaginator(api.client, &awsecs.ListClustersInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.ClusterArns) > 2 {
			t.Fatalf("page of %d", len(page.ClusterArns))
		}
		all = append(all, page.ClusterArns...)
	}
	if len(all) != 5 {
		t.Fatalf("listed %d clusters: %v", len(all), all)
	}
}

func TestDeleteClusterRefusedWhileInUse(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	if _, err := c.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("busy")}); err != nil {
		t.Fatal(err)
	}
	registerTalk(t, api)
	if _, err := c.CreateService(ctx, &awsecs.CreateServiceInput{Cluster: aws.String("busy"), ServiceName: aws.String("s"),
		TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DeleteCluster(ctx, &awsecs.DeleteClusterInput{Cluster: aws.String("busy")})
	wantCode(t, err, "ClusterContainsServicesException")
	if _, err := c.DeleteService(ctx, &awsecs.DeleteServiceInput{Cluster: aws.String("busy"), Service: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteCluster(ctx, &awsecs.DeleteClusterInput{Cluster: aws.String("busy")})
	wantCode(t, err, "ClusterContainsServicesException") // DRAINING until its tasks stopped
	api.addInstance(t, "busy", 1024)
	if _, err := c.RunTask(ctx, &awsecs.RunTaskInput{Cluster: aws.String("busy"), TaskDefinition: aws.String("talk")}); err != nil {
		t.Fatal(err)
	}
	desc, _ := c.DescribeClusters(ctx, &awsecs.DescribeClustersInput{Clusters: []string{"busy"}})
	if desc.Clusters[0].PendingTasksCount != 1 {
		t.Fatalf("pending tasks %d", desc.Clusters[0].PendingTasksCount)
	}
}
