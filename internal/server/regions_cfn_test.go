package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfnsdk "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestCloudFormationPerRegion: a stack made in eu-west-1 has an id of
// eu-west-1 and makes its ECS cluster there, where us-east-1 sees neither;
// an alarm in a stack outside the home region fails the stack, saying
// CloudWatch is the home region's.
func TestCloudFormationPerRegion(t *testing.T) {
	s := start(t, Config{})
	ctx := t.Context()
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	cfnIn := func(region string) *cfnsdk.Client {
		return cfnsdk.New(cfnsdk.Options{Region: region, BaseEndpoint: aws.String(s.URL()), Credentials: creds, HTTPClient: testutil.SDKHTTPClient()})
	}
	eu := cfnIn("eu-west-1")
	status := func(name string) string {
		out, err := eu.DescribeStacks(ctx, &cfnsdk.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil || len(out.Stacks) != 1 {
			return fmt.Sprint(err)
		}
		return string(out.Stacks[0].StackStatus) + " " + aws.ToString(out.Stacks[0].StackStatusReason)
	}
	const cluster = `{"Resources":{"C":{"Type":"AWS::ECS::Cluster","Properties":{"ClusterName":"stacked"}}}}`
	created, err := eu.CreateStack(ctx, &cfnsdk.CreateStackInput{StackName: aws.String("web"), TemplateBody: aws.String(cluster)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(aws.ToString(created.StackId), "arn:aws:cloudformation:eu-west-1:") {
		t.Fatalf("stack id %s", aws.ToString(created.StackId))
	}
	testutil.Eventually(t, 20*time.Second, func() (bool, string) { st := status("web"); return strings.HasPrefix(st, "CREATE_COMPLETE"), st })
	euECS, usECS := clientsIn(s, "eu-west-1").ecs, clientsIn(s, "us-east-1").ecs
	out, err := euECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"stacked"}})
	if err != nil || len(out.Clusters) != 1 || !strings.Contains(aws.ToString(out.Clusters[0].ClusterArn), ":eu-west-1:") {
		t.Fatalf("eu-west-1's stacked cluster: %+v %v", out, err)
	}
	if out, err := usECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"stacked"}}); err != nil || len(out.Clusters) != 0 {
		t.Errorf("us-east-1 sees the cluster: %+v %v", out, err)
	}
	if list, err := cfnIn("us-east-1").ListStacks(ctx, &cfnsdk.ListStacksInput{}); err != nil || len(list.StackSummaries) != 0 {
		t.Errorf("us-east-1 lists stacks %+v %v", list, err)
	}

	const alarm = `{"Resources":{"A":{"Type":"AWS::CloudWatch::Alarm","Properties":{"MetricName":"CPUUtilization","Namespace":"AWS/ECS",
		"Statistic":"Average","Period":60,"EvaluationPeriods":1,"Threshold":90,"ComparisonOperator":"GreaterThanThreshold"}}}}`
	if _, err := eu.CreateStack(ctx, &cfnsdk.CreateStackInput{StackName: aws.String("alarmed"), TemplateBody: aws.String(alarm)}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 20*time.Second, func() (bool, string) { st := status("alarmed"); return strings.HasPrefix(st, "ROLLBACK_COMPLETE"), st })
	events, err := eu.DescribeStackEvents(ctx, &cfnsdk.DescribeStackEventsInput{StackName: aws.String("alarmed")})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events.StackEvents {
		found = found || strings.Contains(aws.ToString(e.ResourceStatusReason), "only in its home region us-east-1")
	}
	if !found {
		t.Errorf("no event says why the alarm failed: %+v", events.StackEvents)
	}
}
