package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// reflectoringTemplate reads one of seed 000's templates (the article's
// network and service stacks) from the template package's corpus.
func reflectoringTemplate(t *testing.T, name string) string {
	t.Helper()
	root, err := testutil.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "internal", "cfn", "template", "testdata", "corpus", "reflectoring", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type stackDescription struct {
	Stacks []struct {
		StackStatus, StackStatusReason string
		Outputs                        []struct{ OutputKey, OutputValue string }
	}
}

// TestCloudFormationSeed000 runs seed 000's flow with the AWS CLI: the
// network stack and the service stack created and waited for, then
// update-stack --use-previous-template with a new ImageUrl and a change set
// with another, each under 200 requests/s through the stack's listener with
// no failed request, then both stacks deleted in reverse order with nothing
// left behind. The only change to the article's templates is the
// listener's port (80 there), a free one here; the health check interval is
// 6 s (the seed passes 90, which makes the first deployment take minutes).
// seedStacks creates seed 000's network stack and its service stack (with
// serviceTemplate) with the AWS CLI, each waited for, and returns the
// listener's port once it answers.
func seedStacks(t *testing.T, site *site, cli *awsCLI, serviceTemplate string) int {
	t.Helper()
	port := freePort(t)
	listener := "      LoadBalancerArn: !Ref 'PublicLoadBalancer'\n      Port: 80\n"
	network := reflectoringTemplate(t, "network.yml")
	if !strings.Contains(network, listener) {
		t.Fatal("the network template's listener is not on port 80")
	}
	network = strings.Replace(network, listener, strings.Replace(listener, "80", strconv.Itoa(port), 1), 1)
	netFile := site.writeFile(t, "network.yml", network)
	svcFile := site.writeFile(t, "service.yml", serviceTemplate)
	start := time.Now()
	cli.must(t, nil, "cloudformation", "create-stack", "--stack-name", "reflectoring-network",
		"--template-body", "file://"+netFile, "--capabilities", "CAPABILITY_IAM")
	cli.must(t, nil, "cloudformation", "wait", "stack-create-complete", "--stack-name", "reflectoring-network")
	t.Logf("network stack: create-stack to wait's return %s", time.Since(start))
	var net stackDescription
	cli.must(t, &net, "cloudformation", "describe-stacks", "--stack-name", "reflectoring-network")
	if s := net.Stacks[0]; s.StackStatus != "CREATE_COMPLETE" || len(s.Outputs) != 9 {
		t.Fatalf("network stack %+v", s)
	}
	start = time.Now()
	cli.must(t, nil, append([]string{"cloudformation", "create-stack", "--stack-name", "reflectoring-service",
		"--template-body", "file://" + svcFile}, seedParams(site.talk)...)...)
	cli.must(t, nil, "cloudformation", "wait", "stack-create-complete", "--stack-name", "reflectoring-service")
	t.Logf("service stack: create-stack to wait's return %s", time.Since(start))
	waitFor(t, 30*time.Second, func() (bool, string) {
		_, err := getTalk(port)
		return err == nil, "listener: " + errString(err)
	})
	return port
}

// seedParams are the seed's create-stack parameters with image as ImageUrl
// and talk-service's port and health check.
func seedParams(image string) []string {
	return []string{"--parameters", "ParameterKey=StackName,ParameterValue=reflectoring-network",
		"ParameterKey=ServiceName,ParameterValue=reflectoring-hello-world",
		"ParameterKey=ImageUrl,ParameterValue=" + image, "ParameterKey=ContainerPort,ParameterValue=8080",
		"ParameterKey=HealthCheckPath,ParameterValue=/health", "ParameterKey=HealthCheckIntervalSeconds,ParameterValue=6"}
}

// updateImage is the seed's update-stack --use-previous-template with a new
// ImageUrl.
func updateImage(t *testing.T, cli *awsCLI, image string) {
	t.Helper()
	cli.must(t, nil, "cloudformation", "update-stack", "--stack-name", "reflectoring-service", "--use-previous-template",
		"--parameters", "ParameterKey=StackName,UsePreviousValue=true", "ParameterKey=ServiceName,UsePreviousValue=true",
		"ParameterKey=ImageUrl,ParameterValue="+image, "ParameterKey=ContainerPort,UsePreviousValue=true",
		"ParameterKey=HealthCheckPath,UsePreviousValue=true", "ParameterKey=HealthCheckIntervalSeconds,UsePreviousValue=true")
}

// deleteSeedStacks deletes the stacks in reverse order and checks nothing
// is left behind.
func deleteSeedStacks(t *testing.T, cli *awsCLI) {
	t.Helper()
	cli.must(t, nil, "cloudformation", "delete-stack", "--stack-name", "reflectoring-service")
	cli.must(t, nil, "cloudformation", "wait", "stack-delete-complete", "--stack-name", "reflectoring-service")
	cli.must(t, nil, "cloudformation", "delete-stack", "--stack-name", "reflectoring-network")
	cli.must(t, nil, "cloudformation", "wait", "stack-delete-complete", "--stack-name", "reflectoring-network")
	var lbs struct{ LoadBalancers []any }
	cli.must(t, &lbs, "elbv2", "describe-load-balancers")
	var tgs struct{ TargetGroups []any }
	cli.must(t, &tgs, "elbv2", "describe-target-groups")
	var clusters struct{ ClusterArns []string }
	cli.must(t, &clusters, "ecs", "list-clusters")
	var groups struct{ LogGroups []any }
	cli.must(t, &groups, "logs", "describe-log-groups", "--log-group-name-prefix", "reflectoring")
	if len(lbs.LoadBalancers) != 0 || len(tgs.TargetGroups) != 0 || len(groups.LogGroups) != 0 ||
		len(clusters.ClusterArns) != 1 { // the default cluster
		t.Errorf("left behind: %v %v %v %v", lbs, tgs, groups, clusters)
	}
}

func TestCloudFormationSeed000(t *testing.T) {
	requireAWSCLI(t)
	site := newSite(t)
	cli := site.startServer(t).cli
	images := map[string]string{}
	for _, v := range []string{"v2", "v3"} {
		images[v] = filepath.Join(filepath.Dir(site.talk), "talk-"+v)
		if err := copyFile(site.talk, images[v], 0o755); err != nil {
			t.Fatal(err)
		}
	}
	port := seedStacks(t, site, cli, reflectoringTemplate(t, "service.yml"))

	// update-stack with a new image, under load: a rolling deployment.
	load := testutil.StartLoad("http://127.0.0.1:"+strconv.Itoa(port)+"/talk", 200)
	start := time.Now()
	updateImage(t, cli, images["v2"])
	cli.must(t, nil, "cloudformation", "wait", "stack-update-complete", "--stack-name", "reflectoring-service")
	t.Logf("update-stack to wait's return %s", time.Since(start))
	if r := load.Stop(); r.Failed != 0 || r.Sent == 0 {
		t.Fatalf("update-stack under load: %s", r)
	}
	var tasks struct{ TaskArns []string }
	cli.must(t, &tasks, "ecs", "list-tasks", "--cluster", clusterOf(t, cli), "--desired-status", "RUNNING")
	if len(tasks.TaskArns) != 2 {
		t.Errorf("running tasks after the update %v", tasks.TaskArns)
	}

	// A change set that shows the image as the only property change.
	cli.must(t, nil, append([]string{"cloudformation", "create-change-set", "--stack-name", "reflectoring-service",
		"--change-set-name", "v3", "--use-previous-template"}, seedParams(images["v3"])...)...)
	cli.must(t, nil, "cloudformation", "wait", "change-set-create-complete", "--stack-name", "reflectoring-service", "--change-set-name", "v3")
	var cs struct {
		Changes []struct {
			ResourceChange struct {
				Action, LogicalResourceId, Replacement string
				Details                                []struct {
					Target                      struct{ Name, Path, BeforeValue, AfterValue string }
					ChangeSource, CausingEntity string
				}
			}
		}
	}
	cli.must(t, &cs, "cloudformation", "describe-change-set", "--stack-name", "reflectoring-service", "--change-set-name", "v3",
		"--include-property-values")
	changed := map[string]string{}
	for _, c := range cs.Changes {
		for _, d := range c.ResourceChange.Details {
			changed[c.ResourceChange.LogicalResourceId+d.Target.Path] = d.Target.AfterValue
		}
	}
	if len(cs.Changes) != 2 || changed["TaskDefinition/Properties/ContainerDefinitions/0/Image"] != images["v3"] ||
		cs.Changes[0].ResourceChange.Replacement != "True" || len(changed) != 2 {
		t.Errorf("change set %+v", cs)
	}
	load = testutil.StartLoad("http://127.0.0.1:"+strconv.Itoa(port)+"/talk", 200)
	cli.must(t, nil, "cloudformation", "execute-change-set", "--stack-name", "reflectoring-service", "--change-set-name", "v3")
	cli.must(t, nil, "cloudformation", "wait", "stack-update-complete", "--stack-name", "reflectoring-service")
	if r := load.Stop(); r.Failed != 0 || r.Sent == 0 {
		t.Fatalf("change set under load: %s", r)
	}

	deleteSeedStacks(t, cli)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// clusterOf is the network stack's cluster (its ClusterName output).
func clusterOf(t *testing.T, cli *awsCLI) string {
	t.Helper()
	var d stackDescription
	cli.must(t, &d, "cloudformation", "describe-stacks", "--stack-name", "reflectoring-network")
	for _, o := range d.Stacks[0].Outputs {
		if o.OutputKey == "ClusterName" {
			return o.OutputValue
		}
	}
	t.Fatal("no ClusterName output")
	return ""
}

// TestCloudFormationUpdateToCrashingImageRollsBack updates seed 000's
// service stack (with the deployment circuit breaker on) to an image that
// exits at once: ECS's circuit breaker fails the deployment, the stack update
// fails with ECS's reason and rolls back to UPDATE_ROLLBACK_COMPLETE, and
// the old tasks serve throughout.
func TestCloudFormationUpdateToCrashingImageRollsBack(t *testing.T) {
	requireAWSCLI(t)
	site := newSite(t)
	cli := site.startServer(t).cli
	svc := reflectoringTemplate(t, "service.yml")
	breaker := "        MinimumHealthyPercent: 50\n"
	if !strings.Contains(svc, breaker) {
		t.Fatal("the service template's deployment configuration moved")
	}
	svc = strings.Replace(svc, breaker, breaker+"        DeploymentCircuitBreaker: {Enable: true, Rollback: true}\n", 1)
	port := seedStacks(t, site, cli, svc)
	crash := site.writeFile(t, "crash.sh", "#!/bin/sh\necho crashing >&2\nexit 3\n")
	if err := os.Chmod(crash, 0o755); err != nil {
		t.Fatal(err)
	}
	load := testutil.StartLoad("http://127.0.0.1:"+strconv.Itoa(port)+"/talk", 200)
	updateImage(t, cli, crash)
	err := cli.call(nil, "cloudformation", "wait", "stack-update-complete", "--stack-name", "reflectoring-service")
	if err == nil || !strings.Contains(err.Error(), "UPDATE_ROLLBACK_COMPLETE") {
		t.Fatalf("wait stack-update-complete: %v", err)
	}
	if r := load.Stop(); r.Failed != 0 || r.Sent == 0 {
		t.Fatalf("crashing update under load: %s", r)
	}
	var events struct {
		StackEvents []struct{ LogicalResourceId, ResourceStatus, ResourceStatusReason string }
	}
	cli.must(t, &events, "cloudformation", "describe-stack-events", "--stack-name", "reflectoring-service")
	reason := ""
	for _, e := range events.StackEvents {
		if e.LogicalResourceId == "Service" && e.ResourceStatus == "UPDATE_FAILED" {
			reason = e.ResourceStatusReason
		}
	}
	if !strings.HasPrefix(reason, `Resource handler returned message: "Error occurred during operation '`) ||
		!strings.Contains(strings.ToLower(reason), "circuit breaker") {
		t.Errorf("Service UPDATE_FAILED reason %q; events %+v", reason, events.StackEvents)
	}
	deleteSeedStacks(t, cli)
}
