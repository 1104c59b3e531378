package e2e

import (
	"strconv"
	"strings"
	"testing"
)

// TestCLIRegions: with --region eu-west-1 the AWS CLI runs a load-balanced
// service there, served through its listener; us-east-1 sees none of it,
// makes a target group of the same name under its own ARN and is refused
// the listener port eu-west-1 holds (this host's ports are shared); a
// restart keeps eu-west-1 serving; an unknown region is refused.
func TestCLIRegions(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	site := newSite(t)
	us := site.startServer(t).cli
	eu := *us
	eu.region = "eu-west-1"
	// Before each server's teardown, which stops only the home region's tasks.
	t.Cleanup(func() { _ = eu.call(nil, "ecs", "delete-service", "--service", "talk", "--force") })

	// CloudWatch Logs is one store for every region.
	eu.must(t, nil, "logs", "create-log-group", "--log-group-name", "talk")
	path := site.writeFile(t, "taskdef-eu.json", site.talkTaskDef("eu"))
	eu.must(t, nil, "ecs", "register-task-definition", "--cli-input-json", "file://"+path)
	tg, port := createLoadBalancer(t, &eu)
	if !strings.HasPrefix(tg, "arn:aws:elasticloadbalancing:eu-west-1:") {
		t.Fatalf("eu-west-1 target group ARN %s", tg)
	}
	eu.must(t, nil, "ecs", "create-service", "--service-name", "talk", "--task-definition", "talk",
		"--desired-count", "1", "--load-balancers", "targetGroupArn="+tg+",containerName=web,containerPort=8080")
	waitHealthyTargets(t, &eu, tg, 1)
	tasks := eu.serviceTasks(t, "talk")
	if len(tasks) != 1 || !strings.HasPrefix(tasks[0].TaskArn, "arn:aws:ecs:eu-west-1:") {
		t.Fatalf("eu-west-1 tasks %+v", tasks)
	}
	waitTalk(t, port, tasks[0].TaskArn, "eu")

	var services struct{ ServiceArns []string }
	us.must(t, &services, "ecs", "list-services")
	var tgs struct {
		TargetGroups []struct{ TargetGroupArn string }
	}
	us.must(t, &tgs, "elbv2", "describe-target-groups")
	if len(services.ServiceArns) != 0 || len(tgs.TargetGroups) != 0 {
		t.Fatalf("us-east-1 sees eu-west-1's services %v and target groups %v", services.ServiceArns, tgs.TargetGroups)
	}
	us.mustFail(t, "InvalidParameterException", "ecs", "describe-tasks", "--tasks", tasks[0].TaskArn)
	usTG, _ := createLoadBalancer(t, us)
	if usTG == tg || !strings.HasPrefix(usTG, "arn:aws:elasticloadbalancing:us-east-1:") {
		t.Fatalf("us-east-1's target group talk is %s (eu-west-1's %s)", usTG, tg)
	}
	var lbs struct {
		LoadBalancers []struct{ LoadBalancerArn string }
	}
	us.must(t, &lbs, "elbv2", "describe-load-balancers", "--names", "talk")
	us.mustFail(t, "DuplicateListener", "elbv2", "create-listener", "--load-balancer-arn", lbs.LoadBalancers[0].LoadBalancerArn,
		"--protocol", "HTTP", "--port", strconv.Itoa(port), "--default-actions", "Type=forward,TargetGroupArn="+usTG)

	nowhere := eu
	nowhere.region = "xx-nowhere-1"
	nowhere.mustFail(t, "InvalidSignatureException", "ecs", "list-clusters")

	// A restart keeps the region, its task and its listener.
	if err := site.servers[0].stop(); err != nil {
		t.Fatal(err)
	}
	again := *site.startServer(t).cli
	again.region = "eu-west-1"
	t.Cleanup(func() { _ = again.call(nil, "ecs", "delete-service", "--service", "talk", "--force") })
	waitTalk(t, port, tasks[0].TaskArn, "eu")
	if got := again.serviceTasks(t, "talk"); len(got) != 1 || got[0].TaskArn != tasks[0].TaskArn {
		t.Fatalf("eu-west-1 tasks after a restart: %+v", got)
	}
}
