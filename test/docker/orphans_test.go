package docker

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestRestartReapsOnlyItsOwnOrphans: two servers share the engine. A
// restarted server adopts its running task's container, stops and removes a
// container its store started for a task it does not know (an orphan), and
// leaves the other server's container alone.
func TestRestartReapsOnlyItsOwnOrphans(t *testing.T) {
	t.Parallel()
	cli := testutil.RequireDocker(t)
	ctx := context.Background()
	a, other := newSite(t, server.RuntimeDocker), newSite(t, server.RuntimeDocker)
	probe := &awsecs.RegisterTaskDefinitionInput{Family: aws.String("probe"), ContainerDefinitions: []ecstypes.ContainerDefinition{{
		Name: aws.String("web"), Image: aws.String(probeImage), Command: []string{"serve"}, MemoryReservation: aws.Int32(16),
		PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}}}}}
	mine := a.waitStatus(a.run(a.register(probe), 1, nil), "RUNNING", time.Minute)[0]
	theirs := other.waitStatus(other.run(other.register(probe), 1, nil), "RUNNING", time.Minute)[0]
	mineID, theirsID := containerOf(t, cli, mine), containerOf(t, cli, theirs)

	// An orphan of a's store: labelled like its task's container, for a task
	// no store knows.
	insp, err := cli.ContainerInspect(ctx, mineID, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	labels := maps.Clone(insp.Container.Config.Labels)
	labels["dev.slipway.task-id"] = "0000000000000000000000000000dead"
	labels["dev.slipway.task-arn"] = strings.Replace(labels["dev.slipway.task-arn"], taskID(mine), "0000000000000000000000000000dead", 1)
	orphan, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: probeImage, Cmd: []string{"sleep"}, Labels: labels}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = cli.ContainerRemove(context.Background(), orphan.ID, client.ContainerRemoveOptions{Force: true})
	})
	if _, err := cli.ContainerStart(ctx, orphan.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}

	a.srv.Close() // tasks keep running
	a.start()
	testutil.Eventually(t, 30*time.Second, func() (bool, string) {
		_, err := cli.ContainerInspect(ctx, orphan.ID, client.ContainerInspectOptions{})
		return err != nil, "the orphan is still there"
	})
	for id, what := range map[string]string{mineID: "the adopted task's", theirsID: "the other store's"} {
		c, err := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
		if err != nil || !c.Container.State.Running {
			t.Errorf("%s container: %v", what, err)
		}
	}
	if got := a.describe([]string{aws.ToString(mine.TaskArn)})[0]; aws.ToString(got.LastStatus) != "RUNNING" {
		t.Errorf("the adopted task is %s", aws.ToString(got.LastStatus))
	}
}

func taskID(t ecstypes.Task) string {
	arn := aws.ToString(t.TaskArn)
	return arn[strings.LastIndex(arn, "/")+1:]
}

// containerOf is the engine's id of a task's only container.
func containerOf(t *testing.T, cli *client.Client, task ecstypes.Task) string {
	t.Helper()
	f := make(client.Filters).Add("label", "dev.slipway.task-id="+taskID(task))
	list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{Filters: f})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("containers of task %s: %v %v", taskID(task), list.Items, err)
	}
	return list.Items[0].ID
}
