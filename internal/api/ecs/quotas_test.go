package ecs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// wantError asserts an API error's code and that its message contains msg.
func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	wantCode(t, err, code)
	var ae smithy.APIError
	errors.As(err, &ae)
	if !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("%s: message %q does not say %q", code, ae.ErrorMessage(), msg)
	}
}

// countTasks counts the tasks stored in cluster, so a test can show that a
// refused request started nothing.
func countTasks(t *testing.T, api *testAPI, cluster string) int {
	t.Helper()
	n := 0
	err := api.st.View(context.Background(), func(tx state.Tx) error {
		tasks, err := tx.Tasks(cluster)
		n = len(tasks)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDesiredCountIsBoundedByTasksPerService(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api)
	_, err := c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("big"), TaskDefinition: aws.String("talk"),
		DesiredCount: aws.Int32(model.MaxTasksPerService + 1)})
	wantError(t, err, "InvalidParameterException", "Desired count exceeds limit.")
	if _, err := c.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("big"), TaskDefinition: aws.String("talk"),
		DesiredCount: aws.Int32(model.MaxTasksPerService)}); err != nil {
		t.Fatalf("the quota itself is allowed: %v", err)
	}
	_, err = c.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("big"), DesiredCount: aws.Int32(model.MaxTasksPerService + 1)})
	wantError(t, err, "InvalidParameterException", "Desired count exceeds limit.")
	desc, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{"big"}})
	if err != nil || desc.Services[0].DesiredCount != model.MaxTasksPerService {
		t.Fatalf("a refused update changed the service: %+v %v", desc, err)
	}
}

func TestRunTaskCountIsBounded(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	createDefault(t, api)
	registerTalk(t, api)
	api.addInstance(t, "default", 1<<20)
	_, err := api.client.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"), Count: aws.Int32(model.MaxRunTaskCount + 1)})
	wantError(t, err, "InvalidParameterException", "count must be between 1 and 10")
	big := strings.Repeat("x", model.MaxOverridesChars)
	_, err = api.client.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("talk"),
		Overrides: &types.TaskOverride{ContainerOverrides: []types.ContainerOverride{{Name: aws.String("web"), Command: []string{big}}}}})
	wantError(t, err, "InvalidParameterException", "Container Overrides length must be at most 8192")
	if n := countTasks(t, api, "default"); n != 0 {
		t.Fatalf("refused RunTasks stored %d tasks", n)
	}
}

// brief shortens an answer for a failure message.
func brief(out map[string]any) string {
	s := fmt.Sprint(out)
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// envDefinition is a one-container definition with n environment entries.
func envDefinition(family string, n int) string {
	env := make([]string, n)
	for i := range env {
		env[i] = fmt.Sprintf(`{"name":"V%d","value":"x"}`, i)
	}
	return `{"family":"` + family + `","containerDefinitions":[{"name":"a","image":"i","environment":[` + strings.Join(env, ",") + `]}]}`
}

func TestTaskDefinitionQuotas(t *testing.T) {
	api := newTestAPI(t, nil, nil)
	status, out := rawCall(t, api.url, "RegisterTaskDefinition", envDefinition("env", 10000))
	if status != 400 || out["__type"] != "ClientException" ||
		!strings.HasPrefix(fmt.Sprint(out["message"]), "Actual length: '") || !strings.Contains(fmt.Sprint(out["message"]), "Max allowed length is '65536' bytes.") {
		t.Fatalf("10,000 environment entries: %d %v", status, brief(out))
	}
	// The same definition within 64 KiB registers.
	if status, out := rawCall(t, api.url, "RegisterTaskDefinition", envDefinition("env", 100)); status != 200 {
		t.Fatalf("100 environment entries: %d %v", status, brief(out))
	}
	// A body far over the limit is refused before it is decoded.
	status, out = rawCall(t, api.url, "RegisterTaskDefinition", envDefinition("env", 100000))
	if status != 400 || !strings.Contains(fmt.Sprint(out["message"]), "Max allowed length is '65536' bytes.") {
		t.Fatalf("a 3 MB body: %d %v", status, brief(out))
	}
	containers := make([]string, model.MaxContainersPerTaskDefinition+1)
	for i := range containers {
		containers[i] = fmt.Sprintf(`{"name":"c%d","image":"i"}`, i)
	}
	status, out = rawCall(t, api.url, "RegisterTaskDefinition", `{"family":"many","containerDefinitions":[`+strings.Join(containers, ",")+`]}`)
	if status != 400 || out["__type"] != "ClientException" || out["message"] != "Too many containers." {
		t.Fatalf("11 containers: %d %v", status, brief(out))
	}
	status, out = rawCall(t, api.url, "RegisterTaskDefinition", `{"family":"t","tags":[{"key":"a\r\nb","value":"v"}],"containerDefinitions":[{"name":"a","image":"i"}]}`)
	if status != 400 || out["__type"] != "InvalidParameterException" {
		t.Fatalf("a tag key with CR LF: %d %v", status, brief(out))
	}
}

func TestEchoedFieldsAreBounded(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	createDefault(t, api)
	registerTalk(t, api)
	subnets := make([]string, model.MaxSubnets+1)
	for i := range subnets {
		subnets[i] = fmt.Sprintf("subnet-%d", i)
	}
	_, err := api.client.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk"),
		DesiredCount:         aws.Int32(1),
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: subnets}}})
	wantError(t, err, "InvalidParameterException", "subnets can have at most 16 items.")
	status, out := rawCall(t, api.url, "CreateService",
		`{"serviceName":"s","taskDefinition":"talk","desiredCount":1,"serviceRegistries":[{"registryArn":"`+strings.Repeat("a", model.MaxEchoedBytes)+`"}]}`)
	if status != 400 || out["__type"] != "InvalidParameterException" {
		t.Fatalf("a 16 KiB serviceRegistries: %d %v", status, brief(out))
	}
	_, err = api.client.CreateService(ctx, &awsecs.CreateServiceInput{ServiceName: aws.String("s"), TaskDefinition: aws.String("talk"),
		DesiredCount: aws.Int32(1), ClientToken: aws.String(strings.Repeat("t", 37))})
	wantCode(t, err, "InvalidParameterException")
	_, err = api.client.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("c"), CapacityProviders: make([]string, model.MaxCapacityProviders+1)})
	wantCode(t, err, "InvalidParameterException")
}

// tags returns n distinct tags.
func tags(n int) []types.Tag {
	out := make([]types.Tag, n)
	for i := range out {
		out[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")}
	}
	return out
}

// At most model.MaxTags tags per resource, when it is created and as
// TagResource adds to them; a refused request stores no tag.
func TestTagsAreBoundedPerResource(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	_, err := c.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("many"), Tags: tags(model.MaxTags + 1)})
	wantError(t, err, "InvalidParameterException", "Tags can have a maximum of 50 tags.")
	created, err := c.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("full"), Tags: tags(model.MaxTags)})
	if err != nil {
		t.Fatalf("the quota itself is allowed: %v", err)
	}
	arn := created.Cluster.ClusterArn
	_, err = c.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: arn,
		Tags: []types.Tag{{Key: aws.String("one-more"), Value: aws.String("v")}}})
	wantError(t, err, "InvalidParameterException", "Tags can have a maximum of 50 tags.")
	listed, err := c.ListTagsForResource(ctx, &awsecs.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil || len(listed.Tags) != model.MaxTags {
		t.Fatalf("after a refused TagResource: %d tags, %v", len(listed.Tags), err)
	}
	// Replacing an existing key's value adds no tag.
	if _, err := c.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: arn,
		Tags: []types.Tag{{Key: aws.String("k0"), Value: aws.String("new")}}}); err != nil {
		t.Fatalf("a full resource's tag changed: %v", err)
	}
	desc, err := c.DescribeClusters(ctx, &awsecs.DescribeClustersInput{Clusters: []string{"many"}})
	if err != nil || len(desc.Clusters) != 0 {
		t.Fatalf("the refused CreateCluster made a cluster: %+v %v", desc.Clusters, err)
	}
}
