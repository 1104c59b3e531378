package docker

import (
	"context"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestFourAwsvpcTasksOfOneDefinition runs four tasks of one awsvpc
// definition at once on each runtime: each has an address of its own with
// the container port on it unchanged, reports its attachment as ECS does,
// and its container reaches the task metadata endpoint (talk-service
// answers with the task ARN it read there).
func TestFourAwsvpcTasksOfOneDefinition(t *testing.T) {
	for _, rt := range []string{server.RuntimeDocker, server.RuntimeProcess} {
		t.Run(rt, func(t *testing.T) {
			t.Parallel()
			s := newSite(t, rt)
			image := talkImage
			if rt == server.RuntimeProcess {
				image = talkBinary
			}
			td := s.register(&awsecs.RegisterTaskDefinitionInput{
				Family: aws.String("todo"), NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
				RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
				ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String(image),
					PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}}}},
			})
			arns := s.run(td, 4, awsvpc())
			tasks := s.waitStatus(arns, "RUNNING", time.Minute)
			seen := map[string]bool{}
			for _, task := range tasks {
				checkAttached(t, task)
				addr := detail(task.Attachments[0], "privateIPv4Address")
				if seen[addr] {
					t.Errorf("address %s given twice", addr)
				}
				seen[addr] = true
				// talk-service reads its task ARN from the endpoint in the background.
				testutil.Eventually(t, 15*time.Second, func() (bool, string) {
					var talk struct{ TaskArn string }
					body := get(t, "http://"+addr+":8080/talk")
					_ = json.Unmarshal([]byte(body), &talk)
					return talk.TaskArn == aws.ToString(task.TaskArn), "the task on " + addr + " answered " + body
				})
			}
			for _, arn := range arns {
				if _, err := s.ecs.StopTask(context.Background(), &awsecs.StopTaskInput{Task: aws.String(arn)}); err != nil {
					t.Fatal(err)
				}
			}
			for _, task := range s.waitStatus(arns, "STOPPED", time.Minute) {
				if st := aws.ToString(task.Attachments[0].Status); st != "DELETED" {
					t.Errorf("attachment of a stopped task is %s, want DELETED", st)
				}
			}
		})
	}
}

// checkAttached checks the task's ENI attachment and its container's view
// of it, as ECS reports them.
func checkAttached(t *testing.T, task ecstypes.Task) {
	t.Helper()
	if len(task.Attachments) != 1 {
		t.Fatalf("attachments %+v", task.Attachments)
	}
	a := task.Attachments[0]
	addr, err := netip.ParseAddr(detail(a, "privateIPv4Address"))
	if aws.ToString(a.Type) != "ElasticNetworkInterface" || aws.ToString(a.Status) != "ATTACHED" || err != nil || !addr.IsLoopback() ||
		detail(a, "subnetId") != "subnet-0a1b2c" || len(detail(a, "networkInterfaceId")) != len("eni-0123456789abcdef0") ||
		detail(a, "macAddress") == "" || detail(a, "privateDnsName") != "ip-"+dashed(addr)+".ec2.internal" {
		t.Errorf("attachment %+v", a)
	}
	c := task.Containers[0]
	if len(c.NetworkInterfaces) != 1 || aws.ToString(c.NetworkInterfaces[0].PrivateIpv4Address) != addr.String() ||
		aws.ToString(c.NetworkInterfaces[0].AttachmentId) != aws.ToString(a.Id) || len(c.NetworkBindings) != 0 {
		t.Errorf("container network interfaces %+v, bindings %+v", c.NetworkInterfaces, c.NetworkBindings)
	}
}

func dashed(a netip.Addr) string { return strings.ReplaceAll(a.String(), ".", "-") }
