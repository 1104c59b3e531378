package ecs

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/state"
)

func TestStartTask(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	createDefault(t, api)
	registerTalk(t, api) // 128 MiB
	big := api.addInstance(t, "default", 1024)
	small := api.addInstance(t, "default", 100)
	off := api.addInstance(t, "default", 1024)
	if err := api.st.Update(ctx, func(tx state.Tx) error {
		ci, err := tx.Instance("default", off[strings.LastIndex(off, "/")+1:])
		if err != nil {
			return err
		}
		ci.AgentConnected = false
		return tx.PutInstance(ci)
	}); err != nil {
		t.Fatal(err)
	}
	bigID := big[strings.LastIndex(big, "/")+1:]
	out, err := c.StartTask(ctx, &awsecs.StartTaskInput{
		TaskDefinition:     aws.String("talk"),
		ContainerInstances: []string{bigID, small, off, "arn:aws:ecs:us-east-1:000000000000:container-instance/default/nope"},
		StartedBy:          aws.String("batch-7"), EnableECSManagedTags: true,
		Tags: []types.Tag{{Key: aws.String("job"), Value: aws.String("7")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 1 || aws.ToString(out.Tasks[0].ContainerInstanceArn) != big || aws.ToString(out.Tasks[0].StartedBy) != "batch-7" ||
		aws.ToString(out.Tasks[0].Group) != "family:talk" || aws.ToString(out.Tasks[0].LastStatus) != "PROVISIONING" || len(out.Tasks[0].Tags) != 2 {
		t.Fatalf("tasks %+v", out.Tasks)
	}
	reasons := map[string]string{}
	for _, f := range out.Failures {
		reasons[aws.ToString(f.Arn)] = aws.ToString(f.Reason)
	}
	want := map[string]string{small: "RESOURCE:MEMORY", off: "AGENT",
		"arn:aws:ecs:us-east-1:000000000000:container-instance/default/nope": "MISSING"}
	if len(reasons) != len(want) {
		t.Fatalf("failures %v", reasons)
	}
	for arn, r := range want {
		if reasons[arn] != r {
			t.Fatalf("failure of %s: %q, want %q (all %v)", arn, reasons[arn], r, reasons)
		}
	}

	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = bigID
	}
	for _, in := range []*awsecs.StartTaskInput{
		{TaskDefinition: aws.String("talk"), ContainerInstances: eleven},
		{TaskDefinition: aws.String("nope"), ContainerInstances: []string{bigID}},
		{TaskDefinition: aws.String("talk"), ContainerInstances: []string{bigID}, PropagateTags: types.PropagateTagsService},
		{TaskDefinition: aws.String("talk"), ContainerInstances: []string{bigID}, StartedBy: aws.String("no spaces")},
	} {
		_, err := c.StartTask(ctx, in)
		wantCode(t, err, "InvalidParameterException")
	}
	_, err = c.StartTask(ctx, &awsecs.StartTaskInput{Cluster: aws.String("nope"), TaskDefinition: aws.String("talk"), ContainerInstances: []string{bigID}})
	wantCode(t, err, "ClusterNotFoundException")
	_, err = c.StartTask(ctx, &awsecs.StartTaskInput{TaskDefinition: aws.String("talk"), ContainerInstances: []string{bigID},
		VolumeConfigurations: []types.TaskVolumeConfiguration{{Name: aws.String("v")}}})
	wantCode(t, err, "UnsupportedFeatureException")
}

func TestListServicesByNamespace(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, nil)
	c := api.client
	registerTalk(t, api)
	nsARN := "arn:aws:servicediscovery:us-east-1:000000000000:namespace/ns-abc"
	if _, err := c.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("a"),
		ServiceConnectDefaults: &types.ClusterServiceConnectDefaultsRequest{Namespace: aws.String(nsARN)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	mk := func(cluster, name string, sc *types.ServiceConnectConfiguration) {
		if _, err := c.CreateService(ctx, &awsecs.CreateServiceInput{Cluster: aws.String(cluster), ServiceName: aws.String(name),
			TaskDefinition: aws.String("talk"), DesiredCount: aws.Int32(0), ServiceConnectConfiguration: sc}); err != nil {
			t.Fatal(err)
		}
	}
	mk("a", "by-default", &types.ServiceConnectConfiguration{Enabled: true})
	mk("a", "off", &types.ServiceConnectConfiguration{Enabled: false})
	mk("a", "plain", nil)
	mk("b", "by-id", &types.ServiceConnectConfiguration{Enabled: true, Namespace: aws.String("ns-abc")})
	mk("b", "other", &types.ServiceConnectConfiguration{Enabled: true, Namespace: aws.String("ns-other")})
	var got []string
	var token *string
	for {
		out, err := c.ListServicesByNamespace(ctx, &awsecs.ListServicesByNamespaceInput{Namespace: aws.String(nsARN), MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out.ServiceArns...)
		if token = out.NextToken; token == nil {
			break
		}
	}
	want := []string{"arn:aws:ecs:us-east-1:000000000000:service/a/by-default", "arn:aws:ecs:us-east-1:000000000000:service/b/by-id"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("services %v, want %v", got, want)
	}
	_, err := c.ListServicesByNamespace(ctx, &awsecs.ListServicesByNamespaceInput{Namespace: aws.String("nobody-uses-this")})
	wantCode(t, err, "NamespaceNotFoundException")
	_, err = c.ListServicesByNamespace(ctx, &awsecs.ListServicesByNamespaceInput{Namespace: aws.String(nsARN), MaxResults: aws.Int32(101)})
	wantCode(t, err, "InvalidParameterException")
}
