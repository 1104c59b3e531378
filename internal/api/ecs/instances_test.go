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

// setAttributes gives a registered instance attributes, as its agent does.
func (a *testAPI) setAttributes(t *testing.T, cluster, arn string, attrs ...model.Attribute) {
	t.Helper()
	id := arn[strings.LastIndex(arn, "/")+1:]
	err := a.st.Update(context.Background(), func(tx state.Tx) error {
		ci, err := tx.Instance(cluster, id)
		if err != nil {
			return err
		}
		ci.Attributes = attrs
		return tx.PutInstance(ci)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestListContainerInstancesFilter(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	createDefault(t, api)
	small, large := api.addInstance(t, "default", 512), api.addInstance(t, "default", 4096)
	api.setAttributes(t, "default", small, model.Attribute{Name: "ecs.instance-type", Value: "t2.small"})
	api.setAttributes(t, "default", large, model.Attribute{Name: "ecs.instance-type", Value: "m5.large"}, model.Attribute{Name: "stack"})
	for filter, want := range map[string][]string{
		"attribute:ecs.instance-type == t2.small":             {small},
		"attribute:ecs.instance-type =~ m5.*":                 {large},
		"attribute:stack exists":                              {large},
		"attribute:ecs.instance-type in [t2.small, m5.large]": nil, // both
		"runningTasksCount == 0 and agentConnected == true":   nil,
		"attribute:ecs.instance-type == c5.xlarge":            {},
	} {
		out, err := api.client.ListContainerInstances(ctx, &awsecs.ListContainerInstancesInput{Filter: aws.String(filter)})
		if err != nil {
			t.Fatalf("%s: %v", filter, err)
		}
		if want == nil {
			want = []string{small, large}
		}
		if len(out.ContainerInstanceArns) != len(want) {
			t.Fatalf("%s: %v, want %v", filter, out.ContainerInstanceArns, want)
		}
		for _, arn := range want {
			found := false
			for _, got := range out.ContainerInstanceArns {
				found = found || got == arn
			}
			if !found {
				t.Fatalf("%s: %v, want %v", filter, out.ContainerInstanceArns, want)
			}
		}
	}
	_, err := api.client.ListContainerInstances(ctx, &awsecs.ListContainerInstancesInput{Filter: aws.String("attribute:x >< y")})
	wantCode(t, err, "InvalidParameterException")
	_, err = api.client.ListContainerInstances(ctx, &awsecs.ListContainerInstancesInput{Status: "RETIRED"})
	wantCode(t, err, "InvalidParameterException")
	// An empty answer is an empty list, as ECS sends it.
	status, body := rawCall(t, api.url, "ListContainerInstances", `{"status":"DRAINING"}`)
	if arns, ok := body["containerInstanceArns"].([]any); status != 200 || !ok || len(arns) != 0 {
		t.Fatalf("empty list: %d %v", status, body)
	}
}

func TestDescribeContainerInstancesInclude(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	createDefault(t, api)
	arn := api.addInstance(t, "default", 512)
	if _, err := api.client.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("rack"), Value: aws.String("r1")}}}); err != nil {
		t.Fatal(err)
	}
	plain, err := api.client.DescribeContainerInstances(ctx, &awsecs.DescribeContainerInstancesInput{ContainerInstances: []string{arn}})
	if err != nil {
		t.Fatal(err)
	}
	if ci := plain.ContainerInstances[0]; len(ci.Tags) != 0 || ci.HealthStatus != nil {
		t.Fatalf("tags or health without include: %+v", ci)
	}
	full, err := api.client.DescribeContainerInstances(ctx, &awsecs.DescribeContainerInstancesInput{ContainerInstances: []string{arn},
		Include: []types.ContainerInstanceField{types.ContainerInstanceFieldTags, types.ContainerInstanceFieldContainerInstanceHealth}})
	if err != nil {
		t.Fatal(err)
	}
	ci := full.ContainerInstances[0]
	if len(ci.Tags) != 1 || aws.ToString(ci.Tags[0].Value) != "r1" {
		t.Fatalf("tags: %+v", ci.Tags)
	}
	h := ci.HealthStatus
	if h == nil || h.OverallStatus != types.InstanceHealthCheckStateOk || len(h.Details) != 1 ||
		h.Details[0].Type != types.InstanceHealthCheckTypeContainerRuntime || h.Details[0].LastUpdated == nil {
		t.Fatalf("health: %+v", h)
	}
	_, err = api.client.DescribeContainerInstances(ctx, &awsecs.DescribeContainerInstancesInput{ContainerInstances: []string{arn},
		Include: []types.ContainerInstanceField{"EVERYTHING"}})
	wantCode(t, err, "InvalidParameterException")
}

func TestEmptyListsAreLists(t *testing.T) {
	api := newTestAPI(t, nil, nil)
	createDefault(t, api)
	registerTalk(t, api)
	if _, err := api.client.CreateService(context.Background(), &awsecs.CreateServiceInput{ServiceName: aws.String("s"),
		TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ op, body, member string }{
		{"ListTaskDefinitions", `{"familyPrefix":"nothing"}`, "taskDefinitionArns"},
		{"ListTaskDefinitions", `{"status":"INACTIVE"}`, "taskDefinitionArns"},
		{"ListTaskDefinitionFamilies", `{"familyPrefix":"nothing"}`, "families"},
		{"ListContainerInstances", `{}`, "containerInstanceArns"},
		{"ListServiceDeployments", `{"service":"s","status":["STOPPED"]}`, "serviceDeployments"},
		{"ListServiceDeployments", `{"service":"s","createdAt":{"before":1}}`, "serviceDeployments"},
	} {
		status, body := rawCall(t, api.url, c.op, c.body)
		if list, ok := body[c.member].([]any); status != 200 || !ok || len(list) != 0 {
			t.Errorf("%s %s: %d %v", c.op, c.body, status, body)
		}
	}
	status, body := rawCall(t, api.url, "ListServiceDeployments", `{"service":"s","createdAt":{"after":1}}`)
	if list, _ := body["serviceDeployments"].([]any); status != 200 || len(list) != 1 {
		t.Errorf("createdAt after: %d %v", status, body)
	}
}

// volumeConfigurations and vpcLatticeConfigurations have no meaning here:
// stored and echoed where ECS shows them (deployments, revisions), never on
// the service itself.
func TestVolumeAndLatticeConfigurationsEchoed(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	createDefault(t, api)
	registerTalk(t, api)
	created, err := api.client.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("s"),
		TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(0),
		VolumeConfigurations: []types.ServiceVolumeConfiguration{{Name: aws.String("data"),
			ManagedEBSVolume: &types.ServiceManagedEBSVolumeConfiguration{RoleArn: aws.String("arn:aws:iam::000000000000:role/ebs"), SizeInGiB: aws.Int32(10)}}},
		VpcLatticeConfigurations: []types.VpcLatticeConfiguration{{PortName: aws.String("web"), RoleArn: aws.String("arn:aws:iam::000000000000:role/l"),
			TargetGroupArn: aws.String("arn:aws:vpc-lattice:us-east-1:000000000000:targetgroup/tg-1")}}})
	if err != nil {
		t.Fatal(err)
	}
	d := created.Service.Deployments[0]
	if len(d.VolumeConfigurations) != 1 || aws.ToInt32(d.VolumeConfigurations[0].ManagedEBSVolume.SizeInGiB) != 10 ||
		len(d.VpcLatticeConfigurations) != 1 || aws.ToString(d.VpcLatticeConfigurations[0].PortName) != "web" {
		t.Fatalf("deployment: %+v", d)
	}
	status, body := rawCall(t, api.url, "DescribeServices", `{"services":["s"]}`)
	svc := body["services"].([]any)[0].(map[string]any)
	if _, ok := svc["volumeConfigurations"]; status != 200 || ok {
		t.Fatalf("service shows volumeConfigurations: %v", svc)
	}
	list, err := api.client.ListServiceDeployments(ctx, &awsecs.ListServiceDeploymentsInput{Service: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	revs, err := api.client.DescribeServiceRevisions(ctx, &awsecs.DescribeServiceRevisionsInput{
		ServiceRevisionArns: []string{aws.ToString(list.ServiceDeployments[0].TargetServiceRevisionArn)}})
	if err != nil {
		t.Fatal(err)
	}
	if r := revs.ServiceRevisions[0]; len(r.VolumeConfigurations) != 1 || len(r.VpcLatticeConfigurations) != 1 {
		t.Fatalf("revision: %+v", r)
	}
}
