package e2e

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// TestCLILoadBalancedService sets up the seeds' load-balanced service with
// the AWS CLI: a target group with a /health check, a load balancer and a
// listener forwarding to the group, and a service of 2 tasks registered in
// it. Requests through the listener reach both tasks.
func TestCLILoadBalancedService(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	cli := site.startServer(t).cli
	site.registerTalk(t, cli, "v1")
	tg, listenerPort := createLoadBalancer(t, cli)

	cli.must(t, nil, "ecs", "create-service", "--service-name", "talk", "--task-definition", "talk",
		"--desired-count", "2", "--load-balancers", "targetGroupArn="+tg+",containerName=web,containerPort=8080")
	waitHealthyTargets(t, cli, tg, 2)

	tasks := cli.serviceTasks(t, "talk")
	want := map[string]bool{}
	for _, task := range tasks {
		want[task.TaskArn] = true
	}
	seen := map[string]bool{}
	for i := 0; i < 20 && len(seen) < len(want); i++ {
		a, err := getTalk(listenerPort)
		if err != nil {
			t.Fatalf("request %d through the listener: %v", i, err)
		}
		seen[a.TaskArn] = true
	}
	for arn := range want {
		if !seen[arn] {
			t.Fatalf("20 requests through the listener reached %v, not task %s of %v", seen, arn, want)
		}
	}
	svc := cli.describeService(t, "talk")
	if !hasEvent(svc, "(service talk) registered", "targets in (target-group "+tg+")") {
		t.Fatalf("no registration event in %v", latestEvents(svc, 10))
	}
	if len(svc.LoadBalancers) != 1 || svc.LoadBalancers[0]["targetGroupArn"] != tg {
		t.Fatalf("service loadBalancers = %v", svc.LoadBalancers)
	}
}

// createLoadBalancer creates the target group, load balancer and listener
// and returns the group's ARN and the listener's port.
func createLoadBalancer(t *testing.T, cli *awsCLI) (string, int) {
	t.Helper()
	var tgOut struct {
		TargetGroups []struct{ TargetGroupArn string }
	}
	cli.must(t, &tgOut, "elbv2", "create-target-group", "--name", "talk", "--protocol", "HTTP", "--port", "8080",
		"--vpc-id", "vpc-e2e", "--health-check-path", "/health", "--health-check-interval-seconds", "5",
		"--health-check-timeout-seconds", "2", "--healthy-threshold-count", "2")
	tg := tgOut.TargetGroups[0].TargetGroupArn
	var lbOut struct {
		LoadBalancers []struct{ LoadBalancerArn string }
	}
	cli.must(t, &lbOut, "elbv2", "create-load-balancer", "--name", "talk", "--subnets", "subnet-a", "subnet-b")
	port := freePort(t)
	cli.must(t, nil, "elbv2", "create-listener", "--load-balancer-arn", lbOut.LoadBalancers[0].LoadBalancerArn,
		"--protocol", "HTTP", "--port", strconv.Itoa(port), "--default-actions", "Type=forward,TargetGroupArn="+tg)
	return tg, port
}

// waitHealthyTargets polls describe-target-health until n targets are healthy.
func waitHealthyTargets(t *testing.T, cli *awsCLI, tg string, n int) {
	t.Helper()
	waitFor(t, 60*time.Second, func() (bool, string) {
		var out struct {
			TargetHealthDescriptions []struct {
				Target struct {
					ID   string
					Port int
				}
				TargetHealth struct{ State, Reason string }
			}
		}
		if err := cli.call(&out, "elbv2", "describe-target-health", "--target-group-arn", tg); err != nil {
			return false, err.Error()
		}
		healthy := 0
		for _, d := range out.TargetHealthDescriptions {
			if d.TargetHealth.State == "healthy" {
				healthy++
			}
		}
		return healthy == n, fmt.Sprintf("target health %+v", out.TargetHealthDescriptions)
	})
}
