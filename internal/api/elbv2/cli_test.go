package elbv2

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// requireCLI skips without the aws CLI, except in CI (CI=true), where it must run.
func requireCLI(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the aws CLI is required in CI")
		}
		t.Skip("aws CLI not on PATH")
	}
}

// cliRunner returns a function that runs "aws elbv2 ARGS" against url and
// decodes its JSON output, failing the test when the command fails.
func cliRunner(t *testing.T, url string) func(args ...string) map[string]any {
	return func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command("aws", append([]string{"--endpoint-url", url, "--output", "json", "elbv2"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret",
			"AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws elbv2 %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		var v map[string]any
		if len(out) > 0 {
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("aws elbv2 %s: %v\n%s", args[0], err, out)
			}
		}
		return v
	}
}

// TestAWSCLI drives the API with the real AWS CLI.
func TestAWSCLI(t *testing.T) {
	requireCLI(t)
	a := newTestAPI(t)
	run := cliRunner(t, a.url)
	first := func(v map[string]any, list, field string) string {
		return v[list].([]any)[0].(map[string]any)[field].(string)
	}
	tg := first(run("create-target-group", "--name", "talk", "--protocol", "HTTP", "--port", "8080",
		"--vpc-id", "vpc-1", "--health-check-path", "/health"), "TargetGroups", "TargetGroupArn")
	lbARN := first(run("create-load-balancer", "--name", "web", "--subnets", "subnet-a", "subnet-b"), "LoadBalancers", "LoadBalancerArn")
	listener := first(run("create-listener", "--load-balancer-arn", lbARN, "--protocol", "HTTP", "--port", "8000",
		"--default-actions", "Type=forward,TargetGroupArn="+tg), "Listeners", "ListenerArn")
	run("create-rule", "--listener-arn", listener, "--priority", "10",
		"--conditions", `[{"Field":"path-pattern","PathPatternConfig":{"Values":["/api/*"]}}]`,
		"--actions", `[{"Type":"forward","ForwardConfig":{"TargetGroups":[{"TargetGroupArn":"`+tg+`","Weight":3}]}}]`)
	run("register-targets", "--target-group-arn", tg, "--targets", "Id=i-1", "Id=i-2,Port=8081")
	run("modify-target-group-attributes", "--target-group-arn", tg, "--attributes", "Key=deregistration_delay.timeout_seconds,Value=10")
	health := run("describe-target-health", "--target-group-arn", tg)["TargetHealthDescriptions"].([]any)
	if len(health) != 2 {
		t.Fatalf("health = %v", health)
	}
	rules := run("describe-rules", "--listener-arn", listener)["Rules"].([]any)
	if len(rules) != 2 || rules[1].(map[string]any)["Priority"] != "default" {
		t.Fatalf("rules = %v", rules)
	}
	attrs := run("describe-target-group-attributes", "--target-group-arn", tg)["Attributes"].([]any)
	found := false
	for _, a := range attrs {
		m := a.(map[string]any)
		found = found || m["Key"] == "deregistration_delay.timeout_seconds" && m["Value"] == "10"
	}
	if !found {
		t.Fatalf("attributes = %v", attrs)
	}
	// Errors come back with ELB's code, which the CLI prints.
	cmd := exec.Command("aws", "--endpoint-url", a.url, "elbv2", "describe-target-groups", "--names", "missing")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "TargetGroupNotFound") {
		t.Fatalf("describe missing: %v %s", err, out)
	}
	run("delete-listener", "--listener-arn", listener)
	run("delete-load-balancer", "--load-balancer-arn", lbARN)
	run("delete-target-group", "--target-group-arn", tg)
}

// TestAWSCLINetworkLoadBalancer runs the NLB flow of the ELB guide with the
// real AWS CLI: a network load balancer, a TCP target group, a TCP listener.
func TestAWSCLINetworkLoadBalancer(t *testing.T) {
	requireCLI(t)
	a := newTestAPI(t)
	run := cliRunner(t, a.url)
	one := func(v map[string]any, list string) map[string]any { return v[list].([]any)[0].(map[string]any) }
	lbOut := one(run("create-load-balancer", "--name", "edge", "--type", "network", "--subnets", "subnet-a"), "LoadBalancers")
	if lbOut["Type"] != "network" || !strings.Contains(lbOut["LoadBalancerArn"].(string), ":loadbalancer/net/edge/") {
		t.Fatalf("load balancer = %v", lbOut)
	}
	tg := one(run("create-target-group", "--name", "tcp", "--protocol", "TCP", "--port", "9000", "--vpc-id", "vpc-1"), "TargetGroups")
	if tg["Protocol"] != "TCP" || tg["HealthCheckProtocol"] != "TCP" || tg["HealthCheckTimeoutSeconds"] != float64(10) ||
		tg["HealthCheckPath"] != nil || tg["Matcher"] != nil {
		t.Fatalf("target group = %v", tg)
	}
	l := one(run("create-listener", "--load-balancer-arn", lbOut["LoadBalancerArn"].(string), "--protocol", "TCP", "--port", "7000",
		"--default-actions", "Type=forward,TargetGroupArn="+tg["TargetGroupArn"].(string)), "Listeners")
	if l["Protocol"] != "TCP" || l["Port"] != float64(7000) {
		t.Fatalf("listener = %v", l)
	}
	listener := l["ListenerArn"].(string)
	run("modify-listener-attributes", "--listener-arn", listener, "--attributes", "Key=tcp.idle_timeout.seconds,Value=120")
	attrs := run("describe-listener-attributes", "--listener-arn", listener)["Attributes"].([]any)
	if len(attrs) != 1 || attrs[0].(map[string]any)["Value"] != "120" {
		t.Fatalf("listener attributes = %v", attrs)
	}
	run("modify-target-group-attributes", "--target-group-arn", tg["TargetGroupArn"].(string),
		"--attributes", "Key=proxy_protocol_v2.enabled,Value=true")
	run("register-targets", "--target-group-arn", tg["TargetGroupArn"].(string), "--targets", "Id=i-1")
	run("modify-load-balancer-attributes", "--load-balancer-arn", lbOut["LoadBalancerArn"].(string),
		"--attributes", "Key=load_balancing.cross_zone.enabled,Value=true")
	run("delete-listener", "--listener-arn", listener)
	run("delete-load-balancer", "--load-balancer-arn", lbOut["LoadBalancerArn"].(string))
	run("delete-target-group", "--target-group-arn", tg["TargetGroupArn"].(string))
}
