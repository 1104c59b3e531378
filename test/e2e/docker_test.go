package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// seedImage is the image name of seed 000's stack, given here to a locally
// built talk-service with `docker tag`, as a user of the seed would.
const seedImage = "docker.io/reflectoring/aws-hello-world:latest"

var dockerImageOnce sync.Once

// requireDockerSite skips (or fails in CI) without a Docker Engine, builds
// talk-service's image once and tags it with the seed's name, and at the
// end of the test removes whatever containers of the test's tasks are left.
func requireDockerSite(t *testing.T) *client.Client {
	t.Helper()
	cli := testutil.RequireDocker(t)
	var err error
	dockerImageOnce.Do(func() {
		ctx := context.Background()
		if err = testutil.BuildImage(ctx, cli, "slipway-test/talk-service:e2e", talkBin); err == nil {
			_, err = cli.ImageTag(ctx, client.ImageTagOptions{Source: "slipway-test/talk-service:e2e", Target: seedImage})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return cli
}

// stopDockerTasks registers, for a server started just before, a cleanup
// that runs before the server's teardown: it stops every task and waits
// until their containers are gone (the teardown waits for task processes,
// which Docker tasks have none of, and would stop the server before its
// agent removed them).
func stopDockerTasks(t *testing.T, srv *server, docker *client.Client) {
	t.Cleanup(func() {
		if !srv.running() {
			return
		}
		var tasks struct{ TaskArns []string }
		_ = srv.cli.call(&tasks, "ecs", "list-tasks")
		if err := srv.stopAllTasks(45 * time.Second); err != nil {
			t.Errorf("stopping tasks: %v", err)
		}
		var ids []string
		for _, arn := range tasks.TaskArns {
			ids = append(ids, arn[strings.LastIndex(arn, "/")+1:])
		}
		waitFor(t, 60*time.Second, func() (bool, string) {
			left := taskContainers(t, docker, ids...)
			return len(left) == 0, fmt.Sprintf("%d containers of stopped tasks left", len(left))
		})
	})
}

// taskContainers lists the containers of the given task ids (all states).
func taskContainers(t *testing.T, cli *client.Client, taskIDs ...string) []string {
	t.Helper()
	var ids []string
	for _, id := range taskIDs {
		f := make(client.Filters).Add("label", "dev.slipway.task-id="+id, "dev.slipway.role=container")
		list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true, Filters: f})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list.Items {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// TestSeedFargateServiceOnDocker deploys seed 000's service shape with the
// AWS CLI on the Docker runtime: a FARGATE task definition in awsvpc mode,
// a target group of type ip, two tasks, minimum healthy 50% and maximum
// 200%; then a new revision, as the seed's option 4 does. Each task answers
// on an address of its own through the load balancer, and the deployment
// replaces them without a failed request.
func TestSeedFargateServiceOnDocker(t *testing.T) {
	requireAWSCLI(t)
	docker := requireDockerSite(t)
	t.Parallel()
	site := newSite(t)
	srv := site.startServer(t, "--runtime", "docker")
	stopDockerTasks(t, srv, docker)
	cli := srv.cli

	var tgOut struct {
		TargetGroups []struct{ TargetGroupArn string }
	}
	cli.must(t, &tgOut, "elbv2", "create-target-group", "--name", "todo", "--protocol", "HTTP", "--port", "8080",
		"--target-type", "ip", "--vpc-id", "vpc-e2e", "--health-check-path", "/health", "--health-check-interval-seconds", "5",
		"--health-check-timeout-seconds", "2", "--healthy-threshold-count", "2")
	tg := tgOut.TargetGroups[0].TargetGroupArn
	var lbOut struct {
		LoadBalancers []struct{ LoadBalancerArn string }
	}
	cli.must(t, &lbOut, "elbv2", "create-load-balancer", "--name", "todo", "--subnets", "subnet-a", "subnet-b")
	port := freePort(t)
	cli.must(t, nil, "elbv2", "create-listener", "--load-balancer-arn", lbOut.LoadBalancers[0].LoadBalancerArn,
		"--protocol", "HTTP", "--port", strconv.Itoa(port), "--default-actions", "Type=forward,TargetGroupArn="+tg)

	register := func(version string) string {
		path := site.writeFile(t, "todo-"+version+".json", seedFargateTaskDef(version))
		var out struct {
			TaskDefinition struct{ TaskDefinitionArn string }
		}
		cli.must(t, &out, "ecs", "register-task-definition", "--cli-input-json", "file://"+path)
		return out.TaskDefinition.TaskDefinitionArn
	}
	v1 := register("v1")
	cli.must(t, nil, "ecs", "create-service", "--service-name", "aws101-todo-app", "--task-definition", "aws101-todo-app",
		"--desired-count", "2", "--launch-type", "FARGATE",
		"--deployment-configuration", "minimumHealthyPercent=50,maximumPercent=200",
		"--network-configuration", "awsvpcConfiguration={subnets=[subnet-a,subnet-b],securityGroups=[sg-todo],assignPublicIp=ENABLED}",
		"--load-balancers", "targetGroupArn="+tg+",containerName=aws101-todo-app,containerPort=8080")
	cli.waitService(t, "aws101-todo-app", 90*time.Second, steadyOn(v1, 2))
	checkIPTargets(t, cli, tg, 2)
	waitListenerVersion(t, port, "v1")

	stop := startListenerLoad(port)
	v2 := register("v2")
	cli.must(t, nil, "ecs", "update-service", "--service", "aws101-todo-app", "--task-definition", v2)
	cli.waitService(t, "aws101-todo-app", 120*time.Second, steadyOn(v2, 2))
	if sent, failed := stop(); sent == 0 || failed > 0 {
		t.Errorf("through the listener during the deployment: %d requests, %d failed", sent, failed)
	}
	waitListenerVersion(t, port, "v2")
	checkIPTargets(t, cli, tg, 2)
	tasks := cli.serviceTasks(t, "aws101-todo-app")
	if n := len(taskContainers(t, docker, tasks[0].id(), tasks[1].id())); n != 2 {
		t.Errorf("%d containers run the 2 tasks, want 2", n)
	}
}

// seedFargateTaskDef is seed 000's task definition, its placeholders filled
// in (the execution role, and the image: the seed's stack image, tagged
// locally), with the version talk-service reports.
func seedFargateTaskDef(version string) string {
	return fmt.Sprintf(`{
  "family": "aws101-todo-app",
  "cpu": "256",
  "memory": "512",
  "requiresCompatibilities": ["FARGATE"],
  "networkMode": "awsvpc",
  "executionRoleArn": "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
  "containerDefinitions": [
    {
      "cpu": 256,
      "memory": 512,
      "name": "aws101-todo-app",
      "image": %q,
      "portMappings": [{"containerPort": 8080}],
      "environment": [{"name": "TALK_VERSION", "value": %q}]
    }
  ]
}`, seedImage, version)
}

// checkIPTargets checks the target group holds n healthy targets, each a
// task's own loopback address on the container port.
func checkIPTargets(t *testing.T, cli *awsCLI, tg string, n int) {
	t.Helper()
	waitFor(t, 60*time.Second, func() (bool, string) {
		var out struct {
			TargetHealthDescriptions []struct {
				Target struct {
					Id   string
					Port int
				}
				TargetHealth struct{ State string }
			}
		}
		if err := cli.call(&out, "elbv2", "describe-target-health", "--target-group-arn", tg); err != nil {
			return false, err.Error()
		}
		healthy := 0
		for _, d := range out.TargetHealthDescriptions {
			addr, err := netip.ParseAddr(d.Target.Id)
			if d.TargetHealth.State == "healthy" && err == nil && addr.IsLoopback() && addr.String() != "127.0.0.1" && d.Target.Port == 8080 {
				healthy++
			}
		}
		return healthy == n, fmt.Sprintf("targets %+v", out.TargetHealthDescriptions)
	})
}

// waitListenerVersion waits until the listener answers /talk with version.
func waitListenerVersion(t *testing.T, port int, version string) {
	t.Helper()
	waitFor(t, 30*time.Second, func() (bool, string) {
		a, err := getTalk(port)
		return err == nil && a.Version == version, fmt.Sprintf("%+v %v", a, err)
	})
}

// startListenerLoad sends a steady stream of /talk through the listener (at
// most 50 per second) until stop is called, which returns the counts.
func startListenerLoad(port int) (stop func() (sent, failed int)) {
	done := make(chan struct{})
	var sent, failed int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			sent++
			if _, err := getTalk(port); err != nil {
				failed++
			}
		}
	}()
	return func() (int, int) {
		close(done)
		wg.Wait()
		return sent, failed
	}
}

// TestKillNineAdoptsDockerContainers crashes a server on the Docker runtime
// with SIGKILL while a service of 2 tasks runs, and kills one container
// meanwhile: the next server adopts the live container (the same container,
// no second one), records how the killed one ended, replaces it, and reaps
// nothing that is not its own.
func TestKillNineAdoptsDockerContainers(t *testing.T) {
	requireAWSCLI(t)
	docker := requireDockerSite(t)
	t.Parallel()
	site := newSite(t)
	first := site.startServer(t, "--runtime", "docker")
	// talkTaskDef ships to the awslogs group "talk" without
	// awslogs-create-group: as on ECS, the group must exist first.
	first.cli.must(t, nil, "logs", "create-log-group", "--log-group-name", "talk")
	path := site.writeFile(t, "talk.json", strings.Replace(site.talkTaskDef("v1"), strconv.Quote(site.talk), strconv.Quote(seedImage), 1))
	var reg struct {
		TaskDefinition struct{ TaskDefinitionArn string }
	}
	first.cli.must(t, &reg, "ecs", "register-task-definition", "--cli-input-json", "file://"+path)
	taskDef := reg.TaskDefinition.TaskDefinitionArn
	first.cli.must(t, nil, "ecs", "create-service", "--service-name", "talk", "--task-definition", "talk", "--desired-count", "2")
	first.cli.waitService(t, "talk", 60*time.Second, steadyOn(taskDef, 2))
	before := checkTasksAnswer(t, first.cli, taskDef, "v1", 2)
	victim, survivor := before[0], before[1]
	survivorContainers := taskContainers(t, docker, survivor.id())

	first.kill9(t)
	if _, err := docker.ContainerKill(context.Background(), taskContainers(t, docker, victim.id())[0], client.ContainerKillOptions{Signal: "SIGKILL"}); err != nil {
		t.Fatal(err)
	}
	second := site.startServer(t, "--runtime", "docker")
	stopDockerTasks(t, second, docker)
	cli := second.cli
	waitTalk(t, survivor.hostPort(), survivor.TaskArn, "v1")
	cli.waitService(t, "talk", 60*time.Second, steadyOn(taskDef, 2))
	if got := taskContainers(t, docker, survivor.id()); !slices.Equal(got, survivorContainers) {
		t.Errorf("the surviving task runs containers %v after the restart, want the adopted %v", got, survivorContainers)
	}
	stopped := cli.describeTasks(t, victim.TaskArn)[0]
	if stopped.LastStatus != "STOPPED" || stopped.StopCode != "EssentialContainerExited" ||
		stopped.Containers[0].ExitCode == nil || *stopped.Containers[0].ExitCode != 137 {
		t.Errorf("killed task: %+v", stopped)
	}
	after := checkTasksAnswer(t, cli, taskDef, "v1", 2)
	for _, task := range after {
		if n := len(taskContainers(t, docker, task.id())); n != 1 {
			t.Errorf("task %s has %d containers, want 1", task.id(), n)
		}
	}
	// The adopted container's output is shipped once, across the restart.
	waitFor(t, 30*time.Second, func() (bool, string) {
		var got struct{ Events []logEvent }
		err := cli.call(&got, "logs", "get-log-events", "--log-group-name", "talk", "--log-stream-name", "talk/web/"+survivor.id())
		started := 0
		for _, e := range got.Events {
			if strings.Contains(e.Message, "talk-service started") {
				started++
			}
		}
		return err == nil && started == 1, fmt.Sprintf("%d start lines: %+v %v", started, got.Events, err)
	})
}

// seed002Image is seed 002's image, given to the local talk-service image.
const seed002Image = "340754841610.dkr.ecr.eu-west-1.amazonaws.com/talk-service:latest"

// TestSeed002OnDocker follows seed 002 on the Docker runtime, its task
// definition verbatim (its ECR image name given to a locally built
// talk-service with `docker tag`): `aws logs create-log-group`, the task runs
// as a container, and its output, followed from the engine's log stream,
// lands in the stream ECS names.
func TestSeed002OnDocker(t *testing.T) {
	requireAWSCLI(t)
	docker := requireDockerSite(t)
	if _, err := docker.ImageTag(context.Background(), client.ImageTagOptions{Source: "slipway-test/talk-service:e2e", Target: seed002Image}); err != nil {
		t.Fatal(err)
	}
	t.Parallel()
	site := newSite(t)
	srv := site.startServer(t, "--runtime", "docker")
	stopDockerTasks(t, srv, docker)
	cli := srv.cli
	cli.must(t, nil, "logs", "create-log-group", "--log-group-name", "talk-service-cloudwatch", "--region", "eu-west-1")
	def := strings.Replace(fmt.Sprintf(seed002TaskDefinition, "talk-service-cloudwatch", ""), `"talk-service:latest"`, strconv.Quote(seed002Image), 1)
	cli.must(t, nil, "ecs", "register-task-definition", "--cli-input-json", "file://"+site.writeFile(t, "seed002.json", def))
	var out struct{ Tasks []ecsTask }
	cli.must(t, &out, "ecs", "run-task", "--task-definition", "talk-service")
	task := out.Tasks[0]
	stream := "aws-talk-service-cloudwatch/web/" + task.id()
	waitFor(t, 60*time.Second, func() (bool, string) {
		var got struct{ Events []logEvent }
		if err := cli.call(&got, "logs", "get-log-events", "--log-group-name", "talk-service-cloudwatch", "--log-stream-name", stream); err != nil {
			return false, err.Error()
		}
		return len(got.Events) > 0 && strings.Contains(got.Events[0].Message, "talk-service started"), fmt.Sprintf("%+v", got.Events)
	})
	if n := len(taskContainers(t, docker, task.id())); n != 1 {
		t.Errorf("%d containers run the task, want 1", n)
	}
}
