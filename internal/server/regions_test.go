package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// regionClients are the ECS and ELBv2 clients of one region.
type regionClients struct {
	region string
	ecs    *ecs.Client
	elb    *elb.Client
}

func clientsIn(s *Server, region string) regionClients {
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	return regionClients{region: region,
		ecs: ecs.New(ecs.Options{Region: region, BaseEndpoint: aws.String(s.URL()), Credentials: creds,
			HTTPClient: testutil.SDKHTTPClient(), RetryMaxAttempts: 1}),
		elb: elb.New(elb.Options{Region: region, BaseEndpoint: aws.String(s.URL()), Credentials: creds,
			HTTPClient: testutil.SDKHTTPClient(), RetryMaxAttempts: 1})}
}

// setUp creates in c's region a cluster "web", a target group "web" and a
// service "web" of one sleeping task, and returns the ARNs made.
func (c regionClients) setUp(t *testing.T) []string {
	t.Helper()
	ctx := t.Context()
	cl, err := c.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("web")})
	if err != nil {
		t.Fatalf("%s: %v", c.region, err)
	}
	td, err := c.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("/bin/sh"), Essential: aws.Bool(true),
			Memory: aws.Int32(16), EntryPoint: []string{"/bin/sh", "-c"}, Command: []string{"exec sleep 600"}}}})
	if err != nil {
		t.Fatalf("%s: %v", c.region, err)
	}
	tg, err := c.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("web"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(8080), VpcId: aws.String("vpc-1")})
	if err != nil {
		t.Fatalf("%s: %v", c.region, err)
	}
	svc, err := c.ecs.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("web"), ServiceName: aws.String("web"),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(1)})
	if err != nil {
		t.Fatalf("%s: %v", c.region, err)
	}
	return []string{aws.ToString(cl.Cluster.ClusterArn), aws.ToString(td.TaskDefinition.TaskDefinitionArn),
		aws.ToString(tg.TargetGroups[0].TargetGroupArn), aws.ToString(svc.Service.ServiceArn)}
}

// sees returns the ARNs c's region lists: clusters, task definitions,
// target groups and services of cluster web.
func (c regionClients) sees(t *testing.T) []string {
	t.Helper()
	ctx := t.Context()
	cls, err := c.ecs.ListClusters(ctx, &ecs.ListClustersInput{})
	if err != nil {
		t.Fatalf("%s: %v", c.region, err)
	}
	tds, err := c.ecs.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{})
	if err != nil {
		t.Fatalf("%s: %v", c.region, err)
	}
	tgs, err := c.elb.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{})
	if err != nil {
		t.Fatalf("%s: %v", c.region, err)
	}
	svcs, err := c.ecs.ListServices(ctx, &ecs.ListServicesInput{Cluster: aws.String("web")})
	if err != nil {
		t.Fatalf("%s: %v", c.region, err)
	}
	out := append(slices.Clone(cls.ClusterArns), tds.TaskDefinitionArns...)
	for _, tg := range tgs.TargetGroups {
		out = append(out, aws.ToString(tg.TargetGroupArn))
	}
	return append(out, svcs.ServiceArns...)
}

// waitRunning polls until c's service web runs one task, in c's region.
func (c regionClients) waitRunning(t *testing.T) {
	t.Helper()
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		out, err := c.ecs.DescribeServices(t.Context(), &ecs.DescribeServicesInput{Cluster: aws.String("web"), Services: []string{"web"}})
		if err != nil || len(out.Services) != 1 {
			return false, fmt.Sprintf("%v %+v", err, out)
		}
		return out.Services[0].RunningCount == 1, fmt.Sprintf("%s: running %d", c.region, out.Services[0].RunningCount)
	})
	tasks, err := c.ecs.ListTasks(t.Context(), &ecs.ListTasksInput{Cluster: aws.String("web")})
	if err != nil || len(tasks.TaskArns) != 1 || !strings.Contains(tasks.TaskArns[0], ":"+c.region+":") {
		t.Fatalf("%s: tasks %v %v", c.region, tasks, err)
	}
}

// TestRegionsKeptApart: two SDK clients, in us-east-1 and eu-west-1, make
// resources of the same names; each region lists only its own, with ARNs
// of its region, and runs its own service's task; an ARN of the other
// region is not found; a restart keeps both; an unknown region and the
// home-only APIs in another region are refused as AWS refuses a credential
// of the wrong scope.
func TestRegionsKeptApart(t *testing.T) {
	dir := t.TempDir()
	s := start(t, Config{DataDir: dir, Runtime: "process"})
	us, eu := clientsIn(s, "us-east-1"), clientsIn(s, "eu-west-1")
	usARNs, euARNs := us.setUp(t), eu.setUp(t)
	for i := range usARNs {
		sameName := func(arn string) string {
			return strings.Replace(arn[:strings.LastIndex(arn, "/")], ":us-east-1:", ":eu-west-1:", 1)
		}
		if !strings.Contains(usARNs[i], ":us-east-1:") || !strings.Contains(euARNs[i], ":eu-west-1:") || sameName(usARNs[i]) != sameName(euARNs[i]) {
			t.Errorf("ARNs %s and %s: want the same resource in each region", usARNs[i], euARNs[i])
		}
	}
	check := func(c regionClients, own []string) {
		t.Helper()
		got := c.sees(t)
		for _, arn := range own {
			if !slices.Contains(got, arn) {
				t.Errorf("%s does not list its %s: %v", c.region, arn, got)
			}
		}
		for _, arn := range got {
			if !strings.Contains(arn, ":"+c.region+":") {
				t.Errorf("%s lists %s", c.region, arn)
			}
		}
	}
	check(us, usARNs)
	check(eu, euARNs)
	us.waitRunning(t)
	eu.waitRunning(t)

	// The other region's ARN is not found here.
	_, err := eu.elb.DescribeTargetGroups(t.Context(), &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{usARNs[2]}})
	var nf *elbtypes.TargetGroupNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("eu-west-1 describing a us-east-1 target group: %v", err)
	}
	// ECS refuses another region's ARN as ECS does.
	var ip *ecstypes.InvalidParameterException
	_, err = eu.ecs.DescribeClusters(t.Context(), &ecs.DescribeClustersInput{Clusters: []string{usARNs[0]}})
	if !errors.As(err, &ip) || ip.ErrorMessage() != "Invalid Region in ARN" {
		t.Errorf("eu-west-1 describing a us-east-1 cluster: %v", err)
	}
	_, err = eu.ecs.UpdateService(t.Context(), &ecs.UpdateServiceInput{Cluster: aws.String("web"), Service: aws.String(usARNs[3]), DesiredCount: aws.Int32(0)})
	if !errors.As(err, &ip) {
		t.Errorf("eu-west-1 updating a us-east-1 service: %v", err)
	}

	_, err = clientsIn(s, "xx-nowhere-1").ecs.ListClusters(t.Context(), &ecs.ListClustersInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidSignatureException" || !strings.Contains(ae.ErrorMessage(), "valid region") {
		t.Errorf("unknown region: %v", err)
	}
	_, err = clientsIn(s, "xx-nowhere-1").elb.DescribeLoadBalancers(t.Context(), &elb.DescribeLoadBalancersInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "SignatureDoesNotMatch" {
		t.Errorf("unknown region (ELB): %v", err)
	}
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	_, err = cw.New(cw.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.URL()), Credentials: creds, HTTPClient: testutil.SDKHTTPClient(),
		RetryMaxAttempts: 1}).ListMetrics(t.Context(), &cw.ListMetricsInput{})
	if !errors.As(err, &ae) || !strings.Contains(ae.ErrorMessage(), "only in its home region us-east-1") {
		t.Errorf("CloudWatch in eu-west-1: %v", err)
	}

	// A restart keeps both regions, and both regions' tasks run on.
	s.Close()
	s = start(t, Config{DataDir: dir, Runtime: "process"})
	t.Cleanup(func() { _ = s.StopAllTasks(context.Background()) })
	us, eu = clientsIn(s, "us-east-1"), clientsIn(s, "eu-west-1")
	check(us, usARNs)
	check(eu, euARNs)
	us.waitRunning(t)
	eu.waitRunning(t)
}
